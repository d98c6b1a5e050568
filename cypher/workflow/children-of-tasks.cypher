// Takes $taskIds; returns, per task, the ids of its child tasks (the cascade it started), by id.
UNWIND $taskIds AS taskId
OPTIONAL MATCH (:Task {id: taskId})<-[:CHILD_OF]-(c:Task)
WITH taskId, c ORDER BY c.id
RETURN taskId AS parentId, collect(c.id) AS ids
