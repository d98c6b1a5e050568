// Takes $profileId, $userIds (users whose membership ends, or members losing items), $entitlementIds
// (null: every grant listing the profile as a source; else only these entitlements), $action
// (LEAVE_AS_IS / REVOKE_ALL / REVOKE_UNJUSTIFIED), $leavingProfileIds (other profiles these users
// are also leaving, which no longer justify anything), $limit. Returns how the profile's
// unenrollment action treats each of the users' grants that list the profile as a source:
// revokeCount, keepCount, revokedUserCount and the first $limit revoked grants as {userId, entitlementId} (a grant
// stays, under REVOKE_UNJUSTIFIED, when it is direct or held through another profile the user stays
// a member of: one that includes the entitlement or that the grant lists as a source).
UNWIND $userIds AS userId
MATCH (u:User {id: userId})-[:HOLDS]->(g:Grant)-[:FROM_PROFILE]->(p:AccessProfile {id: $profileId})
MATCH (g)-[:OF]->(e:Entitlement)
WHERE $entitlementIds IS NULL OR e.id IN $entitlementIds
WITH u, g, e, p,
     EXISTS {
       MATCH (u)-[:HOLDS]->(:Grant)-[:OF]->(:Entitlement)<-[:ENROLLMENT_ENTITLEMENT]-(q:AccessProfile)
       WHERE q <> p AND NOT q.id IN $leavingProfileIds AND ((q)-[:INCLUDES]->(e) OR (g)-[:FROM_PROFILE]->(q))
     } AS heldElsewhere
WITH u.id AS userId, e.id AS entitlementId,
     CASE $action
       WHEN 'REVOKE_ALL' THEN true
       WHEN 'REVOKE_UNJUSTIFIED' THEN NOT coalesce(g.direct, false) AND NOT heldElsewhere
       ELSE false
     END AS revoked
ORDER BY userId, entitlementId
WITH collect(CASE WHEN revoked THEN {userId: userId, entitlementId: entitlementId} END) AS revokedRows,
     count(*) AS all, count(DISTINCT CASE WHEN revoked THEN userId END) AS revokedUserCount
RETURN size(revokedRows) AS revokeCount, all - size(revokedRows) AS keepCount, revokedUserCount, revokedRows[..$limit] AS rows
