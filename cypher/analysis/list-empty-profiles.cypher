// Takes $after (a profile id or null), $limit; returns the total and one page, by id, of profiles
// with no members: {profileId, itemCount, pendingEnrollments (open enrollment tasks)}.
MATCH (p:AccessProfile)-[:ENROLLMENT_ENTITLEMENT]->(en:Entitlement)
WHERE NOT EXISTS { (en)<-[:OF]-(:Grant) }
WITH p, en ORDER BY p.id
WITH collect({profileId: p.id, itemCount: COUNT { (p)-[:INCLUDES]->(:Entitlement) },
              pendingEnrollments: COUNT { (en)<-[:ON_ENTITLEMENT]-(t:Task {kind: 'GRANT'}) WHERE t.openKey IS NOT NULL }}) AS rows
RETURN size(rows) AS total, [r IN rows WHERE r.profileId > coalesce($after, '')][..$limit] AS rows
