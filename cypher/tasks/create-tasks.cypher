// Takes $groups [{kind, origin, entitlementId, profileId, enrollVia, syncRunId, steps, policyId,
// approved, approverType, approverUserIds}]: what the requests of a group share (steps: the
// policy's JSON text, resolved per group of requests by workflow/policies-of-requests; policyId may
// be null; approved: the policy has no steps and the system provisions the entitlement, so the
// task is created approved, PENDING_PROVISIONING, as approve-tasks would leave it; approverType,
// approverUserIds: the policy's step 0, null when it has no steps), $rows [{id, userId, g,
// parentId, requestedById, reason}] (g: the row's group, by index; the last three are left out
// when null: a sync batch's row is its id, its user and its group, so that the driver encodes
// little per row), and $now. Creates each task as PENDING_APPROVAL at step 0 (or approved) with its
// policy's steps, and openOn (its entitlement, kept while it is open, as openKey is: the index the
// open tasks of an entitlement are found by), unless an open task with the same openKey
// (kind|user|entitlement) exists: then
// that one is returned instead, so repeating a request, or two racing requests, never makes a
// duplicate. A found task is write-locked before its open key is read again: a task that a
// concurrent transaction closed (cancelled, denied, done) while this one waited has lost its open
// key, and the task is made anew rather than the closed one returned. Only found tasks take that
// lock and recheck; a task created now is already locked by its creation. A task was created now
// when it carries this row's id (set on creation; ids are new), so a second row of the same open
// key in one batch gets the first row's task, as found. A task created with steps enters its first
// step here, as workflow/enter-steps would put it: its approvers are the subject's manager
// (MANAGER), the owners of the entitlement's app (APP_OWNERS) or the named users (USERS), never the
// subject themself nor a disabled user, and nobody means the admins (awaitingAdmins). Returns per
// row the task id, whether it was created now, and for a task created at a step its approvers' ids
// and awaitingAdmins (else null).
CALL {
  // What the rows of each group link to, looked up once per group, not once per row.
  UNWIND range(0, size($groups) - 1) AS gi
  WITH gi, $groups[gi] AS g
  OPTIONAL MATCH (e:Entitlement {id: g.entitlementId})
  OPTIONAL MATCH (x:AccessProfile {id: g.profileId})
  OPTIONAL MATCH (run:SyncRun {id: g.syncRunId})
  WITH gi, {e: e, profile: x, run: run} AS linked ORDER BY gi
  RETURN collect(linked) AS linked
}
UNWIND $rows AS r
WITH linked[r.g] AS shared, r, $groups[r.g] AS g
WITH shared, r {.*, kind: g.kind, origin: g.origin, entitlementId: g.entitlementId, profileId: g.profileId, enrollVia: g.enrollVia,
           syncRunId: g.syncRunId, steps: g.steps, policyId: g.policyId, approved: g.approved, approverType: g.approverType,
           approverUserIds: g.approverUserIds, openKey: g.kind + '|' + r.userId + '|' + g.entitlementId} AS row
WITH shared, row, shared.e AS e WHERE e IS NOT NULL
MATCH (u:User {id: row.userId})
MERGE (found:Task {openKey: row.openKey})
  ON CREATE SET found.id = row.id
WITH shared, row, u, e, found
CALL {
  WITH row, found
  WITH found WHERE found.id = row.id
  RETURN found AS t
  UNION
  WITH row, found
  WITH row, found WHERE NOT coalesce(found.id = row.id, false)
  SET found._lock = true
  REMOVE found._lock
  WITH row, found
  CALL {
    WITH row, found
    WITH found WHERE found.openKey = row.openKey
    RETURN found AS t
    UNION
    WITH row, found
    WITH row WHERE found.openKey IS NULL OR found.openKey <> row.openKey
    MERGE (t:Task {openKey: row.openKey})
      ON CREATE SET t.id = row.id
    RETURN t
  }
  RETURN t
}
WITH shared, row, t, u, e, coalesce(t.id = row.id, false) AS created
CALL {
  WITH shared, row, t, u, e, created
  WITH shared, row, t, u, e WHERE created
  SET t.kind = row.kind, t.origin = row.origin,
      t.reason = row.reason, t.enrollVia = row.enrollVia,
      t.steps = row.steps, t.policyId = row.policyId, t.createdAt = $now, t.updatedAt = $now,
      t.openOn = row.entitlementId
  SET t += CASE WHEN row.approved THEN {state: 'PENDING_PROVISIONING', awaitingAdmins: false, approvedAt: $now}
                ELSE {state: 'PENDING_APPROVAL', currentStep: 0} END
  CREATE (t)-[:FOR_USER]->(u)
  CREATE (t)-[:ON_ENTITLEMENT]->(e)
  WITH shared, row, t
  CALL {
    WITH shared, t
    WITH t, shared.profile AS x WHERE x IS NOT NULL
    CREATE (t)-[:VIA_PROFILE]->(x)
  }
  CALL {
    WITH row, t
    WITH row, t WHERE row.parentId IS NOT NULL
    MATCH (x:Task {id: row.parentId})
    CREATE (t)-[:CHILD_OF]->(x)
  }
  CALL {
    WITH row, t
    WITH row, t WHERE row.requestedById IS NOT NULL
    MATCH (x:User {id: row.requestedById})
    CREATE (t)-[:REQUESTED_BY]->(x)
  }
  CALL {
    WITH shared, t
    WITH t, shared.run AS x WHERE x IS NOT NULL
    CREATE (t)-[:CREATED_BY_RUN]->(x)
  }
}
WITH row, t, u, e, created
CALL {
  WITH row, t, u, e, created
  WITH row, t, u, e WHERE created AND row.approverType IS NOT NULL
  WITH t, u, CASE row.approverType
       WHEN 'MANAGER' THEN COLLECT { MATCH (u)-[:REPORTS_TO]->(m:User) RETURN m }
       WHEN 'APP_OWNERS' THEN COLLECT { MATCH (e)-[:OF_APP]->(:App)-[:OWNED_BY]->(o:User) RETURN o }
       ELSE COLLECT { MATCH (x:User) WHERE x.id IN row.approverUserIds RETURN x }
     END AS candidates
  WITH t, [a IN candidates WHERE a <> u AND coalesce(a.status, 'ACTIVE') = 'ACTIVE'] AS approvers
  SET t.awaitingAdmins = size(approvers) = 0
  FOREACH (a IN approvers | MERGE (t)-[:AWAITS]->(a))
  RETURN [a IN approvers | a.id] AS approverIds, t.awaitingAdmins AS awaitingAdmins
  UNION
  WITH row, created
  WITH row, created WHERE NOT created OR row.approverType IS NULL
  RETURN null AS approverIds, null AS awaitingAdmins
}
RETURN t.id AS id, created, approverIds, awaitingAdmins
