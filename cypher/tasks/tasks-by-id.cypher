// Takes $ids; returns the tasks found with the ids of what they point at.
UNWIND $ids AS id
MATCH (t:Task {id: id})-[:FOR_USER]->(u:User)
MATCH (t)-[:ON_ENTITLEMENT]->(e:Entitlement)
OPTIONAL MATCH (t)-[:VIA_PROFILE]->(p:AccessProfile)
OPTIONAL MATCH (t)-[:CHILD_OF]->(parent:Task)
RETURN t {.id, .kind, .state, .origin, .reason, .currentStep, .createdAt, .updatedAt, .enrollVia,
          userId: u.id, entitlementId: e.id, profileId: p.id, parentId: parent.id} AS task
