// Takes $profileId, $userIds. Rechecks staged or batched enrollments against the graph as it is
// now; returns the ids of those users who still match the condition, are not excluded and are not
// members. Holding is looked up by grant key (userId|entitlementId, unique), an index seek per
// condition entitlement rather than an expansion of all the user's grants, built from the id as
// given: the user's node is read only for the exclusion check, which runs only when the profile has
// exclusions (its degree). An open enrollment task is not checked here: creating the task
// (tasks/create-tasks) finds it by its open key and creates none, and a user who no longer exists
// gets none either.
MATCH (p:AccessProfile {id: $profileId})-[:ENROLLMENT_ENTITLEMENT]->(en:Entitlement)
WITH p, '|' + en.id AS suffix, [(p)-[:CONDITION]->(c:Entitlement) | '|' + c.id] AS conditionSuffixes, COUNT { (p)-[:EXCLUDES]->() } AS exclusions
UNWIND $userIds AS userId
WITH p, suffix, conditionSuffixes, exclusions, userId
WHERE any(c IN conditionSuffixes WHERE EXISTS { MATCH (:Grant {key: userId + c}) })
  AND NOT EXISTS { MATCH (:Grant {key: userId + suffix}) }
  AND (exclusions = 0 OR NOT EXISTS { MATCH (p)-[:EXCLUDES]->(:User {id: userId}) })
RETURN collect(userId) AS userIds
