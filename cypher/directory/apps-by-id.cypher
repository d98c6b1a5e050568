// Takes $ids; returns the apps found with their owners' ids.
UNWIND $ids AS id
MATCH (a:App {id: id})
RETURN a {.id, .externalId, .name, .provisioning, ownerIds: [(a)-[:OWNED_BY]->(o:User) | o.id]} AS app
