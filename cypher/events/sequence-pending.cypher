// Takes $now and $limit. One sequencing pass, in one statement: it first locks the event log's
// counter (the node is written, so it stays locked until the pass commits; a second pass, on this
// instance or another, waits here and then reads the counter and the pending events this one
// left), then gives the pending events consecutive seqs after the counter, each as its own
// (:Event) node, and deletes the (:EventPending) nodes that held them (db/finish-write: one per
// write, or per 5,000 events of one write, its events as lists, '' for an unset field). It takes
// the oldest pending nodes (by their write's stamp, then by write, then in the write's order)
// while fewer than $limit events come before them, plus every other pending node of the writes
// those belong to, so one write's events are never split between two passes; the counter moves to
// the last seq. Seqs become visible with the counter at the pass's commit, so committed seqs are
// always a gap-free prefix of the log. Returns sequenced (how many, 0 when nothing was pending)
// and lastSeq (the counter after it).
MERGE (c:Counter {name: 'events'})
  ON CREATE SET c.value = 0
SET c.lockedAt = $now
WITH c, c.value AS fromSeq
CALL {
  WITH fromSeq
  MATCH (p:EventPending) WHERE p.stamp IS NOT NULL
  WITH fromSeq, p ORDER BY p.stamp, p.unitId, p.ordinal LIMIT $limit
  WITH fromSeq, collect(p) AS oldest
  WITH fromSeq, oldest, reduce(before = [0], p IN oldest | before + (before[-1] + p.count)) AS before
  WITH fromSeq, [k IN range(0, size(oldest) - 1) WHERE before[k] < $limit | oldest[k].unitId] AS units
  MATCH (w:EventPending) WHERE w.unitId IN units
  WITH fromSeq, w ORDER BY w.stamp, w.unitId, w.ordinal
  WITH fromSeq, collect(w) AS batch
  WITH fromSeq, batch, reduce(before = [0], w IN batch | before + (before[-1] + w.count)) AS before
  UNWIND range(0, size(batch) - 1) AS k
  WITH batch[k] AS w, fromSeq + before[k] AS offset
  WITH w, offset, w.at AS at, w.types AS types, w.taskIds AS taskIds, w.runIds AS runIds, w.profileIds AS profileIds,
       w.userIds AS userIds, w.payloads AS payloads
  CALL {
    WITH offset, at, types, taskIds, runIds, profileIds, userIds, payloads
    UNWIND range(0, size(types) - 1) AS i
    // One CREATE with every property: a field left unset ('' pending, null here) is not written.
    CREATE (e:Event {seq: offset + i + 1, type: types[i], at: at,
                     taskId: CASE WHEN taskIds[i] <> '' THEN taskIds[i] END,
                     runId: CASE WHEN runIds[i] <> '' THEN runIds[i] END,
                     profileId: CASE WHEN profileIds[i] <> '' THEN profileIds[i] END,
                     userId: CASE WHEN userIds[i] <> '' THEN userIds[i] END,
                     payload: CASE WHEN payloads[i] <> '' THEN payloads[i] END})
    RETURN count(e) AS created
  }
  DELETE w
  RETURN sum(created) AS sequenced
}
SET c.value = fromSeq + sequenced
RETURN sequenced, c.value AS lastSeq
