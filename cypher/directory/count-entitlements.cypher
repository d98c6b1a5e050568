// Takes $search; returns how many entitlements match.
MATCH (e:Entitlement)
WHERE $search IS NULL OR toLower(e.name) CONTAINS toLower($search)
RETURN count(e) AS total
