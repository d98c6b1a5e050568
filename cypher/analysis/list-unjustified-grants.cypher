// Takes $after (a grant id or null), $limit; returns one page, by grant id, of unjustified grants:
// grants of standard entitlements held with no remaining source (not direct, and no profile the
// holder is a member of includes the entitlement), as {grantId, userId, entitlementId, grantedAt,
// staleProfileIds: profiles the grant still lists as sources but that no longer justify it}.
// Membership is checked from the entitlement's profiles: each one's enrollment grant of the holder
// is one seek on the grant key (userId|entitlementId), instead of walking every grant the holder
// has (half the time on 500,000 grants, docs/performance.md).
MATCH (g:Grant)
WHERE g.id > coalesce($after, '') AND NOT coalesce(g.direct, false)
MATCH (u:User)-[:HOLDS]->(g)-[:OF]->(e:Entitlement {kind: 'STANDARD'})
WHERE NOT EXISTS {
  MATCH (e)<-[:INCLUDES]-(:AccessProfile)-[:ENROLLMENT_ENTITLEMENT]->(en:Entitlement)
  MATCH (:Grant {key: u.id + '|' + en.id})
}
WITH g, u, e ORDER BY g.id LIMIT $limit
RETURN g.id AS grantId, u.id AS userId, e.id AS entitlementId, g.grantedAt AS grantedAt,
       [(g)-[:FROM_PROFILE]->(p:AccessProfile) | p.id] AS staleProfileIds
