// Takes $now and $limit. One sequencing pass, in one statement: it first locks the event log's
// counter (the node is written, so it stays locked until the pass commits; a second pass, on this
// instance or another, waits here and then reads the counter and the pending events this one
// left), then gives the pending events consecutive seqs after the counter and makes them
// (:Event): the $limit oldest (by their write's stamp, then by write, then in the order the write
// recorded them), plus every other event of the writes those belong to, so one write's events
// are never split between two passes; the counter moves to the last seq. Seqs become visible with
// the counter at the pass's commit, so committed seqs are always a gap-free prefix of the log.
// Returns sequenced (how many, 0 when nothing was pending) and lastSeq (the counter after it).
MERGE (c:Counter {name: 'events'})
  ON CREATE SET c.value = 0
SET c.lockedAt = $now
WITH c, c.value AS fromSeq
CALL {
  WITH fromSeq
  MATCH (p:EventPending) WHERE p.stamp IS NOT NULL
  WITH fromSeq, p ORDER BY p.stamp, p.unitId, p.ordinal LIMIT $limit
  WITH fromSeq, collect(DISTINCT p.unitId) AS units
  MATCH (e:EventPending) WHERE e.unitId IN units
  WITH fromSeq, e ORDER BY e.stamp, e.unitId, e.ordinal
  WITH fromSeq, collect(e) AS batch
  UNWIND range(0, size(batch) - 1) AS i
  WITH batch[i] AS e, fromSeq + i + 1 AS seq
  SET e:Event, e.seq = seq
  REMOVE e:EventPending, e.unitId, e.ordinal, e.stamp
  RETURN count(e) AS sequenced, max(seq) AS lastSeq
}
SET c.value = coalesce(lastSeq, fromSeq)
RETURN sequenced, c.value AS lastSeq
