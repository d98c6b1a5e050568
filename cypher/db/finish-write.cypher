// The last statement of every write, inside its transaction: what the write records beside its
// own statements (src/finish-write.ts). Takes $entries [{unitId, ordinal, at, actorUserId,
// actorTokenId, actorKind, action, subjectType, subjectId, before, after}] (before/after: JSON
// text): the audit entries of one write, in the order it recorded them; its events as parallel
// lists, event i of this statement being the write's event $fromOrdinal + i: $types, $taskIds,
// $runIds, $profileIds, $userIds, $payloads (JSON text), with what they share, $unitId and
// $stamp (the write's high-resolution time in ms); $now; and the "needs sync" marks (src/sync/
// marks.ts): $conditionsChanged (entitlements whose holders the write changed) and $profilesToSync
// (profiles whose exclusions, automation or items it changed).
// The entries and events are recorded pending: (:AuditPending) without seq or hash, and the
// events as one (:EventPending) node that holds them as its lists, without seqs (a property list
// holds no null, so an unset field is ''; the sequencer makes each event its own (:Event) node).
// They touch no shared node, so independent writes never wait for each other there; the sealer (src/audit/sealer.ts) chains the
// entries and the sequencer (src/events/sequencer.ts) gives the events their seqs, after commit.
// The profiles concerned are marked syncNeeded in the transaction of the change: a sync running
// meanwhile read the graph before it, so its end starts a further pass, and the scheduler syncs
// marked profiles first. Returns how many entries, events and marks were recorded.
CALL {
  UNWIND $entries AS entry
  CREATE (a:AuditPending)
  SET a = entry
  RETURN count(a) AS entries
}
CALL {
  UNWIND CASE WHEN size($types) > 0 THEN [$fromOrdinal] ELSE [] END AS ordinal
  CREATE (e:EventPending {unitId: $unitId, ordinal: ordinal, stamp: $stamp, at: $now, count: size($types), types: $types,
                          taskIds: [x IN $taskIds | coalesce(x, '')], runIds: [x IN $runIds | coalesce(x, '')],
                          profileIds: [x IN $profileIds | coalesce(x, '')], userIds: [x IN $userIds | coalesce(x, '')],
                          payloads: [x IN $payloads | coalesce(x, '')]})
  RETURN count(e) * size($types) AS events
}
CALL {
  CALL {
    UNWIND $conditionsChanged AS entitlementId
    MATCH (:Entitlement {id: entitlementId})<-[:CONDITION]-(p:AccessProfile)
    RETURN p
    UNION
    UNWIND $profilesToSync AS profileId
    MATCH (p:AccessProfile {id: profileId})
    RETURN p
  }
  SET p.syncNeeded = true
  RETURN count(p) AS marked
}
RETURN entries, events, marked
