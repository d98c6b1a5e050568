// Takes $userIds, $after, $limit; returns, per user, one page of their grants (by id) and their total.
UNWIND $userIds AS userId
MATCH (u:User {id: userId})
CALL {
  WITH u
  MATCH (u)-[:HOLDS]->(g:Grant)
  WHERE $after IS NULL OR g.id > $after
  WITH g ORDER BY g.id LIMIT $limit
  RETURN collect(g.id) AS ids
}
RETURN userId AS parentId, ids, COUNT { (u)-[:HOLDS]->(:Grant) } AS total
