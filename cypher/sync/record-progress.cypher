// Takes $runId, $enrolled, $unenrolled, $cancelled, $diff {memberCount, toEnroll, toUnenroll}
// (counts; null keeps them). Adds to the run's counters; returns the run's counters.
MATCH (r:SyncRun {id: $runId})
SET r.enrollTasksCreated = r.enrollTasksCreated + $enrolled,
    r.unenrollTasksCreated = r.unenrollTasksCreated + $unenrolled,
    r.cancelledTasks = r.cancelledTasks + $cancelled,
    r.memberCount = coalesce($diff.memberCount, r.memberCount),
    r.toEnrollCount = coalesce($diff.toEnroll, r.toEnrollCount),
    r.toUnenrollCount = coalesce($diff.toUnenroll, r.toUnenrollCount)
RETURN r.enrollTasksCreated AS enrollTasksCreated, r.unenrollTasksCreated AS unenrollTasksCreated,
       r.cancelledTasks AS cancelledTasks
