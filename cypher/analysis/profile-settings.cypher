// Takes $profileId; returns the profile's automation and items as the sync and the workflow read
// them: enrollment entitlement id, mode, enabled, pauseOnAnomalies, unenrollmentAction, condition,
// excluded user and item ids. No row for an unknown profile.
MATCH (p:AccessProfile {id: $profileId})-[:ENROLLMENT_ENTITLEMENT]->(en:Entitlement)
RETURN p.id AS profileId, en.id AS enrollmentEntitlementId, p.automationEnabled AS automationEnabled,
       p.automationMode AS mode, p.pauseOnAnomalies AS pauseOnAnomalies, p.unenrollmentAction AS unenrollmentAction,
       [(p)-[:CONDITION]->(c:Entitlement) | c.id] AS conditionIds,
       [(p)-[:EXCLUDES]->(x:User) | x.id] AS excludedIds,
       [(p)-[:INCLUDES]->(i:Entitlement) | i.id] AS itemIds
