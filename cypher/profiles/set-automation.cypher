// Takes $profileId, $enabled, $mode, $pauseOnAnomalies, $conditionEntitlementIds, $excludedUserIds,
// $now. Stores the profile's membership automation; returns the excluded users added and removed.
MATCH (p:AccessProfile {id: $profileId})
SET p.automationEnabled = $enabled, p.automationMode = $mode, p.pauseOnAnomalies = $pauseOnAnomalies,
    p.automationUpdatedAt = $now
WITH p
CALL {
  WITH p
  OPTIONAL MATCH (p)-[c:CONDITION]->(e:Entitlement)
  WHERE NOT e.id IN $conditionEntitlementIds
  DELETE c
}
CALL {
  WITH p
  UNWIND $conditionEntitlementIds AS entitlementId
  MATCH (e:Entitlement {id: entitlementId})
  MERGE (p)-[:CONDITION]->(e)
}
WITH p, [(p)-[:EXCLUDES]->(u:User) | u.id] AS before
CALL {
  WITH p
  OPTIONAL MATCH (p)-[x:EXCLUDES]->(u:User)
  WHERE NOT u.id IN $excludedUserIds
  DELETE x
}
CALL {
  WITH p
  UNWIND $excludedUserIds AS userId
  MATCH (u:User {id: userId})
  MERGE (p)-[:EXCLUDES]->(u)
}
RETURN [id IN $excludedUserIds WHERE NOT id IN before] AS excludedAdded,
       [id IN before WHERE NOT id IN $excludedUserIds] AS excludedRemoved
