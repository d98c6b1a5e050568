// Takes $before (an ISO instant) and $limit. Deletes, among the $limit oldest events, every one
// up to the newest that is older than $before, so that what is kept stays a gap-free suffix of
// the log. Returns deleted (how many) and oldestDeleted/newestDeleted seqs (null when none).
MATCH (e:Event) WHERE e.seq > 0
WITH e ORDER BY e.seq ASC LIMIT $limit
WITH collect(e) AS oldest
WITH oldest, reduce(cut = 0, x IN oldest | CASE WHEN x.at < $before AND x.seq > cut THEN x.seq ELSE cut END) AS cutoff
UNWIND oldest AS e
WITH e, cutoff WHERE e.seq <= cutoff
WITH collect(e) AS expired, cutoff
FOREACH (x IN expired | DELETE x)
RETURN size(expired) AS deleted, cutoff AS newestDeleted
