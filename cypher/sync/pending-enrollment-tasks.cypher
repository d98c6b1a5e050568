// Takes $profileIds, $after (a task id or null), $limit; returns, per profile, one page of the ids
// of open enrollment (GRANT) tasks on its enrollment entitlement, by id, and how many there are.
UNWIND $profileIds AS profileId
MATCH (p:AccessProfile {id: profileId})-[:ENROLLMENT_ENTITLEMENT]->(en:Entitlement)
CALL {
  WITH en
  MATCH (en)<-[:ON_ENTITLEMENT]-(t:Task {kind: 'GRANT'})
  WHERE t.state IN ['PENDING_APPROVAL', 'PENDING_PROVISIONING'] AND ($after IS NULL OR t.id > $after)
  WITH t ORDER BY t.id LIMIT $limit
  RETURN collect(t.id) AS ids
}
RETURN profileId AS parentId, ids,
       COUNT { MATCH (en)<-[:ON_ENTITLEMENT]-(t:Task {kind: 'GRANT'})
               WHERE t.state IN ['PENDING_APPROVAL', 'PENDING_PROVISIONING'] } AS total
