// Takes $ids; returns the sync runs found, with their profile's id.
UNWIND $ids AS id
MATCH (r:SyncRun {id: id})-[:OF_PROFILE]->(p:AccessProfile)
RETURN r {.id, .trigger, .state, .startedAt, .finishedAt, .pausedAt, .pauseReason, .failReason,
          .enrollTasksCreated, .unenrollTasksCreated, .cancelledTasks, .memberCount, .toEnrollCount,
          .toUnenrollCount, .actorId, .reviewedById, .reviewedAt, processed: coalesce(r.processed, 0), total: coalesce(r.total, 0),
          profileId: p.id} AS run
