// Takes $after (a seq) and $limit. Returns head (the last seq handed out, 0 when none) and
// events: up to $limit events with seq > $after in seq order, each a map of its properties.
// Committed seqs are always a gap-free prefix (append-events holds the counter lock to commit),
// so reading "after the last one seen" never skips an event that commits later.
OPTIONAL MATCH (c:Counter {name: 'events'})
WITH coalesce(c.value, 0) AS head
OPTIONAL MATCH (e:Event) WHERE e.seq > $after
WITH head, e ORDER BY e.seq ASC LIMIT $limit
RETURN head, collect(e {.seq, .type, .at, .taskId, .runId, .profileId, .userId, .payload}) AS events
