// Takes $entries [{unitId, ordinal, at, actorUserId, actorTokenId, actorKind, action, subjectType,
// subjectId, before, after}] (before/after: JSON text): the audit entries of one write, in the
// order it recorded them. Creates them as (:AuditPending) inside that write's transaction; they
// touch no shared node, so independent writes never wait for each other here. The sealer
// (src/audit/sealer.ts) chains them after commit. Returns how many were recorded.
UNWIND $entries AS entry
CREATE (e:AuditPending)
SET e = entry
RETURN count(e) AS recorded
