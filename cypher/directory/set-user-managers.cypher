// Takes $rows [{externalId, managerExternalId}]; points each user at its manager (or none),
// touching only users whose manager differs.
UNWIND $rows AS row
MATCH (u:User {externalId: row.externalId})
OPTIONAL MATCH (u)-[old:REPORTS_TO]->(current:User)
WITH row, u, old, current
WHERE coalesce(current.externalId, '') <> coalesce(row.managerExternalId, '')
DELETE old
WITH row, u
WHERE row.managerExternalId IS NOT NULL
MATCH (manager:User {externalId: row.managerExternalId})
MERGE (u)-[:REPORTS_TO]->(manager)
