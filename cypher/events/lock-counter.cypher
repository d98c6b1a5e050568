// Takes $now. Locks the event log's counter for a sequencing pass: the node is written, so it
// stays locked until the pass commits and two passes (on one instance or several) never sequence
// the same events. Returns head, the last seq handed out (0 when none).
MERGE (c:Counter {name: 'events'})
  ON CREATE SET c.value = 0
SET c.lockedAt = $now
RETURN c.value AS head
