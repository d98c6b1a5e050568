// Takes $profileIds, $after (a task id or null), $limit; returns, per profile, one page of the ids
// of open enrollment (GRANT) tasks on its enrollment entitlement, by id, and how many there are.
// Open tasks come from the index on openOn (the task's entitlement, set only while it is open), so
// the entitlement's closed tasks are never read.
UNWIND $profileIds AS profileId
MATCH (p:AccessProfile {id: profileId})-[:ENROLLMENT_ENTITLEMENT]->(en:Entitlement)
CALL {
  WITH en
  MATCH (t:Task {openOn: en.id})
  WHERE t.kind = 'GRANT'
  WITH t.id AS id ORDER BY id
  RETURN collect(id) AS openIds
}
RETURN profileId AS parentId, [id IN openIds WHERE $after IS NULL OR id > $after][0..$limit] AS ids, size(openIds) AS total
