// Takes $profileId; returns the id of the profile's PAUSED sync run, if any (no row otherwise).
MATCH (r:SyncRun {state: 'PAUSED'})-[:OF_PROFILE]->(:AccessProfile {id: $profileId})
RETURN r.id AS id
LIMIT 1
