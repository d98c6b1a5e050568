// Takes $rows [{id, userExternalId, entitlementExternalId}], $now.
// Adds the grants ingest reports as held, with the source `direct`. A grant that is already
// held (through a profile or directly) is confirmed as it is: listing it adds no source.
// Returns outcome counts and the ids of entitlements whose holders changed.
UNWIND $rows AS row
MATCH (u:User {externalId: row.userExternalId})
MATCH (e:Entitlement {externalId: row.entitlementExternalId})
// MERGE on the unique key: two ingests adding the same grant at once queue on its lock instead
// of both creating it (the second would fail on the constraint).
MERGE (g:Grant {key: u.id + '|' + e.id})
  ON CREATE SET g.id = row.id, g.grantedAt = $now, g.direct = true
WITH row, u, e, g, g.id = row.id AS created
CALL {
  WITH u, e, g, created
  WITH u, e, g WHERE created
  CREATE (u)-[:HOLDS]->(g)-[:OF]->(e)
}
RETURN CASE WHEN created THEN 'created' ELSE 'unchanged' END AS outcome,
       count(*) AS rows,
       collect(DISTINCT CASE WHEN created THEN e.id END) AS changedEntitlementIds
