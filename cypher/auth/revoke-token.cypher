// Takes $id, $now; marks the token revoked (first revocation wins) and returns it.
MATCH (t:ApiToken {id: $id})-[:ACTS_AS]->(u:User)
SET t.revokedAt = coalesce(t.revokedAt, $now)
RETURN t {.id, .name, .scopes, .createdAt, .revokedAt, userId: u.id} AS token
