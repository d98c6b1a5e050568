// Takes $profileId, $userIds. Rechecks staged or batched unenrollments against the graph as it is
// now; returns the ids of those users who are still RULE members, no longer match the condition
// (or are excluded) and have no open unenrollment task.
MATCH (p:AccessProfile {id: $profileId})-[:ENROLLMENT_ENTITLEMENT]->(en:Entitlement)
WITH p, en, [(p)-[:CONDITION]->(c:Entitlement) | c.id] AS conditionIds
UNWIND $userIds AS userId
MATCH (u:User {id: userId})-[:HOLDS]->(g:Grant {enrolledVia: 'RULE'})-[:OF]->(en)
WHERE NOT (NOT EXISTS { (p)-[:EXCLUDES]->(u) }
           AND EXISTS { MATCH (u)-[:HOLDS]->(:Grant)-[:OF]->(c:Entitlement) WHERE c.id IN conditionIds })
  AND NOT EXISTS { MATCH (:Task {openKey: 'REVOKE|' + u.id + '|' + en.id}) }
RETURN collect(u.id) AS userIds
