// Takes $ids; returns the entitlements found with their app, profile and policies' ids.
UNWIND $ids AS id
MATCH (e:Entitlement {id: id})
OPTIONAL MATCH (e)-[:OF_APP]->(a:App)
OPTIONAL MATCH (p:AccessProfile)-[:ENROLLMENT_ENTITLEMENT|EXCLUSION_ENTITLEMENT]->(e)
OPTIONAL MATCH (e)-[:REQUEST_POLICY]->(rq:Policy)
OPTIONAL MATCH (e)-[:REVOKE_POLICY]->(rv:Policy)
RETURN e {.id, .externalId, .name, .kind, appId: a.id, profileId: p.id, requestPolicyId: rq.id, revokePolicyId: rv.id} AS entitlement
