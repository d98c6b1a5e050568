// Takes $rows [{id, externalId, name, provisioning, ownerExternalIds}], $now.
// Creates or updates apps by externalId, replacing their owners with the row's list;
// returns outcome counts judged before the write.
UNWIND $rows AS row
OPTIONAL MATCH (existing:App {externalId: row.externalId})
WITH row, existing, [(existing)-[:OWNED_BY]->(o:User) | o.externalId] AS currentOwners
WITH row, existing,
     CASE
       WHEN existing IS NULL THEN 'created'
       WHEN existing.name = row.name AND existing.provisioning = row.provisioning
            AND size(currentOwners) = size(row.ownerExternalIds)
            AND all(x IN row.ownerExternalIds WHERE x IN currentOwners) THEN 'unchanged'
       ELSE 'updated'
     END AS outcome
MERGE (a:App {externalId: row.externalId})
  ON CREATE SET a.id = row.id, a.createdAt = $now
WITH row, a, outcome
CALL {
  WITH row, a, outcome
  WITH row, a WHERE outcome <> 'unchanged'
  SET a.name = row.name, a.provisioning = row.provisioning, a.updatedAt = $now
  WITH row, a
  OPTIONAL MATCH (a)-[old:OWNED_BY]->(:User)
  DELETE old
  WITH DISTINCT row, a
  UNWIND row.ownerExternalIds AS ownerExternalId
  MATCH (owner:User {externalId: ownerExternalId})
  MERGE (a)-[:OWNED_BY]->(owner)
}
RETURN outcome, count(*) AS rows
