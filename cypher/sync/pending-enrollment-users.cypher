// Takes $profileIds, $after (a user id or null), $limit; returns, per profile, one page of the ids
// of users with an open enrollment (GRANT) task, by id, and how many there are.
UNWIND $profileIds AS profileId
MATCH (p:AccessProfile {id: profileId})-[:ENROLLMENT_ENTITLEMENT]->(en:Entitlement)
CALL {
  WITH en
  MATCH (en)<-[:ON_ENTITLEMENT]-(t:Task {kind: 'GRANT'})-[:FOR_USER]->(u:User)
  WHERE t.state IN ['PENDING_APPROVAL', 'PENDING_PROVISIONING'] AND ($after IS NULL OR u.id > $after)
  WITH DISTINCT u ORDER BY u.id LIMIT $limit
  RETURN collect(u.id) AS ids
}
RETURN profileId AS parentId, ids,
       COUNT { MATCH (en)<-[:ON_ENTITLEMENT]-(t:Task {kind: 'GRANT'})
               WHERE t.state IN ['PENDING_APPROVAL', 'PENDING_PROVISIONING'] } AS total
