// Takes $entitlementId, $sourceType (null, 'DIRECT' or 'PROFILE'), $profileId (null or a profile
// id), $after (a grant id or null), $limit; returns one page of holders by grant id: the grant id,
// the user id, the recorded sources (direct, source profile ids) and the profiles that justify it
// now (the user is a member and the profile includes the entitlement).
MATCH (e:Entitlement {id: $entitlementId})<-[:OF]-(g:Grant)<-[:HOLDS]-(u:User)
WHERE g.id > coalesce($after, '')
  AND ($sourceType IS NULL
       OR ($sourceType = 'DIRECT' AND g.direct = true)
       OR ($sourceType = 'PROFILE' AND EXISTS { (g)-[:FROM_PROFILE]->(:AccessProfile) }))
  AND ($profileId IS NULL OR EXISTS { (g)-[:FROM_PROFILE]->(:AccessProfile {id: $profileId}) })
WITH e, g, u ORDER BY g.id LIMIT $limit
RETURN g.id AS grantId, u.id AS userId, g.grantedAt AS grantedAt, coalesce(g.direct, false) AS direct,
       [(g)-[:FROM_PROFILE]->(p:AccessProfile) | p.id] AS sourceProfileIds,
       [(u)-[:HOLDS]->(:Grant)-[:OF]->(:Entitlement)<-[:ENROLLMENT_ENTITLEMENT]-(q:AccessProfile)-[:INCLUDES]->(e) | q.id] AS justifyingProfileIds
