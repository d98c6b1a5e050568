// Takes $profileId, $holder, $runId, $nowMs, $expiresAtMs, $now. Takes the profile's sync lease
// when nobody holds it or its holder's lease has expired (a crashed instance). The node is
// write-locked before it is read, so two instances racing serialise here. Returns acquired and
// the run id of the lease's holder (ours when acquired).
MERGE (l:SyncLease {profileId: $profileId})
SET l._lock = true
WITH l, (l.holder IS NULL OR l.expiresAtMs IS NULL OR l.expiresAtMs < $nowMs) AS free
FOREACH (_ IN CASE WHEN free THEN [1] ELSE [] END |
  SET l.holder = $holder, l.runId = $runId, l.expiresAtMs = $expiresAtMs, l.acquiredAt = $now)
REMOVE l._lock
RETURN free AS acquired, l.runId AS runId
