// Takes $runId, $toEnroll, $toUnenroll (user ids, one bounded batch). Records a paused run's staged
// changes as relationships to the users; returns how many were staged.
MATCH (r:SyncRun {id: $runId})
CALL {
  WITH r
  UNWIND $toEnroll AS userId
  MATCH (u:User {id: userId})
  MERGE (r)-[:STAGED_ENROLL]->(u)
  RETURN count(*) AS enroll
}
CALL {
  WITH r
  UNWIND $toUnenroll AS userId
  MATCH (u:User {id: userId})
  MERGE (r)-[:STAGED_UNENROLL]->(u)
  RETURN count(*) AS unenroll
}
RETURN enroll + unenroll AS staged
