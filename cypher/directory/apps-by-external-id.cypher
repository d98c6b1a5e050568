// Takes $externalIds; returns the apps found with their owners' ids.
UNWIND $externalIds AS externalId
MATCH (a:App {externalId: externalId})
RETURN a {.id, .externalId, .name, .provisioning, ownerIds: [(a)-[:OWNED_BY]->(o:User) | o.id]} AS app
