// Takes $now, $genesis (the hash before the first entry), $limit. Locks the audit chain's head for
// a sealing pass: the counter node is written, so it stays locked until the pass commits and two
// passes (on one instance or several) never chain the same entries. Then, under that lock, reads
// the committed entries waiting to be chained, oldest first (by the time their write recorded
// them, then by write, then in the order the write recorded them): the first $limit of them, plus
// every other entry of the writes those belong to, so that one write's entries are never split
// between two passes. Returns the last seq, the last entry's hash and the pending entries, each
// with its elementId (to seal it by) and every field the hash covers.
MERGE (c:Counter {name: 'audit'})
  ON CREATE SET c.value = 0, c.lastHash = $genesis
SET c.lockedAt = $now
WITH c
CALL {
  WITH c
  MATCH (e:AuditPending) WHERE e.at IS NOT NULL
  WITH e ORDER BY e.at, e.unitId, e.ordinal LIMIT $limit
  WITH collect(DISTINCT e.unitId) AS units
  MATCH (x:AuditPending) WHERE x.unitId IN units
  WITH x ORDER BY x.at, x.unitId, x.ordinal
  RETURN collect({
    elementId: elementId(x),
    entry: x {.at, .actorUserId, .actorTokenId, .actorKind, .action, .subjectType, .subjectId, .before, .after, .unitId, .ordinal}
  }) AS pending
}
RETURN c.value AS seq, c.lastHash AS lastHash, pending
