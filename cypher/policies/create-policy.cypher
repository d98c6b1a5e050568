// Takes $id, $name, $steps (JSON text of [{approverType, userIds}]), $now; returns the policy.
CREATE (p:Policy {id: $id, name: $name, steps: $steps, createdAt: $now})
RETURN p {.id, .name, .steps} AS policy
