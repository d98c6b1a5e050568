// Takes $after (an id or null), $limit, $search (null or a case-insensitive fragment of
// name, email or external id); returns one page of users ordered by id.
// `u.id > coalesce($after, '')` holds for every id: it lets the planner walk the id index in
// order and stop at $limit instead of reading and sorting every user.
MATCH (u:User)
WHERE u.id > coalesce($after, '')
  AND ($search IS NULL OR toLower(u.displayName) CONTAINS toLower($search) OR toLower(u.email) CONTAINS toLower($search)
       OR toLower(u.externalId) CONTAINS toLower($search))
WITH u ORDER BY u.id LIMIT $limit
OPTIONAL MATCH (u)-[:REPORTS_TO]->(m:User)
RETURN u {.id, .externalId, .email, .displayName, .status, .createdAt, role: coalesce(u.role, 'USER'), managerId: m.id} AS user
