// Takes $profileId, $conditionIds, $excludedIds (a condition and exclusion list, proposed or
// saved); returns what a sync would do with them, by the sync's rules, without writing:
// memberCount, memberIds (all members, sorted), toEnroll (users holding ANY condition entitlement,
// not excluded, not members, with no open enrollment task, not denied by a reviewer while they
// match (ENROLLMENT_DENIED); sorted ids), toUnenroll (RULE members who are excluded, or no longer
// match and were not kept by a reviewer (KEPT_BY_DECISION), with no open unenrollment task; sorted ids),
// cancelEnrollments / cancelUnenrollments (open rule enrollment tasks of users who no longer match,
// open rule unenrollment tasks of members who match again).
MATCH (p:AccessProfile {id: $profileId})-[:ENROLLMENT_ENTITLEMENT]->(en:Entitlement)
CALL {
  WITH en
  OPTIONAL MATCH (en)<-[:OF]-(:Grant)<-[:HOLDS]-(m:User)
  WITH m ORDER BY m.id
  RETURN collect(m.id) AS memberIds
}
CALL {
  WITH p, en
  UNWIND $conditionIds AS conditionId
  MATCH (:Entitlement {id: conditionId})<-[:OF]-(:Grant)<-[:HOLDS]-(u:User)
  WITH DISTINCT u, en, p
  WHERE NOT u.id IN $excludedIds
    AND NOT EXISTS { (u)-[:ENROLLMENT_DENIED]->(p) }
    AND NOT EXISTS { (u)-[:HOLDS]->(:Grant)-[:OF]->(en) }
    AND NOT EXISTS { MATCH (t:Task {openKey: 'GRANT|' + u.id + '|' + en.id}) }
  WITH u ORDER BY u.id
  RETURN collect(u.id) AS toEnroll
}
CALL {
  WITH p, en
  OPTIONAL MATCH (en)<-[:OF]-(:Grant {enrolledVia: 'RULE'})<-[:HOLDS]-(u:User)
  WHERE (u.id IN $excludedIds
         OR (NOT EXISTS { (u)-[:HOLDS]->(:Grant)-[:OF]->(c:Entitlement) WHERE c.id IN $conditionIds }
             AND NOT EXISTS { (u)-[:KEPT_BY_DECISION]->(p) }))
    AND NOT EXISTS { MATCH (t:Task {openKey: 'REVOKE|' + u.id + '|' + en.id}) }
  WITH u ORDER BY u.id
  RETURN collect(u.id) AS toUnenroll
}
CALL {
  WITH en
  OPTIONAL MATCH (en)<-[:ON_ENTITLEMENT]-(t:Task {origin: 'SYNC'})-[:FOR_USER]->(u:User)
  WHERE t.openKey IS NOT NULL
  WITH t, u, u.id IN $excludedIds OR NOT EXISTS { (u)-[:HOLDS]->(:Grant)-[:OF]->(c:Entitlement) WHERE c.id IN $conditionIds } AS notMatching
  RETURN count(CASE WHEN t.kind = 'GRANT' AND notMatching THEN 1 END) AS cancelEnrollments,
         count(CASE WHEN t.kind = 'REVOKE' AND NOT notMatching THEN 1 END) AS cancelUnenrollments
}
RETURN size(memberIds) AS memberCount, memberIds, toEnroll, toUnenroll, cancelEnrollments, cancelUnenrollments
