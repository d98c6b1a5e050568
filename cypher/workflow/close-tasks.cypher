// Takes $ids, $from (the state they must be in), $to (DENIED or FAILED), $reason, $byId, $now.
// Closes those tasks still in $from: no one awaits them any more and their open key is freed.
// Returns the ids closed, with subject and profile ids.
// The task is write-locked before its state is read, so a transition that a concurrent transaction
// committed meanwhile is seen and not overwritten.
UNWIND $ids AS id
MATCH (t:Task {id: id})
SET t._lock = true
REMOVE t._lock
WITH t WHERE t.state = $from
MATCH (t)-[:FOR_USER]->(u:User)
CALL {
  WITH t
  MATCH (t)-[old:AWAITS]->(:User)
  DELETE old
}
SET t.state = $to, t.updatedAt = $now, t.closedAt = $now, t.closeReason = $reason, t.closedById = $byId,
    t.currentStep = null, t.awaitingAdmins = false
REMOVE t.openKey, t.openOn
RETURN t.id AS id, u.id AS userId, [(t)-[:VIA_PROFILE]->(p:AccessProfile) | p.id][0] AS profileId
