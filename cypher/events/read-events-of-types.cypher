// Takes $after (a seq), $types and $limit. Returns head (the last seq handed out, 0 when none) and
// events: up to $limit events with seq > $after (and at most head) whose type is one of $types,
// in seq order, each a map of its properties as events/read-events returns them. For a delivery
// pass that only the credential events matter to (src/events/stream.ts): the events are sought
// in the index on (type, seq), one range per type (the hint keeps that plan when the statement was planned on an empty log),
// so the other events are never read (a cascade
// commits thousands of task events between two credential events).
OPTIONAL MATCH (c:Counter {name: 'events'})
WITH coalesce(c.value, 0) AS head
RETURN head, COLLECT {
  UNWIND $types AS type
  MATCH (e:Event) USING INDEX e:Event(type, seq)
  WHERE e.type = type AND e.seq > $after AND e.seq <= head
  WITH e ORDER BY e.seq ASC LIMIT $limit
  RETURN e {.seq, .type, .at, .taskId, .runId, .profileId, .userId, .payload}
} AS events
