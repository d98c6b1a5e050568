// Takes $entries [{unitId, ordinal, at, actorUserId, actorTokenId, actorKind, action, subjectType,
// subjectId, before, after}] (before/after: JSON text): the audit entries of one write, in the
// order it recorded them; its events as parallel lists, event i of this statement being the
// write's event $fromOrdinal + i: $types, $taskIds, $runIds, $profileIds, $userIds, $payloads
// (JSON text), with what they share, $unitId and $stamp (the write's high-resolution time in
// ms); and $now. Records both inside that write's transaction, pending: (:AuditPending) without
// seq or hash, (:EventPending) without seq (a null field is left unset). They touch no shared
// node, so independent writes never wait for each other here; the sealer (src/audit/sealer.ts)
// chains the entries and the sequencer (src/events/sequencer.ts) gives the events their seqs,
// after commit. Returns how many of each were recorded.
CALL {
  UNWIND $entries AS entry
  CREATE (a:AuditPending)
  SET a = entry
  RETURN count(a) AS entries
}
CALL {
  UNWIND range(0, size($types) - 1) AS i
  CREATE (e:EventPending {unitId: $unitId, ordinal: $fromOrdinal + i, stamp: $stamp, at: $now, type: $types[i]})
  SET e.taskId = $taskIds[i], e.runId = $runIds[i], e.profileId = $profileIds[i], e.userId = $userIds[i], e.payload = $payloads[i]
  RETURN count(e) AS events
}
RETURN entries, events
