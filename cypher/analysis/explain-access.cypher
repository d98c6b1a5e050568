// Takes $userId, $entitlementId; returns why the user holds the entitlement: the grant if held
// (id, direct flag, enrolledVia, grantedAt, the task that granted it) and, per profile that lists
// the grant as its source or includes the entitlement, whether the user is a member, how they
// were enrolled (enrolledVia and the enrollment grant's task), the condition entitlements they hold
// and whether the profile excludes them. No row when the user or the entitlement is unknown.
MATCH (u:User {id: $userId})
MATCH (e:Entitlement {id: $entitlementId})
OPTIONAL MATCH (u)-[:HOLDS]->(g:Grant)-[:OF]->(e)
OPTIONAL MATCH (g)-[:GRANTED_BY]->(gt:Task)
CALL {
  WITH g, e
  CALL {
    WITH g
    MATCH (g)-[:FROM_PROFILE]->(p:AccessProfile)
    RETURN p
    UNION
    WITH e
    MATCH (e)<-[:INCLUDES]-(p:AccessProfile)
    RETURN p
  }
  RETURN collect(DISTINCT p) AS profiles
}
UNWIND (CASE WHEN size(profiles) = 0 THEN [null] ELSE profiles END) AS p
OPTIONAL MATCH (p)-[:ENROLLMENT_ENTITLEMENT]->(:Entitlement)<-[:OF]-(mg:Grant)<-[:HOLDS]-(u)
OPTIONAL MATCH (mg)-[:GRANTED_BY]->(mt:Task)
WITH u, e, g, gt, p, CASE WHEN p IS NULL THEN null ELSE {
       profileId: p.id,
       recordedSource: g IS NOT NULL AND EXISTS { (g)-[:FROM_PROFILE]->(p) },
       includesEntitlement: EXISTS { (p)-[:INCLUDES]->(e) },
       member: mg IS NOT NULL,
       enrolledVia: mg.enrolledVia,
       enrolledAt: mg.grantedAt,
       enrollmentTaskId: mt.id,
       heldConditionIds: [(u)-[:HOLDS]->(:Grant)-[:OF]->(c:Entitlement)<-[:CONDITION]-(p) | c.id],
       excluded: EXISTS { (p)-[:EXCLUDES]->(u) }
     } END AS path
ORDER BY p.name, p.id
RETURN e.kind AS entitlementKind,
       CASE WHEN g IS NULL THEN null ELSE g {.id, .grantedAt, direct: coalesce(g.direct, false), .enrolledVia, grantedByTaskId: gt.id} END AS grant,
       collect(path) AS paths
