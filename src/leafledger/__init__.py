"""leafledger: a self-hostable seed-to-sale traceability server."""

__version__ = "0.1.0"
