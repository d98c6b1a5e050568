// Takes $ids; returns the users found, with their manager's id.
UNWIND $ids AS id
MATCH (u:User {id: id})
OPTIONAL MATCH (u)-[:REPORTS_TO]->(m:User)
RETURN u {.id, .externalId, .email, .displayName, .status, .createdAt, role: coalesce(u.role, 'USER'), managerId: m.id} AS user
