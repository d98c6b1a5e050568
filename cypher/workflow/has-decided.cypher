// Takes $taskId, $userId; returns whether that user already recorded a decision on the task.
RETURN EXISTS { (:Task {id: $taskId})-[:HAS_APPROVAL]->(:Approval)-[:BY]->(:User {id: $userId}) } AS decided
