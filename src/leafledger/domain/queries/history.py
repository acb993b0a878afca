"""The standing history of ledger rows, read from the audit log.

Every change to a ledger row appends an audit event with the row's columns before and after
(`services/audit.py`). A row's standing is read from its columns by its kind's `Standings`:
most rows are active or archived; a plant is vegetative, flowering, harvested, destroyed...;
a harvest is active, finished or archived. A row's standing changes when it is created, and
whenever an event leaves it in another standing than it found it; plain edits (a rename, a
move) are not standing changes. The events of a whole page of rows are read in one statement
(`audit_trails`).

Some rows stand on several facets at once, each changing on its own (`Facets`): a package
stands on its life (active, finished or discontinued), its hold and its lab testing state
(`PACKAGES`). The first facet says the row's making; the others say only a making into
another standing than their `initial` one.

A row whose making no event records (imported or seeded directly) is given one from its row:
made in its kind's initial standing when it was created, then changed to the standing its
first event found it in (or, when no event describes it at all, the one it has now).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Executable, Select, bindparam, select, text
from sqlalchemy.orm import Session

from leafledger.domain.models import AuditEvent, User

# Reads one column of a row, from an audit snapshot or from the row itself.
Columns = Callable[[str], Any]


@dataclass(frozen=True, eq=False)
class Standings:
    """How a kind of row stands (or one facet of it).

    - `of`: the standing its columns give ("active", "archived", "flowering"...);
    - `initial`: the standing of a row made without audit events (seeded or imported);
    - a change is worded by `leaving` (from the old standing, e.g. archived -> "restored"),
      else by `entering` (into the new one), else it is the new standing's own word;
    - `created`: the word of the row's making; None for a facet that leaves the making to
      another (a making in its `initial` standing goes unsaid, into another is entering it).
    """

    of: Callable[[Columns], str]
    initial: str = "active"
    entering: Mapping[str, str] = field(default_factory=dict)
    leaving: Mapping[str, str] = field(default_factory=dict)
    created: str | None = "created"

    def change(self, before: str | None, after: str) -> str | None:
        """The word of a change from `before` (None: the making) to `after`; None when the
        change goes unsaid."""
        if before is None:
            if self.created is not None:
                return self.created
            if after == self.initial:
                return None
        elif before in self.leaving:
            return self.leaving[before]
        return self.entering.get(after, after)


# The facets a kind of row stands on, each read by its own standings, the first saying its
# making. A kind with a single standing has the one facet `STANDING`.
Facets = Mapping[str, Standings]
STANDING = "standing"


def facets_of(standings: Standings | Facets) -> Facets:
    return {STANDING: standings} if isinstance(standings, Standings) else standings


@dataclass(frozen=True)
class StandingChange:
    """One facet of a row's standing changed from `before` (None: the row was made) to
    `after`, worded `change` (None: a change that goes unsaid, see `Standings.created`)."""

    after: str
    at: datetime
    change: str | None  # "created", "archived", "restored", "destroyed", ...
    by: str | None  # the user's name; None for a change made by the system
    facet: str = STANDING
    before: str | None = None


@dataclass(frozen=True)
class StandingHistory:
    """What happened to a row: the changes of its standing, and the action of every audit
    event about it (oldest first), whether it changed the standing or not."""

    changes: tuple[StandingChange, ...] = ()
    actions: tuple[str, ...] = ()


def _active_or_archived(column: Columns) -> str:
    return "active" if column("active") else "archived"


# Locations, strains, items, templates: active until archived (and restored, for locations).
ACTIVE_OR_ARCHIVED = Standings(
    _active_or_archived, entering={"archived": "archived"}, leaving={"archived": "restored"}
)
# Rows that are never archived (employments, facilities).
ALWAYS_ACTIVE = Standings(lambda _column: "active")


def _strain(column: Columns) -> str:
    if not column("active"):
        return "archived"
    return {"InHouse": "in_house_tested", "ThirdParty": "third_party_tested"}.get(
        column("testing_status"), "active"
    )


# A strain's testing status is part of its standing.
STRAINS = Standings(
    _strain,
    entering={
        "archived": "archived",
        "active": "untested",
        "in_house_tested": "tested in house",
        "third_party_tested": "tested by a third party",
    },
    leaving={"archived": "restored"},
)

_GONE_PLANTS = {"Destroyed": "destroyed", "HarvestedFully": "harvested", "Merged": "merged"}


def _plant(column: Columns) -> str:
    gone = _GONE_PLANTS.get(column("state"))
    return gone or str(column("growth_phase")).lower()


# A growing plant stands in its growth phase (a manicured plant keeps growing); it leaves the
# active plants harvested, destroyed or merged into another plant group.
PLANTS = Standings(
    _plant,
    initial="vegetative",
    entering={
        "vegetative": "changed to vegetative",
        "flowering": "changed to flowering",
        "mother": "made a mother plant",
    },
    leaving={"harvested": "restored"},
)

# A batch is active while it holds untracked plants, then closed.
PLANT_BATCHES = Standings(
    lambda column: "active" if column("active") else "closed",
    entering={"closed": "closed: no untracked plants left"},
)


def _finished_or(archived: str) -> Callable[[Columns], str]:
    """The standing of a row that is finished, or taken out of the ledger (`archived`)."""

    def standing(column: Columns) -> str:
        if column("archived_date") is not None:
            return archived
        return "active" if column("finished_date") is None else "finished"

    return standing


HARVESTS = Standings(
    _finished_or("archived"),
    entering={"archived": "archived"},
    leaving={"finished": "unfinished", "archived": "restored"},
)

# A package's life is a harvest's (but that a package taken out of the ledger as a mistake is
# discontinued); its hold and its lab testing state change on their own.
PACKAGES: Facets = {
    "life": Standings(
        _finished_or("discontinued"),
        leaving={"finished": "unfinished", "discontinued": "restored"},
    ),
    "hold": Standings(
        lambda column: "on_hold" if column("is_on_hold") else "not_on_hold",
        initial="not_on_hold",
        entering={"on_hold": "put on hold"},
        leaving={"on_hold": "released from hold"},
        created=None,
    ),
    "lab_testing": Standings(
        lambda column: str(column("lab_testing_state") or "NotSubmitted"),
        initial="NotSubmitted",
        created=None,
    ),
}


def _transfer(column: Columns) -> str:
    if column("voided_at") is not None:
        return "voided"
    if column("archived_at") is not None:
        return "archived"
    return "active" if column("departed_at") is None else "in_transit"


# A transfer is registered (active) until it departs (in transit), unless voided first; a
# template is active until archived. Receipts are its deliveries' (they read no standing).
TRANSFERS = Standings(
    _transfer,
    entering={"in_transit": "departed", "voided": "voided", "archived": "archived"},
)


# --- the audit log --------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One audit event of a row: its action, the row's columns before and after it, when, and
    by whom (the user's name; None for a change made by the system)."""

    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    at: datetime
    by: str | None


def _trails_query(facility_scoped: bool) -> Select[Any]:
    scope = (
        AuditEvent.facility_id == bindparam("facility")
        if facility_scoped
        else AuditEvent.facility_id.in_(bindparam("ids", expanding=True))
    )
    return (
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
            scope,
            AuditEvent.entity_type == bindparam("table"),
            AuditEvent.entity_id.in_(bindparam("ids", expanding=True)),
        )
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    )


# Built once (a statement made at each call has its cache key worked out again): the trails
# of one facility's rows, and of facilities themselves.
_TRAILS = {True: _trails_query(True), False: _trails_query(False)}
# PostgreSQL, one facility's rows: one index probe per row id, whatever the statistics. As an
# IN list, the ids are a condition the planner may leave out of the index scan when it takes
# the facility's events of the table for few (statistics read while they were), and its
# generic plan then reads every event of that table at the facility, on every page. The
# LATERAL subquery (its OFFSET keeps it from being merged into a join) looks each id up.
_TRAILS_POSTGRESQL = (
    text(
        "SELECT e.entity_id, e.action, e.before, e.after, e.occurred_at, u.full_name"
        " FROM unnest(CAST(:ids AS integer[])) AS wanted(id)"
        " CROSS JOIN LATERAL (SELECT id, entity_id, action, before, after, occurred_at, user_id"
        " FROM audit_events WHERE facility_id = :facility AND entity_type = :table"
        " AND entity_id = wanted.id OFFSET 0) AS e"
        " LEFT JOIN users AS u ON u.id = e.user_id"
        " ORDER BY e.occurred_at, e.id"
    )
    .columns(
        AuditEvent.entity_id,
        AuditEvent.action,
        AuditEvent.before,
        AuditEvent.after,
        AuditEvent.occurred_at,
        User.full_name,
    )
    .execution_options(reads_audit_log=True)
)  # the request's own events are written first


def audit_trails(
    session: Session, facility_id: int | None, table: str, ids: Iterable[int]
) -> dict[int, list[Event]]:
    """The audit events of each row id of `table` at the facility, oldest first (one
    statement). With no `facility_id` the rows are facilities, each the facility of its own
    events."""
    wanted = sorted(set(ids))
    trails: dict[int, list[Event]] = {entity_id: [] for entity_id in wanted}
    if not wanted:
        return trails
    query: Executable = _TRAILS[facility_id is not None]
    if facility_id is not None and session.get_bind().dialect.name == "postgresql":
        query = _TRAILS_POSTGRESQL
    rows = session.execute(query, {"facility": facility_id, "table": table, "ids": wanted})
    for entity_id, action, before, after, occurred_at, user_name in rows:
        trails[entity_id].append(Event(action, before, after, occurred_at, user_name))
    return trails


# --- histories ------------------------------------------------------------------------------


def _standing(facets: Facets, column: Columns) -> dict[str, str]:
    return {name: standings.of(column) for name, standings in facets.items()}


def _changes(
    facets: Facets, was: dict[str, str] | None, now: dict[str, str], at: datetime, by: str | None
) -> list[StandingChange]:
    """The facets that changed from `was` (None: the row was made) to `now`."""
    changes = []
    for name, standings in facets.items():
        before = None if was is None else was[name]
        if before != now[name]:
            word = standings.change(before, now[name])
            changes.append(StandingChange(now[name], at, word, by, name, before))
    return changes


def _made(facets: Facets, row: Any, first: Event | None) -> list[StandingChange]:
    """The making of a row whose making no event records (imported or seeded directly): in
    its initial standing when the row was created, then in the standing its first event found
    it in (or, with no event at all, the one it has now, as of its last change)."""
    made = getattr(row, "created_at", None) or row.last_modified
    initial = {name: standings.initial for name, standings in facets.items()}
    if first is not None and first.before is not None:
        found, at = _standing(facets, first.before.get), made
    else:
        found, at = _standing(facets, lambda name: getattr(row, name, None)), row.last_modified
    return _changes(facets, None, initial, made, None) + _changes(facets, initial, found, at, None)


def standing_histories(
    session: Session,
    facility_id: int | None,
    table: str,
    rows: Iterable[Any],
    standings: Standings | Facets = ACTIVE_OR_ARCHIVED,
) -> dict[int, StandingHistory]:
    """The history of each row of `table` at the facility (`rows`: ledger rows or their read
    models, with `id`, `last_modified` and the columns `standings` reads), by id; one
    statement for them all. With no `facility_id` the rows are facilities."""
    rows = list(rows)
    facets = facets_of(standings)
    trails = audit_trails(session, facility_id, table, [row.id for row in rows])
    histories: dict[int, StandingHistory] = {}
    for row in rows:
        events = trails[row.id]
        recorded = bool(events) and events[0].before is None
        changes = [] if recorded else _made(facets, row, events[0] if events else None)
        for event in events:
            was = None if event.before is None else _standing(facets, event.before.get)
            now = _standing(facets, (event.after or {}).get)
            changes += _changes(facets, was, now, event.at, event.by)
        histories[row.id] = StandingHistory(tuple(changes), tuple(e.action for e in events))
    return histories
