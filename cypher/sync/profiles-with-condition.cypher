// Takes $entitlementIds; returns the ids of the enabled profiles whose condition contains one of
// them and that have no PAUSED sync waiting for review.
UNWIND $entitlementIds AS entitlementId
MATCH (:Entitlement {id: entitlementId})<-[:CONDITION]-(p:AccessProfile {automationEnabled: true})
WHERE NOT EXISTS { (p)<-[:OF_PROFILE]-(:SyncRun {state: 'PAUSED'}) }
RETURN DISTINCT p.id AS id
