// Takes $limit. Returns the committed entries waiting to be chained, oldest first (by the time
// their write recorded them, then by write, then in the order the write recorded them): the
// first $limit of them, plus every other entry of the writes those belong to, so that one write's
// entries are never split between two sealing passes. Each with its elementId (to seal it by) and
// every field the hash covers.
MATCH (e:AuditPending) WHERE e.at IS NOT NULL
WITH e ORDER BY e.at, e.unitId, e.ordinal LIMIT $limit
WITH collect(DISTINCT e.unitId) AS units
MATCH (x:AuditPending) WHERE x.unitId IN units
RETURN elementId(x) AS elementId,
       x {.at, .actorUserId, .actorTokenId, .actorKind, .action, .subjectType, .subjectId, .before, .after, .unitId, .ordinal} AS entry
ORDER BY x.at, x.unitId, x.ordinal
