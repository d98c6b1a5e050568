// Takes $externalIds; returns the users found, with their manager's id.
UNWIND $externalIds AS externalId
MATCH (u:User {externalId: externalId})
OPTIONAL MATCH (u)-[:REPORTS_TO]->(m:User)
RETURN u {.id, .externalId, .email, .displayName, .status, .createdAt, role: coalesce(u.role, 'USER'), managerId: m.id} AS user
