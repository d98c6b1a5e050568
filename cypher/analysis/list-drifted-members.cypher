// Takes $after (a "profileId|userId" key or null), $limit; returns the total and one page, by key,
// of rule members who no longer match their profile's saved condition or are excluded (the next
// sync would unenroll them, or has paused): {key, profileId, userId, excluded, automationEnabled,
// pendingUnenrollmentTaskId}. Profiles without a condition are skipped.
MATCH (p:AccessProfile)-[:ENROLLMENT_ENTITLEMENT]->(en:Entitlement)
WHERE EXISTS { (p)-[:CONDITION]->(:Entitlement) }
MATCH (en)<-[:OF]-(:Grant {enrolledVia: 'RULE'})<-[:HOLDS]-(u:User)
WITH p, en, u, EXISTS { (p)-[:EXCLUDES]->(u) } AS excluded
WHERE excluded OR NOT EXISTS { (u)-[:HOLDS]->(:Grant)-[:OF]->(:Entitlement)<-[:CONDITION]-(p) }
WITH p, en, u, excluded, p.id + '|' + u.id AS key
ORDER BY key
WITH collect({key: key, profileId: p.id, userId: u.id, excluded: excluded, automationEnabled: p.automationEnabled, enrollmentEntitlementId: en.id}) AS rows
WITH size(rows) AS total, [r IN rows WHERE r.key > coalesce($after, '')][..$limit] AS page
UNWIND (CASE WHEN size(page) = 0 THEN [null] ELSE page END) AS r
OPTIONAL MATCH (t:Task {openKey: 'REVOKE|' + r.userId + '|' + r.enrollmentEntitlementId})
RETURN total, [x IN collect(CASE WHEN r IS NULL THEN null ELSE r {.*, pendingUnenrollmentTaskId: t.id} END) WHERE x IS NOT NULL] AS rows
