// Takes nothing. Returns head (the last seq handed out, 0 when none) and oldest (the smallest
// seq still kept, null when every event was pruned or none was written).
OPTIONAL MATCH (c:Counter {name: 'events'})
WITH coalesce(c.value, 0) AS head
OPTIONAL MATCH (e:Event) WHERE e.seq > 0
WITH head, e ORDER BY e.seq ASC LIMIT 1
RETURN head, e.seq AS oldest
