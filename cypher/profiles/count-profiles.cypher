// Returns how many profiles there are.
MATCH (p:AccessProfile) RETURN count(p) AS total
