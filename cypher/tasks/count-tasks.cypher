// Takes $states, $profileId, $userId (as list-tasks); returns how many tasks match.
MATCH (t:Task)
WHERE ($states IS NULL OR t.state IN $states)
  AND ($profileId IS NULL OR EXISTS { (t)-[:VIA_PROFILE]->(:AccessProfile {id: $profileId}) })
  AND ($userId IS NULL OR EXISTS { (t)-[:FOR_USER]->(:User {id: $userId}) })
RETURN count(t) AS total
