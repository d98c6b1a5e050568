// Takes $profileId; returns the ids of the profile's members whose items follow the profile (a
// member enrolled by the rule of a SYNC_MEMBERS_ONLY profile gets no access changes), and the
// profile's unenrollment action.
MATCH (p:AccessProfile {id: $profileId})-[:ENROLLMENT_ENTITLEMENT]->(:Entitlement)<-[:OF]-(g:Grant)<-[:HOLDS]-(u:User)
WHERE NOT (p.automationMode = 'SYNC_MEMBERS_ONLY' AND g.enrolledVia = 'RULE')
RETURN p.unenrollmentAction AS action, collect(u.id) AS userIds
