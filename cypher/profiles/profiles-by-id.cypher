// Takes $ids; returns the profiles found with their settings and related ids.
UNWIND $ids AS id
MATCH (p:AccessProfile {id: id})
OPTIONAL MATCH (p)-[:ENROLLMENT_ENTITLEMENT]->(en:Entitlement)
OPTIONAL MATCH (p)-[:EXCLUSION_ENTITLEMENT]->(ex:Entitlement)
OPTIONAL MATCH (p)-[:ENROLLMENT_POLICY]->(ep:Policy)
OPTIONAL MATCH (p)-[:UNENROLLMENT_POLICY]->(up:Policy)
RETURN p {.id, .name, .description, .allowEnrollmentRequests, .bypassItemRequestPolicies, .bypassItemRevokePolicies,
          .unenrollmentAction, .automationEnabled, .automationMode, .pauseOnAnomalies,
          enrollmentEntitlementId: en.id, exclusionEntitlementId: ex.id,
          enrollmentPolicyId: ep.id, unenrollmentPolicyId: up.id} AS profile
