// Takes $userId, $role, $now; returns the user's id, or nothing if unknown.
MATCH (u:User {id: $userId})
SET u.role = $role, u.updatedAt = $now
RETURN u.id AS id
