// Returns every policy, by name.
MATCH (p:Policy)
RETURN p {.id, .name, .steps} AS policy
ORDER BY p.name, p.id
