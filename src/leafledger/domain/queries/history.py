"""The standing history of ledger rows, read from the audit log.

Every change to a ledger row appends an audit event with the row's columns before and after
(`services/audit.py`). A row's standing is read from its columns by its kind's `Standings`:
most rows are active or archived; a plant is vegetative, flowering, harvested, destroyed...;
a harvest is active, finished or archived. A row's standing changes when it is created, and
whenever an event leaves it in another standing than it found it; plain edits (a rename, a
move) are not standing changes. The events of a whole page of rows are read in one statement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.models import AuditEvent, User

# Reads one column of a row, from an audit snapshot or from the row itself.
Columns = Callable[[str], Any]


@dataclass(frozen=True, eq=False)
class Standings:
    """How a kind of row stands.

    - `of`: the standing its columns give ("active", "archived", "flowering"...);
    - `initial`: the standing of a row made without audit events (seeded or imported);
    - a change is worded by `leaving` (from the old standing, e.g. archived -> "restored"),
      else by `entering` (into the new one), else it is the new standing's own word.
    """

    of: Callable[[Columns], str]
    initial: str = "active"
    entering: Mapping[str, str] = field(default_factory=dict)
    leaving: Mapping[str, str] = field(default_factory=dict)

    def change(self, before: str | None, after: str) -> str:
        if before is None:
            return "created"
        return self.leaving.get(before) or self.entering.get(after, after)


@dataclass(frozen=True)
class StandingChange:
    standing: str  # the row's standing after the change
    at: datetime
    change: str  # "created", "archived", "restored", "destroyed", ...
    by: str | None  # the user's name; None for a change made by the system


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


def _harvest(column: Columns) -> str:
    if column("archived_date") is not None:
        return "archived"
    return "active" if column("finished_date") is None else "finished"


HARVESTS = Standings(
    _harvest,
    entering={"archived": "archived"},
    leaving={"finished": "unfinished", "archived": "restored"},
)


def standing_histories(
    session: Session,
    facility_id: int | None,
    table: str,
    ids: Iterable[int],
    standings: Standings = ACTIVE_OR_ARCHIVED,
) -> dict[int, list[StandingChange]]:
    """The standing changes of each row id of `table` at the facility, oldest first. With no
    `facility_id` the rows are facilities, each the facility of its own events."""
    wanted = sorted(set(ids))
    histories: dict[int, list[StandingChange]] = {entity_id: [] for entity_id in wanted}
    if not wanted:
        return histories
    scope = (
        AuditEvent.facility_id.in_(wanted)
        if facility_id is None
        else AuditEvent.facility_id == facility_id
    )
    rows = session.execute(
        select(AuditEvent.entity_id, AuditEvent.before, AuditEvent.after, AuditEvent.occurred_at)
        .add_columns(User.full_name)
        .outerjoin(User, AuditEvent.user_id == User.id)
        .where(scope, AuditEvent.entity_type == table, AuditEvent.entity_id.in_(wanted))
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    )
    for entity_id, before, after, occurred_at, user_name in rows:
        was = None if before is None else standings.of(before.get)
        now = standings.of((after or {}).get)
        if was != now:
            change = standings.change(was, now)
            histories[entity_id].append(StandingChange(now, occurred_at, change, user_name))
    return histories
