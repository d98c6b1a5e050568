// Takes nothing; returns the number of unjustified grants (see list-unjustified-grants): a scan of
// every grant that is not direct.
MATCH (u:User)-[:HOLDS]->(g:Grant)-[:OF]->(e:Entitlement {kind: 'STANDARD'})
WHERE NOT coalesce(g.direct, false)
  AND NOT EXISTS {
    MATCH (e)<-[:INCLUDES]-(:AccessProfile)-[:ENROLLMENT_ENTITLEMENT]->(en:Entitlement)
    MATCH (:Grant {key: u.id + '|' + en.id})
  }
RETURN count(g) AS total
