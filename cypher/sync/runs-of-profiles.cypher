// Takes $profileIds, $after (a run id or null), $limit; returns, per profile, one page of its sync
// run ids, newest first (startedAt, then id), and how many runs it has.
UNWIND $profileIds AS profileId
MATCH (p:AccessProfile {id: profileId})
OPTIONAL MATCH (a:SyncRun {id: $after})
CALL {
  WITH p, a
  MATCH (r:SyncRun)-[:OF_PROFILE]->(p)
  WHERE a IS NULL OR r.startedAt < a.startedAt OR (r.startedAt = a.startedAt AND r.id < a.id)
  WITH r ORDER BY r.startedAt DESC, r.id DESC LIMIT $limit
  RETURN collect(r.id) AS ids
}
RETURN profileId AS parentId, ids, COUNT { (p)<-[:OF_PROFILE]-(:SyncRun) } AS total
