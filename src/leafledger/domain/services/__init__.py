"""Business rules, one module per aggregate. Services never commit: callers own transactions."""
