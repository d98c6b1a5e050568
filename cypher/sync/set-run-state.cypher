// Takes $runId, $fromStates, $state, $now, $pauseReason, $failReason, $reviewedById, $reviewedAt
// (nulls keep the values). Moves the run from one of $fromStates to $state (stamping finishedAt on
// an end state); returns the run's id, no row when the run is not in one of $fromStates.
// The run is write-locked before its state is read: of a resume and a discard of one paused run
// at the same moment, the second sees the first's outcome and moves nothing.
MATCH (r:SyncRun {id: $runId})
SET r._lock = true
REMOVE r._lock
WITH r WHERE r.state IN $fromStates
SET r.state = $state,
    r.finishedAt = CASE WHEN $state IN ['COMPLETED', 'DISCARDED', 'FAILED'] THEN $now ELSE r.finishedAt END,
    r.pausedAt = CASE WHEN $state = 'PAUSED' THEN $now ELSE r.pausedAt END,
    r.pauseReason = coalesce($pauseReason, r.pauseReason),
    r.failReason = coalesce($failReason, r.failReason),
    r.reviewedById = coalesce($reviewedById, r.reviewedById),
    r.reviewedAt = coalesce($reviewedAt, r.reviewedAt),
    r.reviewDecision = CASE WHEN $reviewedAt IS NULL THEN r.reviewDecision ELSE $state END
RETURN r.id AS id
