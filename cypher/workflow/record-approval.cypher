// Takes $taskId, $id, $byId, $approved, $comment, $step, $now. Records one reviewer's decision on
// a task: (t)-[:HAS_APPROVAL]->(:Approval {approved, comment, at, step})-[:BY]->(reviewer).
MATCH (t:Task {id: $taskId})
MATCH (by:User {id: $byId})
CREATE (t)-[:HAS_APPROVAL]->(a:Approval {id: $id, approved: $approved, comment: $comment, at: $now, step: $step})-[:BY]->(by)
SET t.updatedAt = $now
RETURN a.id AS id
