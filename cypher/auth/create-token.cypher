// Takes $userId, $id, $name, $hash, $scopes, $now; returns the new token or nothing if the user is unknown.
MATCH (u:User {id: $userId})
CREATE (t:ApiToken {id: $id, name: $name, hash: $hash, scopes: $scopes, createdAt: $now})-[:ACTS_AS]->(u)
RETURN t {.id, .name, .scopes, .createdAt, .revokedAt, userId: u.id} AS token
