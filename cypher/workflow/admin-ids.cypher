// Returns the ids of the active users with the ADMIN role (who decide steps gone to the admins).
MATCH (u:User {role: 'ADMIN'})
WHERE coalesce(u.status, 'ACTIVE') = 'ACTIVE'
RETURN collect(u.id) AS ids
