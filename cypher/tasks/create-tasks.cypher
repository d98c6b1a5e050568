// Takes $rows [{id, openKey, kind, origin, userId, entitlementId, profileId, parentId, requestedById,
// reason, enrollVia, syncRunId}], $now. Creates each task as PENDING_APPROVAL unless an open task
// with the same openKey (kind|user|entitlement) exists: then that one is returned instead, so
// repeating a request, or two racing requests, never makes a duplicate. The found task is
// write-locked before its open key is read again: a task that a concurrent transaction closed
// (cancelled, denied, done) while this one waited has lost its open key, and the task is made anew
// rather than the closed one returned. Returns per row the task id and whether it was created now.
UNWIND $rows AS row
MATCH (u:User {id: row.userId})
MATCH (e:Entitlement {id: row.entitlementId})
MERGE (found:Task {openKey: row.openKey})
  ON CREATE SET found.isNew = true
SET found._lock = true
REMOVE found._lock
WITH row, u, e, found
CALL {
  WITH row, found
  WITH found WHERE found.openKey = row.openKey
  RETURN found AS t
  UNION
  WITH row, found
  WITH row WHERE found.openKey IS NULL OR found.openKey <> row.openKey
  MERGE (t:Task {openKey: row.openKey})
    ON CREATE SET t.isNew = true
  RETURN t
}
WITH row, t, u, e, coalesce(t.isNew, false) AS created
REMOVE t.isNew
WITH row, t, u, e, created
CALL {
  WITH row, t, u, e, created
  WITH row, t, u, e WHERE created
  SET t.id = row.id, t.kind = row.kind, t.state = 'PENDING_APPROVAL', t.origin = row.origin,
      t.reason = row.reason, t.enrollVia = row.enrollVia, t.currentStep = 0,
      t.createdAt = $now, t.updatedAt = $now
  CREATE (t)-[:FOR_USER]->(u)
  CREATE (t)-[:ON_ENTITLEMENT]->(e)
  WITH row, t
  OPTIONAL MATCH (p:AccessProfile {id: row.profileId})
  OPTIONAL MATCH (parent:Task {id: row.parentId})
  OPTIONAL MATCH (by:User {id: row.requestedById})
  OPTIONAL MATCH (run:SyncRun {id: row.syncRunId})
  FOREACH (x IN CASE WHEN p IS NULL THEN [] ELSE [p] END | CREATE (t)-[:VIA_PROFILE]->(x))
  FOREACH (x IN CASE WHEN parent IS NULL THEN [] ELSE [parent] END | CREATE (t)-[:CHILD_OF]->(x))
  FOREACH (x IN CASE WHEN by IS NULL THEN [] ELSE [by] END | CREATE (t)-[:REQUESTED_BY]->(x))
  FOREACH (x IN CASE WHEN run IS NULL THEN [] ELSE [run] END | CREATE (t)-[:CREATED_BY_RUN]->(x))
}
RETURN t.id AS id, created
