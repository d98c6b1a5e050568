// Takes nothing; returns the number of unjustified grants (see list-unjustified-grants): a scan of
// every grant that is not direct.
MATCH (u:User)-[:HOLDS]->(g:Grant)-[:OF]->(e:Entitlement {kind: 'STANDARD'})
WHERE NOT coalesce(g.direct, false)
  AND NOT EXISTS {
    MATCH (u)-[:HOLDS]->(:Grant)-[:OF]->(:Entitlement)<-[:ENROLLMENT_ENTITLEMENT]-(q:AccessProfile)-[:INCLUDES]->(e)
  }
RETURN count(g) AS total
