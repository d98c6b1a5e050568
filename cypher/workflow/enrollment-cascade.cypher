// Takes $rows [{parentId, userId, profileId}] (members just enrolled, or current members when
// items are added), $entitlementIds (only these items; null = all the profile's items).
// Items the user already holds gain the profile as a source; returns one row per item the user
// does not hold yet, for which a grant task is to be created. The user's grant of an item is looked
// up by its key (userId|entitlementId, unique): one index seek, not an expansion of all their grants.
UNWIND $rows AS row
MATCH (u:User {id: row.userId})
MATCH (p:AccessProfile {id: row.profileId})-[:INCLUDES]->(e:Entitlement)
WHERE $entitlementIds IS NULL OR e.id IN $entitlementIds
OPTIONAL MATCH (g:Grant {key: u.id + '|' + e.id})
CALL {
  WITH g, p
  WITH g, p WHERE g IS NOT NULL
  MERGE (g)-[:FROM_PROFILE]->(p)
}
WITH row, e, g WHERE g IS NULL
RETURN row.parentId AS parentId, row.userId AS userId, row.profileId AS profileId, e.id AS entitlementId
