// Takes $profileIds; returns, per profile, the ids of its excluded users.
UNWIND $profileIds AS profileId
OPTIONAL MATCH (:AccessProfile {id: profileId})-[:EXCLUDES]->(u:User)
RETURN profileId AS parentId, collect(u.id) AS ids
