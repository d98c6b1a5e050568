// Takes $profileIds, $after, $limit and $withParent; returns, per profile, one page of its members
// (users holding its enrollment entitlement, by id, as directory/users-by-id returns them), the
// member count (the entitlement's OF degree: only grants point at it, so no grant is read) and,
// when $withParent, the profile itself as profiles/profiles-by-id returns it (else null): node(id)
// brings the page along in its lookup (src/schema/node-fold.ts).
UNWIND $profileIds AS profileId
MATCH (p:AccessProfile {id: profileId})-[:ENROLLMENT_ENTITLEMENT]->(en:Entitlement)
CALL {
  WITH en
  MATCH (en)<-[:OF]-(:Grant)<-[:HOLDS]-(u:User)
  WHERE $after IS NULL OR u.id > $after
  WITH u ORDER BY u.id LIMIT $limit
  RETURN collect(u {.id, .externalId, .email, .displayName, .status, .createdAt, role: coalesce(u.role, 'USER'),
                    managerId: head([(u)-[:REPORTS_TO]->(m:User) | m.id])}) AS users
}
RETURN profileId AS parentId, users, COUNT { (en)<-[:OF]-() } AS total,
       CASE WHEN $withParent THEN p {.id, .name, .description, .allowEnrollmentRequests, .bypassItemRequestPolicies, .bypassItemRevokePolicies,
            .unenrollmentAction, .automationEnabled, .automationMode, .pauseOnAnomalies,
            enrollmentEntitlementId: en.id,
            exclusionEntitlementId: head([(p)-[:EXCLUSION_ENTITLEMENT]->(ex:Entitlement) | ex.id]),
            enrollmentPolicyId: head([(p)-[:ENROLLMENT_POLICY]->(ep:Policy) | ep.id]),
            unenrollmentPolicyId: head([(p)-[:UNENROLLMENT_POLICY]->(up:Policy) | up.id])} END AS parent
