// Takes $profileId, $userIds. Rechecks staged or batched enrollments against the graph as it is
// now; returns the ids of those users who still match the condition, are not excluded, are not
// members and have no open enrollment task. Holding is looked up by grant key (userId|entitlementId,
// unique), an index seek per condition entitlement rather than an expansion of all the user's
// grants; the exclusion check runs only when the profile has exclusions (its degree).
MATCH (p:AccessProfile {id: $profileId})-[:ENROLLMENT_ENTITLEMENT]->(en:Entitlement)
WITH p, en, [(p)-[:CONDITION]->(c:Entitlement) | c.id] AS conditionIds, COUNT { (p)-[:EXCLUDES]->() } AS exclusions
UNWIND $userIds AS userId
MATCH (u:User {id: userId})
WHERE (exclusions = 0 OR NOT EXISTS { (p)-[:EXCLUDES]->(u) })
  AND any(c IN conditionIds WHERE EXISTS { MATCH (:Grant {key: u.id + '|' + c}) })
  AND NOT EXISTS { MATCH (:Grant {key: u.id + '|' + en.id}) }
  AND NOT EXISTS { MATCH (:Task {openKey: 'GRANT|' + u.id + '|' + en.id}) }
RETURN collect(u.id) AS userIds
