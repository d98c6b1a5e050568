// Takes $rows [{id, externalId, appExternalId, name, requestPolicyId, revokePolicyId}], $now.
// Creates or updates STANDARD entitlements by externalId under their app, with their policies;
// returns outcome counts judged before the write.
UNWIND $rows AS row
OPTIONAL MATCH (existing:Entitlement {externalId: row.externalId})
OPTIONAL MATCH (existing)-[:OF_APP]->(currentApp:App)
OPTIONAL MATCH (existing)-[:REQUEST_POLICY]->(currentRequest:Policy)
OPTIONAL MATCH (existing)-[:REVOKE_POLICY]->(currentRevoke:Policy)
WITH row, existing,
     CASE
       WHEN existing IS NULL THEN 'created'
       WHEN existing.name = row.name AND currentApp.externalId = row.appExternalId
            AND coalesce(currentRequest.id, '') = coalesce(row.requestPolicyId, '')
            AND coalesce(currentRevoke.id, '') = coalesce(row.revokePolicyId, '') THEN 'unchanged'
       ELSE 'updated'
     END AS outcome
MATCH (app:App {externalId: row.appExternalId})
MERGE (e:Entitlement {externalId: row.externalId})
  ON CREATE SET e.id = row.id, e.kind = 'STANDARD', e.createdAt = $now
WITH row, e, app, outcome
CALL {
  WITH row, e, app, outcome
  WITH row, e, app WHERE outcome <> 'unchanged'
  SET e.name = row.name, e.updatedAt = $now
  WITH row, e, app
  OPTIONAL MATCH (e)-[old:OF_APP|REQUEST_POLICY|REVOKE_POLICY]->()
  DELETE old
  WITH DISTINCT row, e, app
  MERGE (e)-[:OF_APP]->(app)
  WITH row, e
  OPTIONAL MATCH (request:Policy {id: row.requestPolicyId})
  OPTIONAL MATCH (revoke:Policy {id: row.revokePolicyId})
  FOREACH (p IN CASE WHEN request IS NULL THEN [] ELSE [request] END | MERGE (e)-[:REQUEST_POLICY]->(p))
  FOREACH (p IN CASE WHEN revoke IS NULL THEN [] ELSE [revoke] END | MERGE (e)-[:REVOKE_POLICY]->(p))
}
RETURN outcome, count(*) AS rows
