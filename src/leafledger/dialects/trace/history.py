"""The `entity_state` list every Trace object carries, from the ledger's standing history.

The changes come from the audit log (domain/queries/history.py); this module only words them
as Trace does: `{state, date, reason, actioned_by}`, dates in UTC with `Z`. A row written
without audit events (imported or seeded directly) gets a history from its own timestamps.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from leafledger.domain.queries.history import StandingChange

SYSTEM = "system generated"


def trace_time(value: datetime) -> str:
    """An instant as Trace writes it: ISO 8601, UTC, whole seconds, `Z`."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def entity_state(changes: list[StandingChange], noun: str, row: Any) -> list[dict[str, Any]]:
    """The Trace history of `row` (a `noun`), oldest first."""
    if not changes:
        changes = [StandingChange(True, row.created_at, "created", None)]
        if not row.active:
            changes.append(StandingChange(False, row.last_modified, "archived", None))
    return [
        {
            "state": "active" if change.active else "inactive",
            "date": trace_time(change.at),
            "reason": f"{noun} {change.change}",
            "actioned_by": change.by or SYSTEM,
        }
        for change in changes
    ]
