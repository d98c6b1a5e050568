// Takes $entitlementId, $userId. Returns what a self-service request needs: the entitlement's
// kind, its profile (for a profile's own entitlements) and whether that profile allows
// enrollment requests, and whether the user holds it already; nothing if unknown.
MATCH (e:Entitlement {id: $entitlementId})
OPTIONAL MATCH (p:AccessProfile)-[:ENROLLMENT_ENTITLEMENT|EXCLUSION_ENTITLEMENT]->(e)
RETURN e.kind AS kind, p.id AS profileId, coalesce(p.allowEnrollmentRequests, false) AS allowEnrollmentRequests,
       EXISTS { (:User {id: $userId})-[:HOLDS]->(:Grant)-[:OF]->(e) } AS held
