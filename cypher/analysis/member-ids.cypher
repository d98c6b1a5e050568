// Takes $profileId; returns the ids of the profile's members (users holding its enrollment
// entitlement), sorted, with how each was enrolled.
MATCH (p:AccessProfile {id: $profileId})-[:ENROLLMENT_ENTITLEMENT]->(en:Entitlement)
OPTIONAL MATCH (en)<-[:OF]-(g:Grant)<-[:HOLDS]-(u:User)
WITH u, g ORDER BY u.id
RETURN collect(u.id) AS memberIds
