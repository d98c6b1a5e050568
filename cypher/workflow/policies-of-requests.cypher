// Takes $groups [{key, kind, origin, entitlementId, profileId}] (one per distinct kind, origin,
// entitlement and profile of a set of task requests), $defaultRequestSteps, $defaultRevokeSteps
// (JSON text). Picks each group's policy, as the tasks it covers will snapshot it: an exclusion
// entitlement needs no approval; a profile's enrollment entitlement follows the profile's
// enrollment (GRANT) or unenrollment (REVOKE) policy; an item task of a profile that bypasses item
// policies needs no approval (a grant of the enrollment cascade, of an item added, or of missing
// access requested for members); otherwise the entitlement's request or revoke policy; the
// deployment default where none is set. One row per group whose entitlement exists: its key, the
// steps (JSON text, '[]' for none), the policy's id (null for a default or no approval), and
// whether the system provisions the entitlement (no app, as for a profile's own entitlements, or
// an AUTOMATIC app): a task of no steps and automatic provisioning is created approved.
UNWIND $groups AS g
MATCH (e:Entitlement {id: g.entitlementId})
OPTIONAL MATCH (via:AccessProfile {id: g.profileId})
OPTIONAL MATCH (own:AccessProfile)-[:ENROLLMENT_ENTITLEMENT]->(e)
OPTIONAL MATCH (e)-[:OF_APP]->(app:App)
WITH g, e, via, own, coalesce(app.provisioning, 'AUTOMATIC') = 'AUTOMATIC' AS automatic,
     CASE
       WHEN e.kind = 'PROFILE_EXCLUSION' THEN null
       WHEN own IS NOT NULL AND g.kind = 'GRANT' THEN COLLECT { MATCH (own)-[:ENROLLMENT_POLICY]->(x:Policy) RETURN x }
       WHEN own IS NOT NULL THEN COLLECT { MATCH (own)-[:UNENROLLMENT_POLICY]->(x:Policy) RETURN x }
       WHEN g.kind = 'GRANT' AND g.origin IN ['PROFILE_ENROLLMENT', 'PROFILE_ITEM_ADDED', 'PROFILE_MISSING_ACCESS'] AND via.bypassItemRequestPolicies THEN null
       WHEN g.kind = 'REVOKE' AND g.origin IN ['PROFILE_UNENROLLMENT', 'PROFILE_ITEM_REMOVED'] AND via.bypassItemRevokePolicies THEN null
       WHEN g.kind = 'GRANT' THEN COLLECT { MATCH (e)-[:REQUEST_POLICY]->(x:Policy) RETURN x }
       ELSE COLLECT { MATCH (e)-[:REVOKE_POLICY]->(x:Policy) RETURN x }
     END AS candidates
WITH g, automatic, candidates, candidates[0] AS policy
RETURN g.key AS key,
       CASE
         WHEN candidates IS NULL THEN '[]'
         WHEN policy IS NOT NULL THEN policy.steps
         WHEN g.kind = 'GRANT' THEN $defaultRequestSteps
         ELSE $defaultRevokeSteps
       END AS steps,
       policy.id AS policyId, automatic
