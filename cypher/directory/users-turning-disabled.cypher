// Takes $externalIds (rows of an ingest that say DISABLED); returns the ids of those users who exist and are not disabled yet.
UNWIND $externalIds AS externalId
MATCH (u:User {externalId: externalId})
WHERE coalesce(u.status, 'ACTIVE') <> 'DISABLED'
RETURN collect(u.id) AS ids
