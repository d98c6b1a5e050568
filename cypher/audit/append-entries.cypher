// Takes $entries [{seq, at, actorUserId, actorTokenId, actorKind, action, subjectType, subjectId,
// before, after, hash, prevHash}] (before/after: JSON text) with consecutive seqs after the head
// that lock-chain returned in this transaction, and $lastSeq, $lastHash. Appends them and moves
// the head; returns the new head's seq.
MATCH (c:Counter {name: 'audit'})
SET c.value = $lastSeq, c.lastHash = $lastHash
WITH c
UNWIND $entries AS entry
CREATE (e:AuditEntry)
SET e = entry
RETURN max(entry.seq) AS lastSeq
