// Takes $states, $profileId, $userId, $assignedTo (as list-tasks); returns how many tasks match.
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
RETURN count(t) AS total
