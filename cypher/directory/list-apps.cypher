// Takes $after, $limit; returns one page of apps ordered by id (walking the id index: see
// directory/list-users).
MATCH (a:App)
WHERE a.id > coalesce($after, '')
WITH a ORDER BY a.id LIMIT $limit
RETURN a {.id, .externalId, .name, .provisioning, ownerIds: [(a)-[:OWNED_BY]->(o:User) | o.id]} AS app
