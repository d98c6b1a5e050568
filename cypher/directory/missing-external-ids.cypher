// Takes $label ('User' | 'App' | 'Entitlement') and $externalIds; returns those not in the graph.
UNWIND $externalIds AS externalId
OPTIONAL MATCH (n {externalId: externalId})
WHERE $label IN labels(n)
WITH externalId, n
WHERE n IS NULL
RETURN collect(DISTINCT externalId) AS missing
