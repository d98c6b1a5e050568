// Takes $ids (tasks just created), $defaultRequestSteps, $defaultRevokeSteps (JSON text). Picks each
// task's policy: an exclusion entitlement needs no approval; a profile's enrollment entitlement
// follows the profile's enrollment (GRANT) or unenrollment (REVOKE) policy; an item task of a
// profile that bypasses item policies needs no approval (a grant of the enrollment cascade, of an
// item added, or of missing access requested for members); otherwise the entitlement's request or
// revoke policy; the deployment default where none is set. Stores the steps on the task (a
// snapshot: a later policy edit does not change tasks in flight). Returns per task its id, steps,
// subject, profile, kind, origin and entitlement.
UNWIND $ids AS id
MATCH (t:Task {id: id})-[:ON_ENTITLEMENT]->(e:Entitlement)
MATCH (t)-[:FOR_USER]->(u:User)
OPTIONAL MATCH (t)-[:VIA_PROFILE]->(via:AccessProfile)
OPTIONAL MATCH (own:AccessProfile)-[:ENROLLMENT_ENTITLEMENT]->(e)
WITH t, e, u, via, own,
     CASE
       WHEN e.kind = 'PROFILE_EXCLUSION' THEN null
       WHEN own IS NOT NULL AND t.kind = 'GRANT' THEN COLLECT { MATCH (own)-[:ENROLLMENT_POLICY]->(x:Policy) RETURN x }
       WHEN own IS NOT NULL THEN COLLECT { MATCH (own)-[:UNENROLLMENT_POLICY]->(x:Policy) RETURN x }
       WHEN t.kind = 'GRANT' AND t.origin IN ['PROFILE_ENROLLMENT', 'PROFILE_ITEM_ADDED', 'PROFILE_MISSING_ACCESS'] AND via.bypassItemRequestPolicies THEN null
       WHEN t.kind = 'REVOKE' AND t.origin IN ['PROFILE_UNENROLLMENT', 'PROFILE_ITEM_REMOVED'] AND via.bypassItemRevokePolicies THEN null
       WHEN t.kind = 'GRANT' THEN COLLECT { MATCH (e)-[:REQUEST_POLICY]->(x:Policy) RETURN x }
       ELSE COLLECT { MATCH (e)-[:REVOKE_POLICY]->(x:Policy) RETURN x }
     END AS candidates
WITH t, e, u, via, candidates, candidates[0] AS policy
SET t.steps = CASE
                WHEN candidates IS NULL THEN '[]'
                WHEN policy IS NOT NULL THEN policy.steps
                WHEN t.kind = 'GRANT' THEN $defaultRequestSteps
                ELSE $defaultRevokeSteps
              END,
    t.policyId = policy.id
RETURN t.id AS id, t.steps AS steps, u.id AS userId, via.id AS profileId, t.kind AS kind, t.origin AS origin, e.id AS entitlementId
