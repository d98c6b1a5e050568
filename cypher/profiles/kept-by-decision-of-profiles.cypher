// Takes $profileIds, $after, $limit; returns, per profile, one page of the ids of the users
// kept as members because a reviewer denied their unenrollment by the rule (KEPT_BY_DECISION), by id, and how many there are.
UNWIND $profileIds AS profileId
MATCH (p:AccessProfile {id: profileId})
CALL {
  WITH p
  MATCH (u:User)-[:KEPT_BY_DECISION]->(p)
  WHERE $after IS NULL OR u.id > $after
  WITH u ORDER BY u.id LIMIT $limit
  RETURN collect(u.id) AS ids
}
RETURN profileId AS parentId, ids, COUNT { (:User)-[:KEPT_BY_DECISION]->(p) } AS total
