// Takes $seq, $instance, $now, $staleBefore. Claims the notification about one event for one API
// instance: only when nobody has, or an earlier claim went stale without an outcome (its instance
// died). The SET takes the node's write lock before the check, so two instances never both win,
// and an event that a concurrent prune deleted meanwhile (its seq reads null after the lock) is
// never claimed. Returns claimed (true for the winner); no row when the event is gone.
MATCH (e:Event {seq: $seq})
SET e.notifyLock = true
WITH e, e.seq = $seq AND (e.notifyState IS NULL OR (e.notifyState = 'CLAIMED' AND e.notifyClaimedAt < $staleBefore)) AS free
FOREACH (_ IN CASE WHEN free THEN [1] ELSE [] END |
  SET e.notifyState = 'CLAIMED', e.notifyClaimedBy = $instance, e.notifyClaimedAt = $now)
REMOVE e.notifyLock
RETURN coalesce(free, false) AS claimed
