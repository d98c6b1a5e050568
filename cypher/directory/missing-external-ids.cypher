// Takes $label ('User' | 'App' | 'Entitlement') and $externalIds; returns those not in the graph.
// One EXISTS per label, so that each lookup is an index seek on that label's externalId.
UNWIND $externalIds AS externalId
WITH externalId
WHERE NOT (($label = 'User' AND EXISTS { MATCH (:User {externalId: externalId}) })
        OR ($label = 'App' AND EXISTS { MATCH (:App {externalId: externalId}) })
        OR ($label = 'Entitlement' AND EXISTS { MATCH (:Entitlement {externalId: externalId}) }))
RETURN collect(DISTINCT externalId) AS missing
