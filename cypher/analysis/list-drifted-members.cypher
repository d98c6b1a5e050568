// Takes $after (a "profileId|userId" key or null), $limit; returns the total and one page, by key,
// of drifted members: {key, profileId, userId, excluded, automationEnabled, noLongerMatches,
// missingItemIds, pendingUnenrollmentTaskId}. A member drifts in two ways, and a row may be both:
// - no longer matches: enrolled by the rule of a profile with a condition, and holding none of its
//   condition entitlements or excluded (the next sync would unenroll them, or has paused);
// - missing access: lacking one of the profile's items, i.e. holding no grant of it (whatever the
//   grant's sources) and having no open grant task for it (open key GRANT|user|item), whatever
//   the reason (enrolled under SYNC_MEMBERS_ONLY, an item task denied or failed, the grant removed
//   at the source). missingItemIds lists those items, sorted.
// Every member of every profile is read once, with index seeks (grant key, open key) per item.
MATCH (p:AccessProfile)-[:ENROLLMENT_ENTITLEMENT]->(en:Entitlement)
MATCH (en)<-[:OF]-(mg:Grant)<-[:HOLDS]-(u:User)
WITH p, en, u, mg.enrolledVia = 'RULE' AND EXISTS { (p)-[:CONDITION]->(:Entitlement) } AS ruled,
     EXISTS { (p)-[:EXCLUDES]->(u) } AS excluded
WITH p, en, u, excluded,
     ruled AND (excluded OR NOT EXISTS { (u)-[:HOLDS]->(:Grant)-[:OF]->(:Entitlement)<-[:CONDITION]-(p) }) AS noLongerMatches,
     COLLECT {
       MATCH (p)-[:INCLUDES]->(e:Entitlement)
       WHERE NOT EXISTS { MATCH (:Grant {key: u.id + '|' + e.id}) }
         AND NOT EXISTS { MATCH (:Task {openKey: 'GRANT|' + u.id + '|' + e.id}) }
       RETURN e.id ORDER BY e.id
     } AS missingItemIds
WITH p, en, u, excluded, noLongerMatches, missingItemIds
WHERE noLongerMatches OR size(missingItemIds) > 0
WITH p, en, u, excluded, noLongerMatches, missingItemIds, p.id + '|' + u.id AS key
ORDER BY key
WITH collect({key: key, profileId: p.id, userId: u.id, excluded: excluded, automationEnabled: coalesce(p.automationEnabled, false),
              noLongerMatches: noLongerMatches, missingItemIds: missingItemIds, enrollmentEntitlementId: en.id}) AS rows
WITH size(rows) AS total, [r IN rows WHERE r.key > coalesce($after, '')][..$limit] AS page
UNWIND (CASE WHEN size(page) = 0 THEN [null] ELSE page END) AS r
OPTIONAL MATCH (t:Task {openKey: 'REVOKE|' + r.userId + '|' + r.enrollmentEntitlementId})
RETURN total, [x IN collect(CASE WHEN r IS NULL THEN null ELSE r {.*, pendingUnenrollmentTaskId: t.id} END) WHERE x IS NOT NULL] AS rows
