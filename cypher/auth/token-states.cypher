// Takes $tokenIds; returns each live (unrevoked) token with its user's id, role and status. A revoked or unknown token returns no row.
UNWIND $tokenIds AS tokenId
MATCH (t:ApiToken {id: tokenId})-[:ACTS_AS]->(u:User)
WHERE t.revokedAt IS NULL
RETURN t.id AS tokenId, t.scopes AS scopes, u.id AS userId, coalesce(u.role, 'USER') AS role, u.status AS status
