// Takes $profileId, $holder, $now. Releases the profile's sync lease if $holder holds it, by
// clearing its holder: the node stays, so an acquirer waiting on its lock finds a free lease, never
// a deleted one. The SET locks the node before the holder is read. Returns released.
MATCH (l:SyncLease {profileId: $profileId})
SET l._lock = true
WITH l, l.holder = $holder AS held
FOREACH (_ IN CASE WHEN held THEN [1] ELSE [] END |
  SET l.holder = null, l.runId = null, l.expiresAtMs = null, l.releasedAt = $now)
REMOVE l._lock
RETURN coalesce(held, false) AS released
