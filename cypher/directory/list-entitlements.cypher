// Takes $after, $limit, $search (null or a case-insensitive name fragment); returns one page
// of entitlements (all kinds) ordered by id (walking the id index: see list-users).
MATCH (e:Entitlement)
WHERE e.id > coalesce($after, '') AND ($search IS NULL OR toLower(e.name) CONTAINS toLower($search))
WITH e ORDER BY e.id LIMIT $limit
OPTIONAL MATCH (e)-[:OF_APP]->(a:App)
OPTIONAL MATCH (p:AccessProfile)-[:ENROLLMENT_ENTITLEMENT|EXCLUSION_ENTITLEMENT]->(e)
OPTIONAL MATCH (e)-[:REQUEST_POLICY]->(rq:Policy)
OPTIONAL MATCH (e)-[:REVOKE_POLICY]->(rv:Policy)
RETURN e {.id, .externalId, .name, .kind, appId: a.id, profileId: p.id, requestPolicyId: rq.id, revokePolicyId: rv.id} AS entitlement
