// Takes $after (a "profileId|userId" key or null), $limit; returns the total and one page, by key,
// of excluded users who hold none of the profile's condition entitlements (the exclusion changes
// nothing today): {key, profileId, userId, member}.
MATCH (p:AccessProfile)-[:EXCLUDES]->(u:User)
WHERE NOT EXISTS { (u)-[:HOLDS]->(:Grant)-[:OF]->(:Entitlement)<-[:CONDITION]-(p) }
WITH p, u, p.id + '|' + u.id AS key ORDER BY key
WITH collect({key: key, profileId: p.id, userId: u.id,
              member: EXISTS { (u)-[:HOLDS]->(:Grant)-[:OF]->(:Entitlement)<-[:ENROLLMENT_ENTITLEMENT]-(p) }}) AS rows
RETURN size(rows) AS total, [r IN rows WHERE r.key > coalesce($after, '')][..$limit] AS rows
