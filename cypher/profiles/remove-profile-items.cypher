// Takes $profileId, $entitlementIds; unlinks those items; returns the ids actually removed.
MATCH (p:AccessProfile {id: $profileId})-[r:INCLUDES]->(e:Entitlement)
WHERE e.id IN $entitlementIds
DELETE r
RETURN collect(e.id) AS removed
