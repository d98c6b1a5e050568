// Takes $entitlementId, $userIds. Returns, per user found, whether they hold the entitlement (and
// how: enrolledVia), and the ids of their open GRANT and REVOKE tasks on it.
MATCH (e:Entitlement {id: $entitlementId})
UNWIND $userIds AS userId
MATCH (u:User {id: userId})
OPTIONAL MATCH (g:Grant {key: u.id + '|' + e.id})
OPTIONAL MATCH (grantTask:Task {openKey: 'GRANT|' + u.id + '|' + e.id})
OPTIONAL MATCH (revokeTask:Task {openKey: 'REVOKE|' + u.id + '|' + e.id})
RETURN u.id AS userId, g IS NOT NULL AS holds, g.enrolledVia AS enrolledVia,
       grantTask.id AS openGrantTaskId, revokeTask.id AS openRevokeTaskId
