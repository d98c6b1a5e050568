// Takes nothing; returns the ids of the profiles whose automation is enabled and that have no
// PAUSED sync waiting for review (the scheduler syncs these).
MATCH (p:AccessProfile {automationEnabled: true})
WHERE NOT EXISTS { (p)<-[:OF_PROFILE]-(:SyncRun {state: 'PAUSED'}) }
RETURN p.id AS id ORDER BY id
