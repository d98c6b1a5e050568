// Takes $after, $limit; returns one page of apps ordered by id, and the total.
MATCH (a:App)
WHERE $after IS NULL OR a.id > $after
WITH a ORDER BY a.id LIMIT $limit
RETURN a {.id, .externalId, .name, .provisioning, ownerIds: [(a)-[:OWNED_BY]->(o:User) | o.id]} AS app
