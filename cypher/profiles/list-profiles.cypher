// Takes $after, $limit; returns one page of profile ids ordered by id.
MATCH (p:AccessProfile)
WHERE $after IS NULL OR p.id > $after
RETURN p.id AS id ORDER BY p.id LIMIT $limit
