// Takes $entitlementId, $sourceType (null, 'DIRECT' or 'PROFILE'), $profileId (null or a profile
// id); returns the number of grants of the entitlement whose recorded sources pass the filters.
MATCH (e:Entitlement {id: $entitlementId})<-[:OF]-(g:Grant)
WHERE ($sourceType IS NULL
       OR ($sourceType = 'DIRECT' AND g.direct = true)
       OR ($sourceType = 'PROFILE' AND EXISTS { (g)-[:FROM_PROFILE]->(:AccessProfile) }))
  AND ($profileId IS NULL OR EXISTS { (g)-[:FROM_PROFILE]->(:AccessProfile {id: $profileId}) })
RETURN count(g) AS total
