// Takes $profile {id, name, description, allowEnrollmentRequests, bypassItemRequestPolicies,
// bypassItemRevokePolicies, unenrollmentAction, enrollmentPolicyId, unenrollmentPolicyId},
// $enrollmentEntitlementId, $exclusionEntitlementId, $now. Creates the profile with its two
// entitlements and default (disabled) automation; returns its id.
CREATE (p:AccessProfile {
  id: $profile.id, name: $profile.name, description: $profile.description,
  allowEnrollmentRequests: $profile.allowEnrollmentRequests,
  bypassItemRequestPolicies: $profile.bypassItemRequestPolicies,
  bypassItemRevokePolicies: $profile.bypassItemRevokePolicies,
  unenrollmentAction: $profile.unenrollmentAction,
  automationEnabled: false, automationMode: 'SYNC_MEMBERS_AND_ACCESS', pauseOnAnomalies: true,
  createdAt: $now, updatedAt: $now
})
CREATE (p)-[:ENROLLMENT_ENTITLEMENT]->(:Entitlement {id: $enrollmentEntitlementId, name: $profile.name + ' (member)', kind: 'PROFILE_ENROLLMENT', createdAt: $now})
CREATE (p)-[:EXCLUSION_ENTITLEMENT]->(:Entitlement {id: $exclusionEntitlementId, name: $profile.name + ' (excluded)', kind: 'PROFILE_EXCLUSION', createdAt: $now})
WITH p
OPTIONAL MATCH (ep:Policy {id: $profile.enrollmentPolicyId})
OPTIONAL MATCH (up:Policy {id: $profile.unenrollmentPolicyId})
FOREACH (x IN CASE WHEN ep IS NULL THEN [] ELSE [ep] END | CREATE (p)-[:ENROLLMENT_POLICY]->(x))
FOREACH (x IN CASE WHEN up IS NULL THEN [] ELSE [up] END | CREATE (p)-[:UNENROLLMENT_POLICY]->(x))
RETURN p.id AS id
