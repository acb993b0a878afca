"""leafledger's own endpoints, beside the dialects' paths (`/leafledger/v1/...`): what Metrc
does in its web UI only and a ledger needs through an API (registering, departing and
receiving transfers). Metrc-style auth, licence scope, bodies and errors (dialect.py)."""
