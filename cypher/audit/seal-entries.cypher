// Takes $fromSeq (the head's seq that lock-chain returned in this transaction), $lastSeq,
// $lastHash and $entries [{elementId, seq, hash, prevHash}] (consecutive seqs after $fromSeq).
// Moves the chain head, only if it is still at $fromSeq, and turns each pending entry into a
// chained (:AuditEntry) with its seq and hashes (its write's unitId and ordinal go). Returns the
// number sealed: fewer than given (a head that moved, an entry already sealed) fails the pass.
MATCH (c:Counter {name: 'audit'})
WHERE c.value = $fromSeq
SET c.value = $lastSeq, c.lastHash = $lastHash
WITH c
UNWIND $entries AS entry
MATCH (e:AuditPending) WHERE elementId(e) = entry.elementId
SET e:AuditEntry, e.seq = entry.seq, e.hash = entry.hash, e.prevHash = entry.prevHash
REMOVE e:AuditPending, e.unitId, e.ordinal
RETURN count(e) AS sealed
