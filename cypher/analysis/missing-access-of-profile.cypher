// Takes $profileId, $userIds (null = every member), $entitlementIds (null = every item), $after (a
// user id or null), $limit. Returns one row for the profile (none when it does not exist): of its
// members (among $userIds), those lacking one of its items (among $entitlementIds), by the rule of
// the drifted-members report (no grant of the item, whatever its sources, and no open grant task
// for it): memberCount (how many members lack access), missingCount (member-item pairs), itemIds
// (the items missing, sorted) and one page of rows by user id, [{userId, entitlementIds}].
MATCH (p:AccessProfile {id: $profileId})-[:ENROLLMENT_ENTITLEMENT]->(en:Entitlement)
CALL {
  WITH p, en
  MATCH (en)<-[:OF]-(:Grant)<-[:HOLDS]-(u:User)
  WHERE $userIds IS NULL OR u.id IN $userIds
  WITH p, u,
       COLLECT {
         MATCH (p)-[:INCLUDES]->(e:Entitlement)
         WHERE ($entitlementIds IS NULL OR e.id IN $entitlementIds)
           AND NOT EXISTS { MATCH (:Grant {key: u.id + '|' + e.id}) }
           AND NOT EXISTS { MATCH (:Task {openKey: 'GRANT|' + u.id + '|' + e.id}) }
         RETURN e.id ORDER BY e.id
       } AS missing
  WHERE size(missing) > 0
  WITH u, missing ORDER BY u.id
  RETURN collect({userId: u.id, entitlementIds: missing}) AS lacking
}
CALL {
  WITH lacking
  UNWIND lacking AS r
  UNWIND r.entitlementIds AS id
  WITH DISTINCT id ORDER BY id
  RETURN collect(id) AS itemIds
}
RETURN size(lacking) AS memberCount,
       reduce(n = 0, r IN lacking | n + size(r.entitlementIds)) AS missingCount,
       itemIds,
       [r IN lacking WHERE $after IS NULL OR r.userId > $after][..$limit] AS rows
