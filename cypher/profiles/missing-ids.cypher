// Takes $userIds, $entitlementIds, $policyIds; returns those of each not in the graph.
RETURN [id IN $userIds WHERE NOT EXISTS { MATCH (:User {id: id}) }] AS users,
       [id IN $entitlementIds WHERE NOT EXISTS { MATCH (:Entitlement {id: id}) }] AS entitlements,
       [id IN $policyIds WHERE NOT EXISTS { MATCH (:Policy {id: id}) }] AS policies
