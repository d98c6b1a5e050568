// Takes $profileIds, $after, $limit; returns, per profile, one page of its members (users holding
// its enrollment entitlement, by id, as directory/users-by-id returns them) and the member count.
UNWIND $profileIds AS profileId
MATCH (p:AccessProfile {id: profileId})-[:ENROLLMENT_ENTITLEMENT]->(en:Entitlement)
CALL {
  WITH en
  MATCH (en)<-[:OF]-(:Grant)<-[:HOLDS]-(u:User)
  WHERE $after IS NULL OR u.id > $after
  WITH u ORDER BY u.id LIMIT $limit
  RETURN collect(u {.id, .externalId, .email, .displayName, .status, .createdAt, role: coalesce(u.role, 'USER'),
                    managerId: head([(u)-[:REPORTS_TO]->(m:User) | m.id])}) AS users
}
RETURN profileId AS parentId, users, COUNT { (en)<-[:OF]-(:Grant) } AS total
