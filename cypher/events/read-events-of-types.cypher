// Takes $after (a seq), $types and $limit. Returns head (the last seq handed out, 0 when none) and
// events: up to $limit events with seq > $after (and at most head) whose type is one of $types,
// in seq order, each a map of its properties as events/read-events returns them. For a delivery
// pass that only the credential events matter to (src/events/stream.ts): the other events are
// skipped inside Neo4j, never sent.
OPTIONAL MATCH (c:Counter {name: 'events'})
WITH coalesce(c.value, 0) AS head
OPTIONAL MATCH (e:Event) WHERE e.seq > $after AND e.seq <= head AND e.type IN $types
WITH head, e ORDER BY e.seq ASC LIMIT $limit
RETURN head, collect(e {.seq, .type, .at, .taskId, .runId, .profileId, .userId, .payload}) AS events
