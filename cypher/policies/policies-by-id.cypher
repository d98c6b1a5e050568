// Takes $ids; returns the policies found.
UNWIND $ids AS id
MATCH (p:Policy {id: id})
RETURN p {.id, .name, .steps} AS policy
