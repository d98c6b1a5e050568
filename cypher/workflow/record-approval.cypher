// Takes $taskId, $id, $byId (null: the bootstrap admin credential), $approved, $comment, $step,
// $now. Records one decision on a task: (t)-[:HAS_APPROVAL]->(:Approval {approved, comment, at,
// step, byAdminToken})-[:BY]->(reviewer), without the BY when the bootstrap credential decided.
MATCH (t:Task {id: $taskId})
OPTIONAL MATCH (by:User {id: $byId})
CREATE (t)-[:HAS_APPROVAL]->(a:Approval {id: $id, approved: $approved, comment: $comment, at: $now, step: $step, byAdminToken: $byId IS NULL})
FOREACH (reviewer IN CASE WHEN by IS NULL THEN [] ELSE [by] END | CREATE (a)-[:BY]->(reviewer))
SET t.updatedAt = $now
RETURN a.id AS id
