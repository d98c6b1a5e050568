// Takes $ids, $reason, $byId, $now; cancels those tasks that are still open (pending approval or
// provisioning): no one awaits them any more and their open key is freed.
// Returns the tasks actually cancelled: id, subject and profile ids.
// The task is write-locked before its state is read, so a transition that a concurrent transaction
// committed meanwhile is seen and not overwritten.
UNWIND $ids AS id
MATCH (t:Task {id: id})
SET t._lock = true
REMOVE t._lock
WITH t WHERE t.state IN ['PENDING_APPROVAL', 'PENDING_PROVISIONING']
MATCH (t)-[:FOR_USER]->(u:User)
CALL {
  WITH t
  MATCH (t)-[old:AWAITS]->(:User)
  DELETE old
}
SET t.state = 'CANCELLED', t.updatedAt = $now, t.closedAt = $now, t.closeReason = $reason, t.closedById = $byId,
    t.currentStep = null, t.awaitingAdmins = false
REMOVE t.openKey, t.openOn
RETURN t.id AS id, u.id AS userId, [(t)-[:VIA_PROFILE]->(p:AccessProfile) | p.id][0] AS profileId
