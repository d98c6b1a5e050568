// Takes $userIds, $entitlementIds, $profileIds (raw ids, one export page's). Returns one row with
// what a person reads beside those ids, for the ones found: users as [{id, externalId,
// displayName, email}], entitlements as [{id, externalId, name}], profiles as [{id, name}].
CALL {
  UNWIND $userIds AS id
  MATCH (u:User {id: id})
  RETURN collect({id: u.id, externalId: u.externalId, displayName: u.displayName, email: u.email}) AS users
}
CALL {
  UNWIND $entitlementIds AS id
  MATCH (e:Entitlement {id: id})
  RETURN collect({id: e.id, externalId: e.externalId, name: e.name}) AS entitlements
}
CALL {
  UNWIND $profileIds AS id
  MATCH (p:AccessProfile {id: id})
  RETURN collect({id: p.id, name: p.name}) AS profiles
}
RETURN users, entitlements, profiles
