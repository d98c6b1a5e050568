// Takes $fromSeq (the head that lock-counter returned in this transaction) and $limit. Gives the
// pending events consecutive seqs after $fromSeq and makes them (:Event): the $limit oldest (by
// their write's stamp, then by write, then in the order the write recorded them), plus every other
// event of the writes those belong to, so one write's events are never split between two passes.
// Moves the counter to the last seq, only if it is still at $fromSeq. Seqs become visible with the
// counter at this pass's commit, so committed seqs are always a gap-free prefix of the log.
// Returns sequenced (how many) and lastSeq; no row when nothing was pending.
MATCH (c:Counter {name: 'events'}) WHERE c.value = $fromSeq
CALL {
  MATCH (p:EventPending) WHERE p.stamp IS NOT NULL
  WITH p ORDER BY p.stamp, p.unitId, p.ordinal LIMIT $limit
  RETURN collect(DISTINCT p.unitId) AS units
}
MATCH (e:EventPending) WHERE e.unitId IN units
WITH c, e ORDER BY e.stamp, e.unitId, e.ordinal
WITH c, collect(e) AS batch
UNWIND range(0, size(batch) - 1) AS i
WITH c, batch[i] AS e, $fromSeq + i + 1 AS seq
SET e:Event, e.seq = seq
REMOVE e:EventPending, e.unitId, e.ordinal, e.stamp
WITH c, count(e) AS sequenced, max(seq) AS lastSeq
SET c.value = lastSeq
RETURN sequenced, lastSeq
