// Takes $ids; returns the entitlements found with their app, profile and policies' ids. One walk
// of the entitlement's relationships finds all four (four patterns would walk its many grants
// four times); directory/grants-of-users projects entitlements the same way.
UNWIND $ids AS id
MATCH (e:Entitlement {id: id})
WITH e, [(e)-[r:OF_APP|ENROLLMENT_ENTITLEMENT|EXCLUSION_ENTITLEMENT|REQUEST_POLICY|REVOKE_POLICY]-(x) | [type(r), x.id]] AS links
RETURN e {.id, .externalId, .name, .kind,
          appId: head([l IN links WHERE l[0] = 'OF_APP' | l[1]]),
          profileId: head([l IN links WHERE l[0] IN ['ENROLLMENT_ENTITLEMENT', 'EXCLUSION_ENTITLEMENT'] | l[1]]),
          requestPolicyId: head([l IN links WHERE l[0] = 'REQUEST_POLICY' | l[1]]),
          revokePolicyId: head([l IN links WHERE l[0] = 'REVOKE_POLICY' | l[1]])} AS entitlement
