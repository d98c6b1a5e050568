// Takes $userIds, $after, $limit and, as flags, what to bring along: $withEntitlements (each
// grant's entitlement, as directory/entitlements-by-id returns it), $withApps (those entitlements'
// apps, as directory/apps-by-id), $withJustifiedBy (per grant, the profiles that justify it, as
// directory/justifying-profiles-of-grants finds them and profiles/profiles-by-id returns them).
// Returns, per user, one page of their grants (by id, as directory/grants-by-id returns them),
// their total (the user's HOLDS degree: only grants are held), and what was asked for (empty lists
// otherwise); with $withParent, the user too, as directory/users-by-id returns it (else null):
// node(id) brings the page along in its lookup (src/schema/node-fold.ts). The page is cut before
// anything is brought along, so a user with thousands of grants costs one page. With $userIds null,
// the users are a page of users as directory/list-users finds them ($usersAfter, $usersLimit,
// $search: the same filter and order), so that `users` reads its page and their grants in one
// statement (src/schema/users-fold.ts); the rows then come in id order.
WITH CASE WHEN $userIds IS NULL THEN COLLECT {
       MATCH (x:User)
       WHERE x.id > coalesce($usersAfter, '')
         AND ($search IS NULL OR toLower(x.displayName) CONTAINS toLower($search) OR toLower(x.email) CONTAINS toLower($search)
              OR toLower(x.externalId) CONTAINS toLower($search))
       WITH x ORDER BY x.id LIMIT $usersLimit
       RETURN x.id
     } ELSE $userIds END AS userIds
UNWIND userIds AS userId
MATCH (u:User {id: userId})
// The profiles the user is enrolled in, read once from the user's side (few grants) rather than
// per grant from each profile's enrollment entitlement (all its members).
WITH userId, u, CASE WHEN $withJustifiedBy THEN COLLECT {
       MATCH (u)-[:HOLDS]->(:Grant)-[:OF]->(:Entitlement)<-[:ENROLLMENT_ENTITLEMENT]-(p:AccessProfile)
       WITH DISTINCT p ORDER BY p.id
       RETURN p
     } ELSE [] END AS enrolled
CALL {
  WITH u, enrolled
  MATCH (u)-[:HOLDS]->(g:Grant)
  WHERE $after IS NULL OR g.id > $after
  WITH u, enrolled, g ORDER BY g.id LIMIT $limit
  MATCH (g)-[:OF]->(e:Entitlement)
  // One walk of the entitlement's relationships finds its app, profile and policies (four
  // patterns would walk its many grants four times).
  WITH u, enrolled, g, e, CASE WHEN $withEntitlements OR $withApps
                  THEN [(e)-[r:OF_APP|ENROLLMENT_ENTITLEMENT|EXCLUSION_ENTITLEMENT|REQUEST_POLICY|REVOKE_POLICY]-(x) | [type(r), x]] END AS links
  WITH u, enrolled, g, e, links, CASE WHEN $withApps THEN head([l IN links WHERE l[0] = 'OF_APP' | l[1]]) END AS a
  RETURN collect(g {.id, .grantedAt, direct: coalesce(g.direct, false), .enrolledVia, userId: u.id, entitlementId: e.id,
                    sourceProfileIds: [(g)-[:FROM_PROFILE]->(p:AccessProfile) | p.id]}) AS grants,
         collect(CASE WHEN $withEntitlements THEN e {.id, .externalId, .name, .kind,
                   appId: head([l IN links WHERE l[0] = 'OF_APP' | l[1].id]),
                   profileId: head([l IN links WHERE l[0] IN ['ENROLLMENT_ENTITLEMENT', 'EXCLUSION_ENTITLEMENT'] | l[1].id]),
                   requestPolicyId: head([l IN links WHERE l[0] = 'REQUEST_POLICY' | l[1].id]),
                   revokePolicyId: head([l IN links WHERE l[0] = 'REVOKE_POLICY' | l[1].id])} END) AS entitlements,
         // Each app once per page, however many of its entitlements the page holds.
         [a IN collect(DISTINCT a) | a {.id, .externalId, .name, .provisioning, ownerIds: [(a)-[:OWNED_BY]->(o:User) | o.id]}] AS apps,
         collect(CASE WHEN $withJustifiedBy THEN {grantId: g.id, profiles: [p IN enrolled WHERE (p)-[:INCLUDES]->(e) |
                   p {.id, .name, .description, .allowEnrollmentRequests, .bypassItemRequestPolicies, .bypassItemRevokePolicies,
                      .unenrollmentAction, .automationEnabled, .automationMode, .pauseOnAnomalies,
                      enrollmentEntitlementId: head([(p)-[:ENROLLMENT_ENTITLEMENT]->(en:Entitlement) | en.id]),
                      exclusionEntitlementId: head([(p)-[:EXCLUSION_ENTITLEMENT]->(ex:Entitlement) | ex.id]),
                      enrollmentPolicyId: head([(p)-[:ENROLLMENT_POLICY]->(ep:Policy) | ep.id]),
                      unenrollmentPolicyId: head([(p)-[:UNENROLLMENT_POLICY]->(up:Policy) | up.id])}]} END) AS justified
}
RETURN userId AS parentId, grants, entitlements, apps, justified, COUNT { (u)-[:HOLDS]->() } AS total,
       CASE WHEN $withParent THEN u {.id, .externalId, .email, .displayName, .status, .createdAt, role: coalesce(u.role, 'USER'),
            managerId: head([(u)-[:REPORTS_TO]->(m:User) | m.id])} END AS parent
