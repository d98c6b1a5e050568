// Takes nothing; deletes every relationship in batches of 10,000 (each batch its own transaction,
// so dense nodes never put a whole neighbourhood in one transaction). Auto-commit only.
MATCH ()-[r]->()
CALL { WITH r DELETE r } IN TRANSACTIONS OF 10000 ROWS
