// Takes $appIds, $after, $limit; returns, per app, one page of its entitlements (by id) and their total.
UNWIND $appIds AS appId
MATCH (a:App {id: appId})
CALL {
  WITH a
  MATCH (a)<-[:OF_APP]-(e:Entitlement)
  WHERE $after IS NULL OR e.id > $after
  WITH e ORDER BY e.id LIMIT $limit
  RETURN collect(e.id) AS ids
}
RETURN appId AS parentId, ids, COUNT { (a)<-[:OF_APP]-(:Entitlement) } AS total
