// Takes $rows: [{profileId, userIds}] (users a sync of that profile would unenroll: a paused run's
// staged unenrollments, or a preview's). Returns one row per profile and user who would lose
// something: profileId, userId, entitlementIds (sorted), the entitlements the unenrollment would
// revoke, as analysis/unenrollment-revocations decides it with no other profile left. The action
// is the profile's unenrollmentAction (unset: REVOKE_UNJUSTIFIED), and LEAVE_AS_IS under
// SYNC_MEMBERS_ONLY (a sync's membership change changes no access there): REVOKE_ALL every grant
// that lists the profile as a source; REVOKE_UNJUSTIFIED those neither direct nor held through
// another profile the user stays a member of (one that includes the entitlement or that the grant
// lists as a source); LEAVE_AS_IS nothing (no rows).
UNWIND $rows AS row
MATCH (p:AccessProfile {id: row.profileId})
WITH p, row, CASE WHEN p.automationMode = 'SYNC_MEMBERS_ONLY' THEN 'LEAVE_AS_IS' ELSE coalesce(p.unenrollmentAction, 'REVOKE_UNJUSTIFIED') END AS action
WHERE action IN ['REVOKE_ALL', 'REVOKE_UNJUSTIFIED']
UNWIND row.userIds AS userId
MATCH (u:User {id: userId})-[:HOLDS]->(g:Grant)-[:FROM_PROFILE]->(p)
MATCH (g)-[:OF]->(e:Entitlement)
WITH p, u, g, e, action,
     EXISTS {
       MATCH (u)-[:HOLDS]->(:Grant)-[:OF]->(:Entitlement)<-[:ENROLLMENT_ENTITLEMENT]-(q:AccessProfile)
       WHERE q <> p AND ((q)-[:INCLUDES]->(e) OR (g)-[:FROM_PROFILE]->(q))
     } AS heldElsewhere
WHERE action = 'REVOKE_ALL' OR (NOT coalesce(g.direct, false) AND NOT heldElsewhere)
WITH DISTINCT p.id AS profileId, u.id AS userId, e.id AS entitlementId
ORDER BY profileId, userId, entitlementId
RETURN profileId, userId, collect(entitlementId) AS entitlementIds
