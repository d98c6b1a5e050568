// Takes $profileIds; returns, per profile, the ids of its items.
UNWIND $profileIds AS profileId
OPTIONAL MATCH (:AccessProfile {id: profileId})-[:INCLUDES]->(e:Entitlement)
RETURN profileId AS parentId, collect(e.id) AS ids
