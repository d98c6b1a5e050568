// Takes the filters $action, $actorUserId, $actorKind, $subjectType, $subjectId, $from, $to (each
// null for no filter); returns how many audit entries match.
MATCH (e:AuditEntry)
WHERE ($action IS NULL OR e.action = $action)
  AND ($actorUserId IS NULL OR e.actorUserId = $actorUserId)
  AND ($actorKind IS NULL OR e.actorKind = $actorKind)
  AND ($subjectType IS NULL OR e.subjectType = $subjectType)
  AND ($subjectId IS NULL OR e.subjectId = $subjectId)
  AND ($from IS NULL OR e.at >= $from)
  AND ($to IS NULL OR e.at < $to)
RETURN count(e) AS total
