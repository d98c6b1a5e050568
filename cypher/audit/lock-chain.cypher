// Takes $now, $genesis (the hash before the first entry). Locks the audit chain's head for a
// sealing pass: the counter node is written, so it stays locked until the pass commits and two
// passes (on one instance or several) never chain the same entries. Returns the last seq and the
// last entry's hash.
MERGE (c:Counter {name: 'audit'})
  ON CREATE SET c.value = 0, c.lastHash = $genesis
SET c.lockedAt = $now
RETURN c.value AS seq, c.lastHash AS lastHash
