// Takes $reconcileBeforeMs (epoch ms: a profile whose last completed sync started before this is
// due its full reconciliation). Returns the profiles the scheduler syncs: automation enabled, no
// PAUSED sync waiting for review, and either marked "needs sync" (a change that matters since its
// last run: condition holders, exclusions, automation, items) or due a reconciliation (never
// synced, or not since $reconcileBeforeMs), the safety net for changes made outside the API.
MATCH (p:AccessProfile {automationEnabled: true})
WHERE NOT EXISTS { (p)<-[:OF_PROFILE]-(:SyncRun {state: 'PAUSED'}) }
CALL {
  WITH p
  OPTIONAL MATCH (p)<-[:OF_PROFILE]-(r:SyncRun {state: 'COMPLETED'})
  RETURN max(r.startedAt) AS lastCompleted
}
WITH p, lastCompleted
WHERE coalesce(p.syncNeeded, true) OR lastCompleted IS NULL OR datetime(lastCompleted).epochMillis < $reconcileBeforeMs
RETURN p.id AS id ORDER BY id
