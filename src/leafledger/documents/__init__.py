"""Documents the ledger prints: pure renderings of read models (they never query)."""
