// Takes $profileId, $holder, $runId, $nowMs, $expiresAtMs, $now. Takes the profile's sync lease
// when nobody holds it or its holder's lease has expired (a crashed instance). The lease node is
// never deleted (release clears its holder), so the MERGE always finds the one live node or
// creates it under the uniqueness constraint; the SET write-locks it before it is read, so two
// acquirers, or an acquirer and a release, serialise here and the second reads what the first
// committed. Returns acquired and the run id of the lease's holder (ours when acquired).
MERGE (l:SyncLease {profileId: $profileId})
SET l._lock = true
WITH l, l.profileId = $profileId AND (l.holder IS NULL OR l.expiresAtMs IS NULL OR l.expiresAtMs < $nowMs) AS free
FOREACH (_ IN CASE WHEN free THEN [1] ELSE [] END |
  SET l.holder = $holder, l.runId = $runId, l.expiresAtMs = $expiresAtMs, l.acquiredAt = $now)
REMOVE l._lock
RETURN coalesce(free, false) AS acquired, l.runId AS runId
