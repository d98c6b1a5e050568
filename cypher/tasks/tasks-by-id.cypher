// Takes $ids; returns the tasks found with the ids of what they point at, who may decide them
// now (approverIds, awaitingAdmins), who decided them (deciderIds) or closed them (closedById),
// and who may provision them (the owners of a MANUAL app).
UNWIND $ids AS id
MATCH (t:Task {id: id})-[:FOR_USER]->(u:User)
MATCH (t)-[:ON_ENTITLEMENT]->(e:Entitlement)
OPTIONAL MATCH (t)-[:VIA_PROFILE]->(p:AccessProfile)
OPTIONAL MATCH (t)-[:CHILD_OF]->(parent:Task)
OPTIONAL MATCH (t)-[:REQUESTED_BY]->(by:User)
OPTIONAL MATCH (e)-[:OF_APP]->(a:App)
RETURN t {.id, .kind, .state, .origin, .reason, .currentStep, .createdAt, .updatedAt, .enrollVia, .closeReason, .closedById,
          userId: u.id, entitlementId: e.id, profileId: p.id, parentId: parent.id, requestedById: by.id,
          awaitingAdmins: coalesce(t.awaitingAdmins, false),
          approverIds: [(t)-[:AWAITS]->(x:User) | x.id],
          deciderIds: [(t)-[:HAS_APPROVAL]->(:Approval)-[:BY]->(x:User) | x.id],
          manualProvisioning: a.provisioning = 'MANUAL',
          provisionerIds: CASE WHEN a IS NULL THEN [] ELSE [(a)-[:OWNED_BY]->(o:User) | o.id] END} AS task
