// Takes $taskIds; returns, per task, its recorded decisions in the order they were made.
UNWIND $taskIds AS taskId
OPTIONAL MATCH (:Task {id: taskId})-[:HAS_APPROVAL]->(a:Approval)-[:BY]->(u:User)
WITH taskId, a, u ORDER BY a.at, a.step
RETURN taskId, collect(CASE WHEN a IS NULL THEN null ELSE a {.approved, .comment, .at, .step, approverId: u.id} END) AS approvals
