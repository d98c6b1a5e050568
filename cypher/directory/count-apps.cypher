// Returns how many apps there are.
MATCH (a:App) RETURN count(a) AS total
