// Takes $runId, $enrolled, $unenrolled, $cancelled, $processed (changes handled by this batch),
// $total (the changes the run will handle; null keeps it), $diff {memberCount, toEnroll, toUnenroll}
// (counts; null keeps them). Adds to the run's counters; returns the run's counters.
MATCH (r:SyncRun {id: $runId})
SET r.enrollTasksCreated = r.enrollTasksCreated + $enrolled,
    r.unenrollTasksCreated = r.unenrollTasksCreated + $unenrolled,
    r.cancelledTasks = r.cancelledTasks + $cancelled,
    r.processed = coalesce(r.processed, 0) + $processed,
    r.total = coalesce($total, r.total, 0),
    r.memberCount = coalesce($diff.memberCount, r.memberCount),
    r.toEnrollCount = coalesce($diff.toEnroll, r.toEnrollCount),
    r.toUnenrollCount = coalesce($diff.toUnenroll, r.toUnenrollCount)
RETURN r.enrollTasksCreated AS enrollTasksCreated, r.unenrollTasksCreated AS unenrollTasksCreated,
       r.cancelledTasks AS cancelledTasks
