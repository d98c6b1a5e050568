// Takes $taskId, $now. When the task is a rule's (origin SYNC) enrollment or unenrollment of a
// profile that a reviewer just DENIED, records the decision between the user and the profile:
// ENROLLMENT_DENIED (the rule does not ask again while the user still matches) or
// KEPT_BY_DECISION (the member stays until they match again and then stop matching again); the
// sync clears them when that happens (cypher/sync/clear-stale-decisions). Returns the task's kind,
// no row for any other task.
MATCH (t:Task {id: $taskId, origin: 'SYNC', state: 'DENIED'})-[:FOR_USER]->(u:User)
MATCH (t)-[:ON_ENTITLEMENT]->(:Entitlement)<-[:ENROLLMENT_ENTITLEMENT]-(p:AccessProfile)
FOREACH (_ IN CASE WHEN t.kind = 'GRANT' THEN [1] ELSE [] END |
  MERGE (u)-[d:ENROLLMENT_DENIED]->(p) SET d.taskId = t.id, d.at = $now)
FOREACH (_ IN CASE WHEN t.kind = 'REVOKE' THEN [1] ELSE [] END |
  MERGE (u)-[k:KEPT_BY_DECISION]->(p) SET k.taskId = t.id, k.at = $now)
RETURN t.kind AS kind
