// Takes $now, $genesis (the hash before the first entry). Locks the audit chain's head: the
// counter node is written, so it stays locked until the transaction commits and audit writers
// queue here (chain order is commit order). Returns the last seq and the last entry's hash.
MERGE (c:Counter {name: 'audit'})
  ON CREATE SET c.value = 0, c.lastHash = $genesis
SET c.lockedAt = $now
RETURN c.value AS seq, c.lastHash AS lastHash
