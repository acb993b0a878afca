"""The `entity_state` list every Trace object carries, from the ledger's standing history.

The changes come from the audit log (domain/queries/history.py); this module only words them
as Trace does: `{state, date, reason, actioned_by}`, dates in UTC with `Z`. A row written
without audit events (imported or seeded directly) gets a history from its own timestamps.

Trace's state words are the ledger's standings, except where Trace has none of its own: an
archived row, a closed plant batch and a merged plant group are `inactive`; a mother plant is
`vegetative` (its object says `is_mother_plant`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from leafledger.domain.queries.history import StandingChange, Standings

SYSTEM = "system generated"

TRACE_STATES = {
    "archived": "inactive",
    "closed": "inactive",
    "merged": "inactive",
    "mother": "vegetative",
}


def trace_time(value: datetime) -> str:
    """An instant as Trace writes it: ISO 8601, UTC, whole seconds, `Z`."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def trace_date(value: date | None) -> str | None:
    """A ledger date (a calendar day) as a Trace timestamp: that day at midnight UTC."""
    return None if value is None else trace_time(datetime.combine(value, time(), UTC))


def trace_state(standing: str) -> str:
    return TRACE_STATES.get(standing, standing)


def _without_events(row: Any, standings: Standings) -> list[StandingChange]:
    made = getattr(row, "created_at", None) or row.last_modified
    changes = [StandingChange(standings.initial, made, "created", None)]
    now = standings.of(lambda name: getattr(row, name, None))
    if now != standings.initial:
        changes.append(
            StandingChange(now, row.last_modified, standings.change(standings.initial, now), None)
        )
    return changes


def entity_state(
    changes: list[StandingChange], noun: str, row: Any, standings: Standings
) -> list[dict[str, Any]]:
    """The Trace history of `row` (a `noun`), oldest first."""
    return [
        {
            "state": trace_state(change.standing),
            "date": trace_time(change.at),
            "reason": f"{noun} {change.change}",
            "actioned_by": change.by or SYSTEM,
        }
        for change in changes or _without_events(row, standings)
    ]
