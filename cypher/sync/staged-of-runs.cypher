// Takes $runIds; returns per run the ids of the users staged for enrollment and for unenrollment.
UNWIND $runIds AS runId
MATCH (r:SyncRun {id: runId})
RETURN r.id AS runId,
       [(r)-[:STAGED_ENROLL]->(u:User) | u.id] AS toEnroll,
       [(r)-[:STAGED_UNENROLL]->(u:User) | u.id] AS toUnenroll
