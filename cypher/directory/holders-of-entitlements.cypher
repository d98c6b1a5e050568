// Takes $entitlementIds, $after, $limit, $withUsers (bring each grant's user along, as
// directory/users-by-id returns it) and $withParent; returns, per entitlement, one page of the
// grants of it (by id, as directory/grants-by-id returns them), their users when asked (else an
// empty list), their total (the OF degree: only grants point at an entitlement) and, when
// $withParent, the entitlement itself as directory/entitlements-by-id returns it (else null):
// node(id) brings the page along in its lookup (src/schema/node-fold.ts). The page is cut before
// the users are read, so an entitlement held by thousands costs one page.
UNWIND $entitlementIds AS entitlementId
MATCH (e:Entitlement {id: entitlementId})
CALL {
  WITH e
  MATCH (e)<-[:OF]-(g:Grant)
  WHERE $after IS NULL OR g.id > $after
  WITH e, g ORDER BY g.id LIMIT $limit
  MATCH (u:User)-[:HOLDS]->(g)
  RETURN collect(g {.id, .grantedAt, direct: coalesce(g.direct, false), .enrolledVia, userId: u.id, entitlementId: e.id,
                    sourceProfileIds: [(g)-[:FROM_PROFILE]->(p:AccessProfile) | p.id]}) AS grants,
         collect(CASE WHEN $withUsers THEN u {.id, .externalId, .email, .displayName, .status, .createdAt, role: coalesce(u.role, 'USER'),
                   managerId: head([(u)-[:REPORTS_TO]->(m:User) | m.id])} END) AS users
}
WITH entitlementId, e, grants, users,
     CASE WHEN $withParent THEN [(e)-[r:OF_APP|ENROLLMENT_ENTITLEMENT|EXCLUSION_ENTITLEMENT|REQUEST_POLICY|REVOKE_POLICY]-(x) | [type(r), x.id]] END AS links
RETURN entitlementId AS parentId, grants, users, COUNT { (e)<-[:OF]-() } AS total,
       CASE WHEN $withParent THEN e {.id, .externalId, .name, .kind,
            appId: head([l IN links WHERE l[0] = 'OF_APP' | l[1]]),
            profileId: head([l IN links WHERE l[0] IN ['ENROLLMENT_ENTITLEMENT', 'EXCLUSION_ENTITLEMENT'] | l[1]]),
            requestPolicyId: head([l IN links WHERE l[0] = 'REQUEST_POLICY' | l[1]]),
            revokePolicyId: head([l IN links WHERE l[0] = 'REVOKE_POLICY' | l[1]])} END AS parent
