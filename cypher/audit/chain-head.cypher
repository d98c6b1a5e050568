// Returns the audit chain's head: the last sequence number and the last entry's hash (nothing
// before the first entry).
MATCH (c:Counter {name: 'audit'})
RETURN c.value AS seq, c.lastHash AS lastHash
