// Takes $rows [{userId, profileId}], $entitlementIds (null = any item). Returns the ids of the
// open item grant tasks of those users that came through the profile (enrollment, item added or
// missing access requested): the unenrollment cancels them.
UNWIND $rows AS row
MATCH (:User {id: row.userId})<-[:FOR_USER]-(t:Task)-[:VIA_PROFILE]->(:AccessProfile {id: row.profileId})
WHERE t.kind = 'GRANT' AND t.state IN ['PENDING_APPROVAL', 'PENDING_PROVISIONING']
  AND t.origin IN ['PROFILE_ENROLLMENT', 'PROFILE_ITEM_ADDED', 'PROFILE_MISSING_ACCESS']
  AND ($entitlementIds IS NULL OR EXISTS { (t)-[:ON_ENTITLEMENT]->(e:Entitlement) WHERE e.id IN $entitlementIds })
RETURN t.id AS id
