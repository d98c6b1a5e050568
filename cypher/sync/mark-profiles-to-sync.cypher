// Takes $entitlementIds (entitlements whose holders a write changed) and $profileIds (profiles
// whose exclusions, automation or items it changed). Marks the profiles concerned as needing a
// sync (syncNeeded), in the transaction of the change: a sync running meanwhile read the graph
// before it, so its end starts a further pass, and the scheduler syncs marked profiles first.
CALL {
  UNWIND $entitlementIds AS entitlementId
  MATCH (:Entitlement {id: entitlementId})<-[:CONDITION]-(p:AccessProfile)
  RETURN p
  UNION
  UNWIND $profileIds AS profileId
  MATCH (p:AccessProfile {id: profileId})
  RETURN p
}
SET p.syncNeeded = true
RETURN count(p) AS marked
