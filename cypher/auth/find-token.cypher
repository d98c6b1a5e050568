// Takes $hash (sha256 of a bearer token); returns the live token with its user's id and role.
MATCH (t:ApiToken {hash: $hash})-[:ACTS_AS]->(u:User)
WHERE t.revokedAt IS NULL
RETURN t.id AS tokenId, t.scopes AS scopes, u.id AS userId, coalesce(u.role, 'USER') AS role, u.status AS status
