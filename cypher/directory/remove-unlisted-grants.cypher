// Takes $replace [{entitlementExternalId, keepUserExternalIds}].
// The source system says each entitlement is held only by the listed users: every other grant
// of it is removed, whatever its sources. Returns how many, and the entitlements touched.
UNWIND $replace AS replace
MATCH (e:Entitlement {externalId: replace.entitlementExternalId})<-[:OF]-(g:Grant)<-[:HOLDS]-(u:User)
WHERE NOT u.externalId IN replace.keepUserExternalIds
WITH e, g
DETACH DELETE g
RETURN count(g) AS removed, collect(DISTINCT e.id) AS changedEntitlementIds
