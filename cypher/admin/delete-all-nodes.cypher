// Takes nothing; deletes every node (run after delete-all-relationships) in batches of 10,000.
// Auto-commit only.
MATCH (n)
CALL { WITH n DELETE n } IN TRANSACTIONS OF 10000 ROWS
