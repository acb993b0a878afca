"""The Trace dialect: the snake_case `/{state}/v1/...` API over the same ledger as Metrc."""
