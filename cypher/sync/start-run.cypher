// Takes $profileId, $run {id, trigger, actorId}, $interrupted (the failReason to record), $now.
// Called while holding the profile's lease: any run of the profile still RUNNING was left by an
// instance that stopped half-way, so it is marked FAILED (the new run redoes what it left).
// Creates the new RUNNING run and clears the profile's "needs sync" mark (the run reads the graph
// after this commits, so it sees every change marked so far; a change made while it runs marks
// the profile again, and the run's end starts a further pass). Returns its id and the ids of the
// interrupted runs.
MATCH (p:AccessProfile {id: $profileId})
SET p.syncNeeded = false
WITH p
OPTIONAL MATCH (stale:SyncRun {state: 'RUNNING'})-[:OF_PROFILE]->(p)
SET stale.state = 'FAILED', stale.finishedAt = $now,
    stale.failReason = $interrupted
WITH p, collect(stale.id) AS interrupted
CREATE (r:SyncRun {id: $run.id, trigger: $run.trigger, state: 'RUNNING', startedAt: $now, actorId: $run.actorId,
                   enrollTasksCreated: 0, unenrollTasksCreated: 0, cancelledTasks: 0, processed: 0, total: 0})-[:OF_PROFILE]->(p)
RETURN r.id AS id, interrupted
