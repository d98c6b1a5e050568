// Takes $taskIds; returns, per task, its recorded decisions in the order they were made (the
// reviewer's id, null for a decision of the bootstrap admin credential).
UNWIND $taskIds AS taskId
OPTIONAL MATCH (:Task {id: taskId})-[:HAS_APPROVAL]->(a:Approval)
OPTIONAL MATCH (a)-[:BY]->(u:User)
WITH taskId, a, u ORDER BY a.at, a.step
RETURN taskId, collect(CASE WHEN a IS NULL THEN null ELSE a {.approved, .comment, .at, .step, approverId: u.id, byAdminToken: coalesce(a.byAdminToken, false)} END) AS approvals
