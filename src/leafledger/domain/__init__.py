"""The ledger: models, rules, units and audit events. Imports no web framework."""
