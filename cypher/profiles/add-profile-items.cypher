// Takes $profileId, $entitlementIds; links the entitlements as items; returns the ids newly added.
MATCH (p:AccessProfile {id: $profileId})
UNWIND $entitlementIds AS entitlementId
MATCH (e:Entitlement {id: entitlementId})
WHERE NOT (p)-[:INCLUDES]->(e)
CREATE (p)-[:INCLUDES]->(e)
RETURN collect(e.id) AS added
