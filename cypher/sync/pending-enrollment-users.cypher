// Takes $profileIds, $after (a user id or null), $limit; returns, per profile, one page of the ids
// of users with an open enrollment (GRANT) task, by id, and how many there are.
// Open tasks come from the index on openOn (the task's entitlement, set only while it is open), so
// the entitlement's closed tasks are never read.
UNWIND $profileIds AS profileId
MATCH (p:AccessProfile {id: profileId})-[:ENROLLMENT_ENTITLEMENT]->(en:Entitlement)
CALL {
  WITH en
  MATCH (t:Task {openOn: en.id})
  WHERE t.kind = 'GRANT'
  MATCH (t)-[:FOR_USER]->(u:User)
  WITH DISTINCT u.id AS id ORDER BY id
  RETURN collect(id) AS openIds
}
RETURN profileId AS parentId, [id IN openIds WHERE $after IS NULL OR id > $after][0..$limit] AS ids, size(openIds) AS total
