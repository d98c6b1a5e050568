// Takes $ids (sorted, so that two transactions locking overlapping sets take their locks in the
// same order). Write-locks each task first (setting and removing a property: the lock stays, the
// task is left as it was, so a decision that is then refused changes nothing even when others of
// its transaction commit), then reads it: a decision made at the same moment by someone else has
// committed before this read, so it sees the task as it is now.
// Returns per known task its state, its policy steps (JSON text), its current step and
// approvers, its subject, its app (provisioning mode and owners), and who asked for, decided
// (deciderIds) and closed it (what the rules of who may see it need, read here under the lock);
// an unknown id returns no row.
UNWIND $ids AS id
MATCH (t:Task {id: id})
SET t._lock = true
REMOVE t._lock
WITH t
MATCH (t)-[:FOR_USER]->(u:User)
MATCH (t)-[:ON_ENTITLEMENT]->(e:Entitlement)
OPTIONAL MATCH (e)-[:OF_APP]->(a:App)
OPTIONAL MATCH (t)-[:REQUESTED_BY]->(by:User)
RETURN t.id AS id, t.kind AS kind, t.state AS state, t.origin AS origin, t.steps AS steps, t.currentStep AS currentStep,
       coalesce(t.awaitingAdmins, false) AS awaitingAdmins, u.id AS userId, e.id AS entitlementId, by.id AS requestedById,
       t.closedById AS closedById, [(t)-[:HAS_APPROVAL]->(:Approval)-[:BY]->(x:User) | x.id] AS deciderIds,
       [(t)-[:AWAITS]->(x:User) | x.id] AS approverIds, [(t)-[:VIA_PROFILE]->(p:AccessProfile) | p.id][0] AS profileId,
       coalesce(a.provisioning, 'AUTOMATIC') AS provisioning,
       COLLECT { MATCH (e)-[:OF_APP]->(:App)-[:OWNED_BY]->(o:User) RETURN o.id } AS ownerIds
