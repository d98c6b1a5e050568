// Takes $profileIds; returns per profile the ids of its PAUSED sync runs (at most one in practice).
UNWIND $profileIds AS profileId
MATCH (p:AccessProfile {id: profileId})
RETURN profileId AS parentId, [(p)<-[:OF_PROFILE]-(r:SyncRun {state: 'PAUSED'}) | r.id] AS ids
