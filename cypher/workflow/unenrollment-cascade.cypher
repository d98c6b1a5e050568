// Takes $rows [{parentId, userId, profileId, action}] (members just unenrolled, or current members
// when items are removed), $entitlementIds (only these items; null = all). In one traversal over
// the user's grants that list the profile as a source: each loses this profile as a source, and
// a row is returned for each grant to revoke: all of them for REVOKE_ALL; for REVOKE_UNJUSTIFIED
// only those not also held directly nor through another profile the user is still enrolled in
// (one that lists the grant as its source or includes the entitlement); none for LEAVE_AS_IS.
UNWIND $rows AS row
MATCH (u:User {id: row.userId})-[:HOLDS]->(g:Grant)-[source:FROM_PROFILE]->(p:AccessProfile {id: row.profileId})
MATCH (g)-[:OF]->(e:Entitlement)
WHERE $entitlementIds IS NULL OR e.id IN $entitlementIds
WITH row, u, g, source, p, e,
     coalesce(g.direct, false) OR EXISTS {
       MATCH (u)-[:HOLDS]->(:Grant)-[:OF]->(:Entitlement)<-[:ENROLLMENT_ENTITLEMENT]-(other:AccessProfile)
       WHERE other <> p AND ((other)-[:INCLUDES]->(e) OR (g)-[:FROM_PROFILE]->(other))
     } AS justified
DELETE source
WITH row, e, justified
WHERE row.action = 'REVOKE_ALL' OR (row.action = 'REVOKE_UNJUSTIFIED' AND NOT justified)
RETURN row.parentId AS parentId, row.userId AS userId, row.profileId AS profileId, e.id AS entitlementId
