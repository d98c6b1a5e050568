// Takes $ids, $reason, $now; cancels those tasks that are still open (pending approval or
// provisioning) and frees their open key. Returns the ids actually cancelled.
UNWIND $ids AS id
MATCH (t:Task {id: id})
WHERE t.state IN ['PENDING_APPROVAL', 'PENDING_PROVISIONING']
SET t.state = 'CANCELLED', t.updatedAt = $now, t.closedAt = $now, t.closeReason = $reason
REMOVE t.openKey
RETURN collect(t.id) AS cancelled
