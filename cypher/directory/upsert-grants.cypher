// Takes $rows [{id, userExternalId, entitlementExternalId}], $now.
// Adds the grants ingest reports as held, with the source `direct`. A grant that is already
// held (through a profile or directly) is confirmed as it is: listing it adds no source.
// Returns outcome counts and the ids of entitlements whose holders changed.
UNWIND $rows AS row
MATCH (u:User {externalId: row.userExternalId})
MATCH (e:Entitlement {externalId: row.entitlementExternalId})
OPTIONAL MATCH (u)-[:HOLDS]->(existing:Grant)-[:OF]->(e)
WITH row, u, e, existing
CALL {
  WITH row, u, e, existing
  WITH row, u, e WHERE existing IS NULL
  CREATE (u)-[:HOLDS]->(g:Grant {id: row.id, key: u.id + '|' + e.id, grantedAt: $now, direct: true})-[:OF]->(e)
}
RETURN CASE WHEN existing IS NULL THEN 'created' ELSE 'unchanged' END AS outcome,
       count(*) AS rows,
       collect(DISTINCT CASE WHEN existing IS NULL THEN e.id END) AS changedEntitlementIds
