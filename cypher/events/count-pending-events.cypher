// Takes nothing. Returns pending: how many committed events wait for their seq (a crashed
// instance's, or a pass under way), summed over the (:EventPending) nodes that hold them.
MATCH (e:EventPending)
RETURN coalesce(sum(e.count), 0) AS pending
