// Takes $profileId, $holder, $expiresAtMs. Extends the lease if $holder still holds it (locking
// it for the rest of the transaction); returns held (false: the lease expired and was taken over).
OPTIONAL MATCH (l:SyncLease {profileId: $profileId})
WHERE l.holder = $holder
SET l.expiresAtMs = $expiresAtMs
RETURN l IS NOT NULL AS held
