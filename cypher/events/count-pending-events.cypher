// Takes nothing. Returns pending: how many committed events wait for their seq (a crashed
// instance's, or a pass under way).
MATCH (e:EventPending)
RETURN count(e) AS pending
