// Takes $userIds, $itemIds, $limit; returns the grant tasks a cascade would create: per user, each
// item the user neither holds nor has an open grant task for. Returns the count and the first
// $limit of them as {userId, entitlementId} (by user id, then entitlement id).
UNWIND $userIds AS userId
MATCH (u:User {id: userId})
UNWIND $itemIds AS itemId
MATCH (i:Entitlement {id: itemId})
WHERE NOT EXISTS { (u)-[:HOLDS]->(:Grant)-[:OF]->(i) }
  AND NOT EXISTS { MATCH (t:Task {openKey: 'GRANT|' + u.id + '|' + i.id}) }
WITH u.id AS userId, i.id AS entitlementId ORDER BY userId, entitlementId
WITH collect({userId: userId, entitlementId: entitlementId}) AS rows
RETURN size(rows) AS total, rows[..$limit] AS rows
