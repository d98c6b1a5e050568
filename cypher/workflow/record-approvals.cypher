// Takes $rows [{taskId, id, byId (null: the bootstrap admin credential), approved, comment,
// step}], $now. Records one decision per row on its task: (t)-[:HAS_APPROVAL]->(:Approval
// {approved, comment, at, step, byAdminToken})-[:BY]->(reviewer), without the BY when the
// bootstrap credential decided. Returns the approvals' ids.
UNWIND $rows AS r
MATCH (t:Task {id: r.taskId})
OPTIONAL MATCH (by:User {id: r.byId})
CREATE (t)-[:HAS_APPROVAL]->(a:Approval {id: r.id, approved: r.approved, comment: r.comment, at: $now, step: r.step, byAdminToken: r.byId IS NULL})
FOREACH (reviewer IN CASE WHEN by IS NULL THEN [] ELSE [by] END | CREATE (a)-[:BY]->(reviewer))
SET t.updatedAt = $now
RETURN a.id AS id
