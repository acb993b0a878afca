"""The `entity_state` list every Trace object carries, from the ledger's standing history.

The changes come from the audit log (domain/queries/history.py, which also gives a row written
without audit events a history from its own timestamps); this module only words them as Trace
does: `{state, date, reason, actioned_by}`, dates in UTC with `Z`.

Trace's state words are the ledger's standings, except where Trace has none of its own: an
archived row, a closed plant batch and a merged plant group are `inactive`; a mother plant is
`vegetative` (its object says `is_mother_plant`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time
from typing import Any

from leafledger.domain.queries.history import StandingChange, StandingHistory

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


# How a kind words the Trace state a change left an object in (`trace_state` of its standing,
# unless the kind says otherwise).
StateWords = Callable[[StandingChange], str]


def standing_state(change: StandingChange) -> str:
    return trace_state(change.after)


def entity_state(
    history: StandingHistory,
    noun: str,
    nouns: Mapping[str, str] | None = None,
    states: StateWords = standing_state,
) -> list[dict[str, Any]]:
    """The Trace history of a `noun`, oldest first: one entry per change of its standing
    that is said. A change of a facet `nouns` names is worded with that facet's name ("lab
    testing state TestPassed"), any other with `noun` ("lot finished")."""
    return [
        {
            "state": states(change),
            "date": trace_time(change.at),
            "reason": f"{(nouns or {}).get(change.facet, noun)} {change.change}",
            "actioned_by": change.by or SYSTEM,
        }
        for change in history.changes
        if change.change is not None
    ]
