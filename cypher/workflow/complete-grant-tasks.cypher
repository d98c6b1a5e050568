// Takes $rows [{id, grantId}], $now, $byId (the provisioner, null for the system). Completes GRANT
// tasks that await provisioning: the user holds the entitlement, key userId|entitlementId. An
// item task that came through a profile adds that profile as a source; any other task (including
// an enrollment, the profile's own entitlement) sets the direct source. An already-held grant just
// gains the source. An enrollment grant records how the user enrolled (enrolledVia). Returns per
// task what the cascades need, and whether the grant was created now (it carries the row's new
// grantId: no marker property written and removed).
// The task is write-locked before its state is read, so a transition that a concurrent transaction
// committed meanwhile is seen and not overwritten.
UNWIND $rows AS row
MATCH (t:Task {id: row.id})
SET t._lock = true
REMOVE t._lock
WITH row, t WHERE t.state = 'PENDING_PROVISIONING' AND t.kind = 'GRANT'
MATCH (t)-[:FOR_USER]->(u:User)
MATCH (t)-[:ON_ENTITLEMENT]->(e:Entitlement)
OPTIONAL MATCH (t)-[:VIA_PROFILE]->(via:AccessProfile)
OPTIONAL MATCH (own:AccessProfile)-[:ENROLLMENT_ENTITLEMENT]->(e)
SET t.state = 'DONE', t.updatedAt = $now, t.closedAt = $now, t.closedById = $byId
REMOVE t.openKey, t.openOn
MERGE (g:Grant {key: u.id + '|' + e.id})
  ON CREATE SET g.id = row.grantId, g.grantedAt = $now
WITH t, u, e, via, own, g, coalesce(g.id = row.grantId, false) AS created,
     via IS NOT NULL AND NOT EXISTS { (via)-[:ENROLLMENT_ENTITLEMENT|EXCLUSION_ENTITLEMENT]->(e) } AS fromProfile
SET g.direct = CASE WHEN fromProfile THEN g.direct ELSE true END,
    g.enrolledVia = CASE WHEN own IS NULL THEN g.enrolledVia ELSE coalesce(t.enrollVia, g.enrolledVia, 'MANUAL') END
WITH t, u, e, via, own, g, created, fromProfile
CALL {
  WITH t, u, e, g, created
  WITH t, u, e, g WHERE created
  CREATE (u)-[:HOLDS]->(g)-[:OF]->(e)
  CREATE (g)-[:GRANTED_BY]->(t)
}
CALL {
  WITH g, via, fromProfile
  WITH g, via WHERE fromProfile
  MERGE (g)-[:FROM_PROFILE]->(via)
}
RETURN t.id AS id, 'GRANT' AS kind, u.id AS userId, e.id AS entitlementId, e.kind AS entitlementKind, t.origin AS origin,
       via.id AS profileId, own.id AS ownProfileId, own.automationMode AS automationMode,
       own.unenrollmentAction AS unenrollmentAction, created AS changed
