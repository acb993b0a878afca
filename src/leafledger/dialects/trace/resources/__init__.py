"""Handlers of the Trace table, one module per resource."""
