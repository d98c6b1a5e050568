// Takes $entries [{unitId, ordinal, at, actorUserId, actorTokenId, actorKind, action, subjectType,
// subjectId, before, after}] (before/after: JSON text): the audit entries of one write, in the
// order it recorded them; $events [{unitId, ordinal, stamp, type, taskId, runId, profileId,
// userId, payload}] (payload: JSON text; stamp: the write's high-resolution time in ms): its
// events; and $now. Records both inside that write's transaction, pending: (:AuditPending)
// without seq or hash, (:EventPending) without seq. They touch no shared node, so independent
// writes never wait for each other here; the sealer (src/audit/sealer.ts) chains the entries and
// the sequencer (src/events/sequencer.ts) gives the events their seqs, after commit. Returns how
// many of each were recorded.
CALL {
  UNWIND $entries AS entry
  CREATE (a:AuditPending)
  SET a = entry
  RETURN count(a) AS entries
}
CALL {
  UNWIND $events AS event
  CREATE (e:EventPending)
  SET e = event, e.at = $now
  RETURN count(e) AS events
}
RETURN entries, events
