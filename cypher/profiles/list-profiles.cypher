// Takes $after, $limit; returns one page of profile ids ordered by id (walking the id index: see
// directory/list-users).
MATCH (p:AccessProfile)
WHERE p.id > coalesce($after, '')
RETURN p.id AS id ORDER BY p.id LIMIT $limit
