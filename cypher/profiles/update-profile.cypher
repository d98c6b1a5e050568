// Takes $id, $changes (a map of the settings given), $enrollmentPolicyId / $unenrollmentPolicyId
// with $setEnrollmentPolicy / $setUnenrollmentPolicy (whether to replace them), $now.
// Updates the profile and renames its entitlements with it; returns its id or nothing if unknown.
MATCH (p:AccessProfile {id: $id})
SET p += $changes, p.updatedAt = $now
WITH p
OPTIONAL MATCH (p)-[:ENROLLMENT_ENTITLEMENT]->(en:Entitlement)
OPTIONAL MATCH (p)-[:EXCLUSION_ENTITLEMENT]->(ex:Entitlement)
SET en.name = p.name + ' (member)', ex.name = p.name + ' (excluded)'
WITH p
CALL {
  WITH p
  WITH p WHERE $setEnrollmentPolicy
  OPTIONAL MATCH (p)-[old:ENROLLMENT_POLICY]->()
  DELETE old
  WITH DISTINCT p
  MATCH (x:Policy {id: $enrollmentPolicyId})
  CREATE (p)-[:ENROLLMENT_POLICY]->(x)
}
CALL {
  WITH p
  WITH p WHERE $setUnenrollmentPolicy
  OPTIONAL MATCH (p)-[old:UNENROLLMENT_POLICY]->()
  DELETE old
  WITH DISTINCT p
  MATCH (x:Policy {id: $unenrollmentPolicyId})
  CREATE (p)-[:UNENROLLMENT_POLICY]->(x)
}
RETURN p.id AS id
