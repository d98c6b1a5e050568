// Takes $ids, $now. Marks approved tasks PENDING_PROVISIONING (they no longer await anyone's
// decision). Returns per task id, kind, subject and profile ids, whether the system provisions it
// (no app, as for a profile's own entitlements, or an AUTOMATIC app) and the app's owners (the
// provisioners of a MANUAL app).
// The task is write-locked before its state is read, so a transition that a concurrent transaction
// committed meanwhile is seen and not overwritten.
UNWIND $ids AS id
MATCH (t:Task {id: id})
SET t._lock = true
REMOVE t._lock
WITH t WHERE t.state = 'PENDING_APPROVAL'
MATCH (t)-[:FOR_USER]->(u:User)
MATCH (t)-[:ON_ENTITLEMENT]->(e:Entitlement)
CALL {
  WITH t
  MATCH (t)-[old:AWAITS]->(:User)
  DELETE old
}
OPTIONAL MATCH (e)-[:OF_APP]->(a:App)
SET t.state = 'PENDING_PROVISIONING', t.currentStep = null, t.awaitingAdmins = false, t.approvedAt = $now, t.updatedAt = $now
RETURN t.id AS id, t.kind AS kind, u.id AS userId, [(t)-[:VIA_PROFILE]->(p:AccessProfile) | p.id][0] AS profileId,
       coalesce(a.provisioning, 'AUTOMATIC') = 'AUTOMATIC' AS automatic,
       COLLECT { MATCH (e)-[:OF_APP]->(:App)-[:OWNED_BY]->(o:User) RETURN o.id } AS provisionerIds
