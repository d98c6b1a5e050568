// Takes $before (a seq: entries older than it), $limit and the filters $action, $actorUserId,
// $actorKind, $subjectType, $subjectId, $from, $to (ISO instants, from inclusive, to exclusive;
// each null for no filter). Returns the matching audit entries, newest first.
MATCH (e:AuditEntry)
WHERE e.seq < $before
  AND ($action IS NULL OR e.action = $action)
  AND ($actorUserId IS NULL OR e.actorUserId = $actorUserId)
  AND ($actorKind IS NULL OR e.actorKind = $actorKind)
  AND ($subjectType IS NULL OR e.subjectType = $subjectType)
  AND ($subjectId IS NULL OR e.subjectId = $subjectId)
  AND ($from IS NULL OR e.at >= $from)
  AND ($to IS NULL OR e.at < $to)
RETURN e {.seq, .at, .actorUserId, .actorTokenId, .actorKind, .action, .subjectType, .subjectId,
          .before, .after, .hash, .prevHash} AS entry
ORDER BY e.seq DESC
LIMIT $limit
