// Takes $profileId, $userIds. Rechecks staged or batched unenrollments against the graph as it is
// now; returns the ids of those users who are still RULE members and no longer match the
// condition (or are excluded). The membership and the holding of a condition entitlement are
// looked up by grant key (userId|entitlementId, unique), an index seek each, built from the id as
// given; the exclusion check runs only when the profile has exclusions (its degree). An open
// unenrollment task is not checked here: creating the task (tasks/create-tasks) finds it by its
// open key and creates none.
MATCH (p:AccessProfile {id: $profileId})-[:ENROLLMENT_ENTITLEMENT]->(en:Entitlement)
WITH p, '|' + en.id AS suffix, [(p)-[:CONDITION]->(c:Entitlement) | '|' + c.id] AS conditionSuffixes, COUNT { (p)-[:EXCLUDES]->() } AS exclusions
UNWIND $userIds AS userId
MATCH (g:Grant {key: userId + suffix})
WHERE g.enrolledVia = 'RULE'
  AND NOT ((exclusions = 0 OR NOT EXISTS { MATCH (p)-[:EXCLUDES]->(:User {id: userId}) })
           AND any(c IN conditionSuffixes WHERE EXISTS { MATCH (:Grant {key: userId + c}) }))
RETURN collect(userId) AS userIds
