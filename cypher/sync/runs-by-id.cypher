// Takes $ids; returns the sync runs found, with their profile's id.
UNWIND $ids AS id
MATCH (r:SyncRun {id: id})-[:OF_PROFILE]->(p:AccessProfile)
RETURN r {.id, .trigger, .state, .startedAt, .finishedAt, .pausedAt, .pauseReason, .failReason,
          .enrollTasksCreated, .unenrollTasksCreated, .cancelledTasks, .memberCount, .toEnrollCount,
          .toUnenrollCount, .actorId, .reviewedById, .reviewedAt, profileId: p.id} AS run
