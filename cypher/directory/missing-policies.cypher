// Takes $ids (policy ids); returns those not in the graph.
UNWIND $ids AS id
OPTIONAL MATCH (p:Policy {id: id})
WITH id, p
WHERE p IS NULL
RETURN collect(DISTINCT id) AS missing
