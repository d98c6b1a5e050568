// Takes $profileId. Returns what a sync of the profile would do now, set-based over the whole
// profile: its automation settings, memberCount (holders of the enrollment entitlement), toEnroll
// (ids of users matching the condition, i.e. holding ANY condition entitlement, not excluded, not
// members, not pending enrollment), toUnenroll (ids of RULE members who no longer match or are
// excluded, minus those pending unenrollment), staleEnrollTasks (open SYNC enrollment tasks of users
// who no longer match) and staleUnenrollTasks (open SYNC unenrollment tasks of users who match
// again). No row when the profile does not exist.
MATCH (p:AccessProfile {id: $profileId})-[:ENROLLMENT_ENTITLEMENT]->(en:Entitlement)
WITH p, en, [(p)-[:CONDITION]->(c:Entitlement) | c.id] AS conditionIds
CALL {
  WITH p, en
  MATCH (p)-[:CONDITION]->(:Entitlement)<-[:OF]-(:Grant)<-[:HOLDS]-(u:User)
  WITH DISTINCT p, en, u
  WHERE NOT EXISTS { (p)-[:EXCLUDES]->(u) }
    AND NOT EXISTS { MATCH (:Grant {key: u.id + '|' + en.id}) }
    AND NOT EXISTS { MATCH (:Task {openKey: 'GRANT|' + u.id + '|' + en.id}) }
  RETURN collect(u.id) AS toEnroll
}
CALL {
  WITH p, en, conditionIds
  MATCH (en)<-[:OF]-(g:Grant)<-[:HOLDS]-(u:User)
  WITH en, g, u,
       NOT EXISTS { (p)-[:EXCLUDES]->(u) }
       AND EXISTS { MATCH (u)-[:HOLDS]->(:Grant)-[:OF]->(c:Entitlement) WHERE c.id IN conditionIds } AS matches
  WITH en, g, u, matches
  RETURN count(u) AS memberCount,
         collect(CASE WHEN g.enrolledVia = 'RULE' AND NOT matches
                       AND NOT EXISTS { MATCH (:Task {openKey: 'REVOKE|' + u.id + '|' + en.id}) }
                      THEN u.id END) AS toUnenroll
}
CALL {
  WITH p, en, conditionIds
  MATCH (en)<-[:ON_ENTITLEMENT]-(t:Task {origin: 'SYNC'})-[:FOR_USER]->(u:User)
  WHERE t.state IN ['PENDING_APPROVAL', 'PENDING_PROVISIONING']
  WITH t,
       NOT EXISTS { (p)-[:EXCLUDES]->(u) }
       AND EXISTS { MATCH (u)-[:HOLDS]->(:Grant)-[:OF]->(c:Entitlement) WHERE c.id IN conditionIds } AS matches
  RETURN collect(CASE WHEN t.kind = 'GRANT' AND NOT matches THEN t.id END) AS staleEnrollTasks,
         collect(CASE WHEN t.kind = 'REVOKE' AND matches THEN t.id END) AS staleUnenrollTasks
}
RETURN p.automationEnabled AS enabled, p.automationMode AS mode, p.pauseOnAnomalies AS pauseOnAnomalies,
       en.id AS enrollmentEntitlementId, memberCount, toEnroll, toUnenroll, staleEnrollTasks, staleUnenrollTasks
