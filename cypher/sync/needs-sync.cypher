// Takes $profileId. Returns whether the profile is marked "needs sync" (something its sync depends
// on changed since the current run started) and its automation is still enabled.
MATCH (p:AccessProfile {id: $profileId})
RETURN coalesce(p.syncNeeded, false) AND coalesce(p.automationEnabled, false) AS needed
