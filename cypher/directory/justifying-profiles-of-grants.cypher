// Takes $grantIds; returns, per grant, the profiles that justify it now: profiles that include the
// grant's entitlement and in which the grant's user is enrolled.
UNWIND $grantIds AS grantId
MATCH (u:User)-[:HOLDS]->(:Grant {id: grantId})-[:OF]->(e:Entitlement)
OPTIONAL MATCH (e)<-[:INCLUDES]-(p:AccessProfile)-[:ENROLLMENT_ENTITLEMENT]->(:Entitlement)<-[:OF]-(:Grant)<-[:HOLDS]-(u)
WITH grantId, p ORDER BY p.id
RETURN grantId AS parentId, collect(DISTINCT p.id) AS ids
