"""Wire dialects over the one ledger. They translate names, envelopes and status codes only."""
