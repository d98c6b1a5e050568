// Takes $profileIds, $after, $limit; returns, per profile, one page of member ids (users holding
// its enrollment entitlement, by id) and the member count.
UNWIND $profileIds AS profileId
MATCH (p:AccessProfile {id: profileId})-[:ENROLLMENT_ENTITLEMENT]->(en:Entitlement)
CALL {
  WITH en
  MATCH (en)<-[:OF]-(:Grant)<-[:HOLDS]-(u:User)
  WHERE $after IS NULL OR u.id > $after
  WITH u ORDER BY u.id LIMIT $limit
  RETURN collect(u.id) AS ids
}
RETURN profileId AS parentId, ids, COUNT { (en)<-[:OF]-(:Grant) } AS total
