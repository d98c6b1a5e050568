// Takes $entitlementIds, $after, $limit and $withUsers (bring each grant's user along, as
// directory/users-by-id returns it); returns, per entitlement, one page of the grants of it (by
// id, as directory/grants-by-id returns them), their users when asked (else an empty list) and
// their total. The page is cut before the users are read, so an entitlement held by thousands
// costs one page.
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
RETURN entitlementId AS parentId, grants, users, COUNT { (e)<-[:OF]-(:Grant) } AS total
