// Takes $profileIds; returns, per profile, the ids of its condition entitlements.
UNWIND $profileIds AS profileId
OPTIONAL MATCH (:AccessProfile {id: profileId})-[:CONDITION]->(e:Entitlement)
RETURN profileId AS parentId, collect(e.id) AS ids
