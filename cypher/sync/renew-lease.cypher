// Takes $profileId, $holder, $expiresAtMs. Extends the lease if $holder still holds it. The SET
// write-locks the node before the holder is read (and keeps it locked for the rest of the
// transaction), so a takeover that commits first is seen here. Returns held (false: the lease
// expired and was taken over).
MATCH (l:SyncLease {profileId: $profileId})
SET l._lock = true
WITH l, l.holder = $holder AS held
FOREACH (_ IN CASE WHEN held THEN [1] ELSE [] END | SET l.expiresAtMs = $expiresAtMs)
REMOVE l._lock
RETURN coalesce(held, false) AS held
