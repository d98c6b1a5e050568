// Takes nothing. Returns how many committed audit entries wait to be chained (pending).
MATCH (e:AuditPending)
RETURN count(e) AS pending
