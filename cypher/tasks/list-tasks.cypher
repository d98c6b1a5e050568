// Takes $after (a task id or null), $limit, $states (null = all), $profileId, $userId (null = any),
// $assignedTo (null, or {userId, admin, decidesForAdmins}: only the tasks that viewer may decide or provision now:
// approval steps naming them, steps gone to the admins when they decide for the admins (an ADMIN user,
// or the bootstrap credential while no user is an admin), MANUAL provisioning of
// apps they own or, for admins, of apps without owners; never their own approvals).
// Returns one page of task ids ordered by id (the keyset the cursors use).
MATCH (t:Task)
WHERE ($states IS NULL OR t.state IN $states)
  AND ($profileId IS NULL OR EXISTS { (t)-[:VIA_PROFILE]->(:AccessProfile {id: $profileId}) })
  AND ($userId IS NULL OR EXISTS { (t)-[:FOR_USER]->(:User {id: $userId}) })
  AND ($assignedTo IS NULL OR (
        t.state = 'PENDING_APPROVAL'
        AND (EXISTS { (t)-[:AWAITS]->(:User {id: $assignedTo.userId}) } OR (t.awaitingAdmins AND $assignedTo.decidesForAdmins))
        AND NOT EXISTS { (t)-[:FOR_USER]->(:User {id: $assignedTo.userId}) }
      ) OR (
        t.state = 'PENDING_PROVISIONING'
        AND EXISTS {
          MATCH (t)-[:ON_ENTITLEMENT]->(:Entitlement)-[:OF_APP]->(a:App {provisioning: 'MANUAL'})
          WHERE EXISTS { (a)-[:OWNED_BY]->(:User {id: $assignedTo.userId}) } OR ($assignedTo.admin AND NOT EXISTS { (a)-[:OWNED_BY]->(:User) })
        }
      ))
  AND ($after IS NULL OR t.id > $after)
RETURN t.id AS id ORDER BY t.id LIMIT $limit
