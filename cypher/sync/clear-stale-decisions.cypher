// Takes $profileId. Ends the reviewers' membership decisions that no longer hold, as the graph is
// now: a denied enrollment (ENROLLMENT_DENIED) once the user stops matching (holds no condition
// entitlement, or is excluded) or becomes a member (an admin enrolled them by hand); a kept
// member (KEPT_BY_DECISION) once they match again or are no longer a member. A later match, or a
// later stop, is a new situation that the rule asks about again. Run by each sync that completes.
// Returns how many decisions of each kind ended.
MATCH (p:AccessProfile {id: $profileId})-[:ENROLLMENT_ENTITLEMENT]->(en:Entitlement)
WITH p, en, [(p)-[:CONDITION]->(c:Entitlement) | c.id] AS conditionIds
CALL {
  WITH p, en, conditionIds
  OPTIONAL MATCH (u:User)-[d:ENROLLMENT_DENIED]->(p)
  WHERE EXISTS { (p)-[:EXCLUDES]->(u) }
     OR EXISTS { (u)-[:HOLDS]->(:Grant)-[:OF]->(en) }
     OR NOT EXISTS { MATCH (u)-[:HOLDS]->(:Grant)-[:OF]->(c:Entitlement) WHERE c.id IN conditionIds }
  DELETE d
  RETURN count(d) AS deniedEnded
}
CALL {
  WITH p, en, conditionIds
  OPTIONAL MATCH (u:User)-[k:KEPT_BY_DECISION]->(p)
  WHERE NOT EXISTS { (u)-[:HOLDS]->(:Grant)-[:OF]->(en) }
     OR (EXISTS { MATCH (u)-[:HOLDS]->(:Grant)-[:OF]->(c:Entitlement) WHERE c.id IN conditionIds }
         AND NOT EXISTS { (p)-[:EXCLUDES]->(u) })
  DELETE k
  RETURN count(k) AS keptEnded
}
RETURN deniedEnded, keptEnded
