// Takes $entitlementIds, $after, $limit; returns, per entitlement, one page of the grants of it
// (by id) and their total.
UNWIND $entitlementIds AS entitlementId
MATCH (e:Entitlement {id: entitlementId})
CALL {
  WITH e
  MATCH (e)<-[:OF]-(g:Grant)
  WHERE $after IS NULL OR g.id > $after
  WITH g ORDER BY g.id LIMIT $limit
  RETURN collect(g.id) AS ids
}
RETURN entitlementId AS parentId, ids, COUNT { (e)<-[:OF]-(:Grant) } AS total
