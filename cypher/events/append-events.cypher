// Takes $events [{type, taskId, runId, profileId, userId, payload}] (payload: JSON text), $now.
// Appends them to the event log with consecutive sequence numbers. The counter node is locked
// until the transaction commits, so sequence order is commit order: a cursor never skips an
// event that commits later.
MERGE (c:Counter {name: 'events'})
  ON CREATE SET c.value = 0
SET c.value = c.value + size($events)
WITH c.value - size($events) AS base
UNWIND range(0, size($events) - 1) AS i
WITH base + i + 1 AS seq, $events[i] AS event
CREATE (e:Event {seq: seq, type: event.type, at: $now, taskId: event.taskId, runId: event.runId,
                 profileId: event.profileId, userId: event.userId, payload: event.payload})
RETURN max(seq) AS lastSeq
