// Takes $ids, $now, $byId (the provisioner, null for the system). Completes REVOKE tasks that
// await provisioning: the user's grant of the entitlement is removed whatever its sources.
// Returns per task what the cascades need, and whether a grant was removed.
// The task is write-locked before its state is read, so a transition that a concurrent transaction
// committed meanwhile is seen and not overwritten.
UNWIND $ids AS id
MATCH (t:Task {id: id})
SET t._lock = true
REMOVE t._lock
WITH t WHERE t.state = 'PENDING_PROVISIONING' AND t.kind = 'REVOKE'
MATCH (t)-[:FOR_USER]->(u:User)
MATCH (t)-[:ON_ENTITLEMENT]->(e:Entitlement)
OPTIONAL MATCH (t)-[:VIA_PROFILE]->(via:AccessProfile)
OPTIONAL MATCH (own:AccessProfile)-[:ENROLLMENT_ENTITLEMENT]->(e)
SET t.state = 'DONE', t.updatedAt = $now, t.closedAt = $now, t.closedById = $byId
REMOVE t.openKey, t.openOn
WITH t, u, e, via, own
OPTIONAL MATCH (u)-[:HOLDS]->(g:Grant)-[:OF]->(e)
WITH t, u, e, via, own, g, g IS NOT NULL AS removed
DETACH DELETE g
RETURN t.id AS id, 'REVOKE' AS kind, u.id AS userId, e.id AS entitlementId, e.kind AS entitlementKind, t.origin AS origin,
       via.id AS profileId, own.id AS ownProfileId, own.automationMode AS automationMode,
       own.unenrollmentAction AS unenrollmentAction, removed AS changed
