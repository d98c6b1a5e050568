// Takes $rows [{id, step, approverType, userIds}], $now. Puts each task at that step of its
// policy: its approvers are the subject's manager (MANAGER), the owners of the entitlement's app
// (APP_OWNERS) or the named users (USERS), never the subject themself nor a disabled user. A step
// whose approvers resolve to nobody goes to the admins (awaitingAdmins) instead of stalling.
// Returns per task id, subject and profile ids, the approver ids and whether it awaits the admins.
UNWIND $rows AS row
MATCH (t:Task {id: row.id})-[:FOR_USER]->(subject:User)
MATCH (t)-[:ON_ENTITLEMENT]->(e:Entitlement)
CALL {
  WITH t
  MATCH (t)-[old:AWAITS]->(:User)
  DELETE old
}
WITH row, t, subject, e,
     CASE row.approverType
       WHEN 'MANAGER' THEN COLLECT { MATCH (subject)-[:REPORTS_TO]->(m:User) RETURN m }
       WHEN 'APP_OWNERS' THEN COLLECT { MATCH (e)-[:OF_APP]->(:App)-[:OWNED_BY]->(o:User) RETURN o }
       ELSE COLLECT { MATCH (x:User) WHERE x.id IN row.userIds RETURN x }
     END AS candidates
WITH row, t, subject, [a IN candidates WHERE a <> subject AND coalesce(a.status, 'ACTIVE') = 'ACTIVE'] AS approvers
SET t.state = 'PENDING_APPROVAL', t.currentStep = row.step, t.awaitingAdmins = size(approvers) = 0, t.updatedAt = $now
FOREACH (a IN approvers | MERGE (t)-[:AWAITS]->(a))
RETURN t.id AS id, subject.id AS userId, [(t)-[:VIA_PROFILE]->(p:AccessProfile) | p.id][0] AS profileId,
       [a IN approvers | a.id] AS approverIds, t.awaitingAdmins AS awaitingAdmins
