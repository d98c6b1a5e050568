// Takes $externalIds; returns the entitlements found with their app and policies' ids.
UNWIND $externalIds AS externalId
MATCH (e:Entitlement {externalId: externalId})
OPTIONAL MATCH (e)-[:OF_APP]->(a:App)
OPTIONAL MATCH (e)-[:REQUEST_POLICY]->(rq:Policy)
OPTIONAL MATCH (e)-[:REVOKE_POLICY]->(rv:Policy)
RETURN e {.id, .externalId, .name, .kind, appId: a.id, profileId: null, requestPolicyId: rq.id, revokePolicyId: rv.id} AS entitlement
