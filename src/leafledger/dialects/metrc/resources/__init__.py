"""Metrc handlers, one module per resource; the table in metrc/table.py points its rows at them."""
