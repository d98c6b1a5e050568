// Takes $keys [{profileId, userId}]; returns, for each pair with a reviewer's standing decision,
// its kind (ENROLLMENT_DENIED or KEPT_BY_DECISION), the deciding task's id and when it was made.
UNWIND $keys AS key
MATCH (:User {id: key.userId})-[d:ENROLLMENT_DENIED|KEPT_BY_DECISION]->(:AccessProfile {id: key.profileId})
RETURN key.profileId AS profileId, key.userId AS userId, type(d) AS kind, d.taskId AS taskId, d.at AS at
