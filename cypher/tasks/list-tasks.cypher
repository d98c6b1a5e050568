// Takes $after (a task id or null), $limit, $states (null = all), $profileId, $userId (null = any);
// returns one page of task ids ordered by id (the keyset the cursors use).
MATCH (t:Task)
WHERE ($states IS NULL OR t.state IN $states)
  AND ($profileId IS NULL OR EXISTS { (t)-[:VIA_PROFILE]->(:AccessProfile {id: $profileId}) })
  AND ($userId IS NULL OR EXISTS { (t)-[:FOR_USER]->(:User {id: $userId}) })
  AND ($after IS NULL OR t.id > $after)
RETURN t.id AS id ORDER BY t.id LIMIT $limit
