"""Persistence: engine and session factory (SQLite by default, PostgreSQL by URL), migrations."""

from leafledger.store.engine import Store, make_engine
from leafledger.store.migrate import upgrade

__all__ = ["Store", "make_engine", "upgrade"]
