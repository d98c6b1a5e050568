// Takes $profileId, $userIds. Rechecks staged or batched unenrollments against the graph as it is
// now; returns the ids of those users who are still RULE members, no longer match the condition
// (or are excluded) and have no open unenrollment task. Holding a condition entitlement is looked
// up by grant key (userId|entitlementId, unique), an index seek per condition entitlement; the
// exclusion check runs only when the profile has exclusions (its degree).
MATCH (p:AccessProfile {id: $profileId})-[:ENROLLMENT_ENTITLEMENT]->(en:Entitlement)
WITH p, en, [(p)-[:CONDITION]->(c:Entitlement) | c.id] AS conditionIds, COUNT { (p)-[:EXCLUDES]->() } AS exclusions
UNWIND $userIds AS userId
MATCH (u:User {id: userId})-[:HOLDS]->(g:Grant {enrolledVia: 'RULE'})-[:OF]->(en)
WHERE NOT ((exclusions = 0 OR NOT EXISTS { (p)-[:EXCLUDES]->(u) })
           AND any(c IN conditionIds WHERE EXISTS { MATCH (:Grant {key: u.id + '|' + c}) }))
  AND NOT EXISTS { MATCH (:Task {openKey: 'REVOKE|' + u.id + '|' + en.id}) }
RETURN collect(u.id) AS userIds
