// Takes $profileId. Returns what a sync of the profile would do now, set-based over the whole
// profile: its automation settings, memberCount (holders of the enrollment entitlement), toEnroll
// (ids of users matching the condition, i.e. holding ANY condition entitlement, not excluded, not
// members, not pending enrollment, and whose rule enrollment a reviewer has not denied while they
// match: ENROLLMENT_DENIED), toUnenroll (ids of RULE members who are excluded, or no longer match
// and were not kept by a reviewer's denial of their unenrollment: KEPT_BY_DECISION, minus those
// pending unenrollment), staleEnrollTasks (open SYNC enrollment tasks of users who no longer match)
// and staleUnenrollTasks (open SYNC unenrollment tasks of users who match again). No row when the
// profile does not exist. Cost: one pass over the users holding a condition entitlement (index
// seeks by grant key and open key per user; the exclusion and denial checks only when the profile
// has some, counted from the profile's degree: checking a user's relationships by type walks all of
// them); members and open enrollment tasks outside that set are only counted (the member count is
// the entitlement's degree; open tasks come from the index on openOn, the task's entitlement while
// it is open, never closed ones), and listed only when there are some, which is when the sync has
// work to do.
MATCH (p:AccessProfile {id: $profileId})-[:ENROLLMENT_ENTITLEMENT]->(en:Entitlement)
WITH p, en, '|' + en.id AS suffix, [(p)-[:CONDITION]->(c:Entitlement) | c.id] AS conditionIds,
     COUNT { (en)<-[:OF]-() } AS memberCount, COUNT { (p)-[:EXCLUDES]->() } AS exclusions,
     COUNT { (p)<-[:ENROLLMENT_DENIED]-() } AS denials
CALL {
  WITH p, suffix, exclusions, denials
  MATCH (p)-[:CONDITION]->(:Entitlement)<-[:OF]-(:Grant)<-[:HOLDS]-(u:User)
  WITH DISTINCT p, suffix, exclusions, denials, u
  OPTIONAL MATCH (g:Grant {key: u.id + suffix})
  OPTIONAL MATCH (enroll:Task {openKey: 'GRANT' + '|' + u.id + suffix})
  OPTIONAL MATCH (unenroll:Task {openKey: 'REVOKE' + '|' + u.id + suffix})
  WITH p, u, g, enroll, unenroll, denials, CASE WHEN exclusions = 0 THEN false ELSE EXISTS { (p)-[:EXCLUDES]->(u) } END AS excluded
  RETURN collect(CASE WHEN NOT excluded AND g IS NULL AND enroll IS NULL AND (denials = 0 OR NOT EXISTS { (u)-[:ENROLLMENT_DENIED]->(p) }) THEN u.id END) AS toEnroll,
         count(g) AS matchingMembers,
         collect(CASE WHEN excluded AND g.enrolledVia = 'RULE' AND unenroll IS NULL THEN u.id END) AS excludedToUnenroll,
         count(CASE WHEN NOT excluded AND enroll.origin = 'SYNC' THEN 1 END) AS matchingSyncEnrollTasks,
         collect(CASE WHEN NOT excluded AND unenroll.origin = 'SYNC' THEN unenroll.id END) AS staleUnenrollTasks
}
CALL {
  // Members outside the matching users: only when the counts say there are some.
  WITH p, en, suffix, conditionIds, memberCount, matchingMembers
  WITH p, en, suffix, conditionIds WHERE memberCount > matchingMembers
  MATCH (en)<-[:OF]-(g:Grant)<-[:HOLDS]-(u:User)
  WHERE g.enrolledVia = 'RULE'
    AND NOT EXISTS { MATCH (u)-[:HOLDS]->(:Grant)-[:OF]->(c:Entitlement) WHERE c.id IN conditionIds }
    AND NOT EXISTS { MATCH (:Task {openKey: 'REVOKE' + '|' + u.id + suffix}) }
    AND NOT EXISTS { (u)-[:KEPT_BY_DECISION]->(p) }
  RETURN collect(u.id) AS unmatchedToUnenroll
}
CALL {
  // Open SYNC enrollment tasks (from the openOn index: open tasks only).
  WITH en
  MATCH (t:Task {openOn: en.id})
  RETURN count(CASE WHEN t.kind = 'GRANT' AND t.origin = 'SYNC' THEN 1 END) AS openSyncEnrollTasks
}
CALL {
  // Those of users who do not match (excluded, or outside the matching users): only when the
  // counts say there are some.
  WITH p, en, conditionIds, openSyncEnrollTasks, matchingSyncEnrollTasks
  UNWIND CASE WHEN openSyncEnrollTasks > matchingSyncEnrollTasks THEN [en.id] ELSE [] END AS wanted
  MATCH (t:Task {openOn: wanted})
  WHERE t.kind = 'GRANT' AND t.origin = 'SYNC'
  MATCH (t)-[:FOR_USER]->(u:User)
  WHERE EXISTS { (p)-[:EXCLUDES]->(u) }
     OR NOT EXISTS { MATCH (u)-[:HOLDS]->(:Grant)-[:OF]->(c:Entitlement) WHERE c.id IN conditionIds }
  RETURN collect(t.id) AS staleEnrollTasks
}
RETURN p.automationEnabled AS enabled, p.automationMode AS mode, p.pauseOnAnomalies AS pauseOnAnomalies,
       en.id AS enrollmentEntitlementId, memberCount, toEnroll, excludedToUnenroll + unmatchedToUnenroll AS toUnenroll,
       staleEnrollTasks, staleUnenrollTasks
