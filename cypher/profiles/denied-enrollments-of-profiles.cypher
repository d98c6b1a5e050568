// Takes $profileIds, $after, $limit; returns, per profile, one page of the ids of the users
// whose rule enrollment a reviewer denied while they still match (ENROLLMENT_DENIED), by id, and how many there are.
UNWIND $profileIds AS profileId
MATCH (p:AccessProfile {id: profileId})
CALL {
  WITH p
  MATCH (u:User)-[:ENROLLMENT_DENIED]->(p)
  WHERE $after IS NULL OR u.id > $after
  WITH u ORDER BY u.id LIMIT $limit
  RETURN collect(u.id) AS ids
}
RETURN profileId AS parentId, ids, COUNT { (:User)-[:ENROLLMENT_DENIED]->(p) } AS total
