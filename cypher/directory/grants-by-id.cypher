// Takes $ids; returns the grants found with their user, entitlement and sources.
UNWIND $ids AS id
MATCH (u:User)-[:HOLDS]->(g:Grant {id: id})-[:OF]->(e:Entitlement)
RETURN g {.id, .grantedAt, direct: coalesce(g.direct, false), .enrolledVia, userId: u.id, entitlementId: e.id,
          sourceProfileIds: [(g)-[:FROM_PROFILE]->(p:AccessProfile) | p.id]} AS grant
