// Takes $externalIds; returns the kind of each known entitlement.
UNWIND $externalIds AS externalId
MATCH (e:Entitlement {externalId: externalId})
RETURN e.externalId AS externalId, e.kind AS kind
