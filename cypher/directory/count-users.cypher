// Takes $search (as list-users); returns how many users match.
MATCH (u:User)
WHERE $search IS NULL OR toLower(u.displayName) CONTAINS toLower($search) OR toLower(u.email) CONTAINS toLower($search)
      OR toLower(u.externalId) CONTAINS toLower($search)
RETURN count(u) AS total
