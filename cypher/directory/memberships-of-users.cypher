// Takes $userIds; returns, per user, the ids of the profiles they are enrolled in.
UNWIND $userIds AS userId
OPTIONAL MATCH (:User {id: userId})-[:HOLDS]->(:Grant)-[:OF]->(:Entitlement)<-[:ENROLLMENT_ENTITLEMENT]-(p:AccessProfile)
RETURN userId AS parentId, collect(p.id) AS ids
