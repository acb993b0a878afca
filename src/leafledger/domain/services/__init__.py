"""Business rules, one module per aggregate. Services never commit: the caller owns the transaction."""
