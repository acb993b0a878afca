"""The standing history of ledger rows, read from the audit log.

Every change to a ledger row appends an audit event with the row's columns before and after
(`services/audit.py`). A row's standing changes when it is created (active), archived (active
true -> false) or restored (false -> true); plain edits (a rename) are not standing changes.
The events of a whole page of rows are read in one statement (`audit_trails`).

A package stands on three facets of its columns, each changing on its own: its life (active,
finished or discontinued), its hold (on hold or not) and its lab testing state
(`package_histories`). A package whose making no event records (imported or seeded directly)
is given one from its row: made when it was created, standing as its first event found it, or
as it stands now when no event describes it at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.models import AuditEvent, Package, User


@dataclass(frozen=True)
class StandingChange:
    active: bool
    at: datetime
    change: str  # "created", "archived" or "restored"
    by: str | None  # the user's name; None for a change made by the system


def _change(before: dict[str, object] | None, after: dict[str, object] | None) -> str | None:
    if before is None:
        return "created"
    was, now = before.get("active"), (after or {}).get("active")
    if was is True and now is False:
        return "archived"
    if was is False and now is True:
        return "restored"
    return None


@dataclass(frozen=True)
class Event:
    """One audit event of a row: its action, the row's columns before and after it, when, and
    by whom (the user's name; None for a change made by the system)."""

    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    at: datetime
    by: str | None


def audit_trails(
    session: Session, facility_ids: Iterable[int], table: str, ids: Iterable[int]
) -> dict[int, list[Event]]:
    """The audit events of each row id of `table` at the facilities, oldest first."""
    wanted = sorted(set(ids))
    trails: dict[int, list[Event]] = {entity_id: [] for entity_id in wanted}
    if not wanted:
        return trails
    rows = session.execute(
        select(
            AuditEvent.entity_id,
            AuditEvent.action,
            AuditEvent.before,
            AuditEvent.after,
            AuditEvent.occurred_at,
        )
        .add_columns(User.full_name)
        .outerjoin(User, AuditEvent.user_id == User.id)
        .where(
            AuditEvent.facility_id.in_(sorted(set(facility_ids))),
            AuditEvent.entity_type == table,
            AuditEvent.entity_id.in_(wanted),
        )
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    )
    for entity_id, action, before, after, occurred_at, user_name in rows:
        trails[entity_id].append(Event(action, before, after, occurred_at, user_name))
    return trails


def standing_histories(
    session: Session, facility_id: int, table: str, ids: Iterable[int]
) -> dict[int, list[StandingChange]]:
    """The standing changes of each row id of `table` at the facility, oldest first."""
    return {
        entity_id: [
            StandingChange(change != "archived", event.at, change, event.by)
            for event in events
            if (change := _change(event.before, event.after)) is not None
        ]
        for entity_id, events in audit_trails(session, [facility_id], table, ids).items()
    }


# --- packages --------------------------------------------------------------------------------

# Reads one column of a package: from an audit snapshot, or from the row itself.
Column = Callable[[str], Any]


def _life(column: Column) -> str:
    if column("archived_date") is not None:
        return "discontinued"
    return "active" if column("finished_date") is None else "finished"


# The facets a package stands on, each read from its columns.
PACKAGE_FACETS: Mapping[str, Callable[[Column], str]] = {
    "life": _life,
    "hold": lambda column: "on_hold" if column("is_on_hold") else "not_on_hold",
    "lab_testing": lambda column: str(column("lab_testing_state") or "NotSubmitted"),
}


@dataclass(frozen=True)
class FacetChange:
    """One facet of a package's standing changed from `before` (None: the package was made)
    to `after`."""

    facet: str
    before: str | None
    after: str
    at: datetime
    by: str | None


@dataclass(frozen=True)
class PackageHistory:
    """What happened to a package: the changes of its standing, and the action of every audit
    event about it (oldest first), whether it changed the standing or not."""

    changes: tuple[FacetChange, ...] = ()
    actions: tuple[str, ...] = ()


def _facets(column: Column) -> dict[str, str]:
    return {facet: read(column) for facet, read in PACKAGE_FACETS.items()}


def _facet_changes(
    was: dict[str, str] | None, now: dict[str, str], at: datetime, by: str | None
) -> list[FacetChange]:
    return [
        FacetChange(facet, None if was is None else was[facet], value, at, by)
        for facet, value in now.items()
        if was is None or was[facet] != value
    ]


def _made(row: Any, first: Event | None) -> list[FacetChange]:
    """The making of a package whose making no event records (imported or seeded directly):
    when the row was created, standing as its first event found it (or as it stands now)."""
    made = getattr(row, "created_at", None) or row.last_modified
    if first is not None and first.before is not None:
        return _facet_changes(None, _facets(first.before.get), made, None)
    initial = _facets(lambda _name: None)
    changes = _facet_changes(None, initial, made, None)
    if first is None:
        now = _facets(lambda name: getattr(row, name, None))
        changes += _facet_changes(initial, now, row.last_modified, None)
    return changes


def package_histories(session: Session, rows: Iterable[Any]) -> dict[int, PackageHistory]:
    """The history of each package (`rows`: packages or their read models), by id; one
    statement for all of them."""
    rows = list(rows)
    trails = audit_trails(
        session,
        {row.facility_id for row in rows},
        Package.__tablename__,
        [row.id for row in rows],
    )
    histories: dict[int, PackageHistory] = {}
    for row in rows:
        events = trails[row.id]
        recorded = bool(events) and events[0].before is None
        changes = [] if recorded else _made(row, events[0] if events else None)
        for event in events:
            was = None if event.before is None else _facets(event.before.get)
            changes += _facet_changes(was, _facets((event.after or {}).get), event.at, event.by)
        histories[row.id] = PackageHistory(tuple(changes), tuple(e.action for e in events))
    return histories
