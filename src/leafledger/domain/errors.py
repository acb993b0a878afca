"""Domain errors. They carry no HTTP status: each dialect maps them to its own wire format."""

from __future__ import annotations


class LedgerError(Exception):
    """Base class of every error the domain raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RuleViolation(LedgerError):
    """A request broke a business rule; `row` names the offending object of a bulk body."""

    def __init__(self, message: str, row: int | None = None) -> None:
        super().__init__(message)
        self.row = row

    def at_row(self, row: int) -> RuleViolation:
        """The same violation, attributed to object `row` of a bulk request."""
        return RuleViolation(self.message, row=row)


class NotFound(LedgerError):
    """The named object does not exist (or is not visible to the caller)."""


class Unauthenticated(LedgerError):
    """Credentials are missing or wrong, or the licence is not the caller's."""


class Forbidden(LedgerError):
    """The caller is known but lacks a permission the operation needs."""


class Conflict(LedgerError):
    """The object exists already (a duplicate key, a key reused)."""
