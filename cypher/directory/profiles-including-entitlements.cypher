// Takes $entitlementIds; returns, per entitlement, the ids of the profiles that have it as an item.
UNWIND $entitlementIds AS entitlementId
OPTIONAL MATCH (:Entitlement {id: entitlementId})<-[:INCLUDES]-(p:AccessProfile)
RETURN entitlementId AS parentId, collect(p.id) AS ids
