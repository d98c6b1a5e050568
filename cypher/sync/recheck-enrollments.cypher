// Takes $profileId, $userIds. Rechecks staged or batched enrollments against the graph as it is
// now; returns the ids of those users who still match the condition, are not excluded, are not
// members and have no open enrollment task.
MATCH (p:AccessProfile {id: $profileId})-[:ENROLLMENT_ENTITLEMENT]->(en:Entitlement)
WITH p, en, [(p)-[:CONDITION]->(c:Entitlement) | c.id] AS conditionIds
UNWIND $userIds AS userId
MATCH (u:User {id: userId})
WHERE NOT EXISTS { (p)-[:EXCLUDES]->(u) }
  AND EXISTS { MATCH (u)-[:HOLDS]->(:Grant)-[:OF]->(c:Entitlement) WHERE c.id IN conditionIds }
  AND NOT EXISTS { MATCH (:Grant {key: u.id + '|' + en.id}) }
  AND NOT EXISTS { MATCH (:Task {openKey: 'GRANT|' + u.id + '|' + en.id}) }
RETURN collect(u.id) AS userIds
