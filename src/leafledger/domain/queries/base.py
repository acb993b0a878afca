"""What every read of the ledger is built from: read models, the facility scope, list queries.

A list is described by a `Listed`: the statement that selects its records (or their keys),
the column a modification window filters on, and the optional steps that make a page cheap
and complete. A dialect pages it (kit/paging.py) and renders what comes back; renderers never
query. Whatever the page size, a page costs the same few statements: the page itself (its
count rides along as a column) and, when a list needs companions its rows cannot join (the
source harvests of packages, Trace histories), one statement each for the whole page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, ScalarSelect, Select, Subquery, select
from sqlalchemy.orm import DeclarativeBase, Session

from leafledger.domain.models import Facility


class ReadModel(DeclarativeBase):
    """Read-only classes mapped over joined queries (kept out of the ledger's metadata)."""


class FacilityOwned(Protocol):
    facility_id: Any


def of_facility(columns: Any, facility: Facility | int) -> ColumnElement[bool]:
    """The condition that scopes a model, read model or subquery to one facility: every list
    of facility-owned rows is built on it, at the point where the licence is known."""
    facility_id = facility if isinstance(facility, int) else facility.id
    column = columns.c.facility_id if hasattr(columns, "c") else columns.facility_id
    condition: ColumnElement[bool] = column == facility_id
    return condition


R = TypeVar("R")


def owned(model: type[R], facility: Facility | int) -> Select[R]:
    """`SELECT model WHERE facility_id = ...`: the start of most lists."""
    return select(model).where(of_facility(model, facility))


def active_or_archived(model: Any, facility: Facility, *, active: bool) -> Listed:
    """The facility's active (or archived) rows of `model` (an entity or a read model), oldest
    first, windowed on their last change: the list of every aggregate archived, not deleted."""
    source = (
        select(model)
        .where(of_facility(model, facility), model.active.is_(active))
        .order_by(model.id)
    )
    return Listed(source, modified=model.last_modified)


# Turns one page of records into what renderers take (joins a page's companions in one
# statement each); it receives the session and the records, in page order.
Complete = Callable[[Session, list[Any]], list[Any]]


@dataclass(frozen=True)
class Listed:
    """A list's records, described for paging.

    - `source`: the statement (ordered) or, for short fixed lists, a sequence;
    - `modified`: the column a lastModified / start_date..end_date window filters on;
    - `total`: the unfiltered count when it is cheaper to know than to count (plant counters);
    - `expand`: when `source` selects only keys, the records of one page of keys;
    - `complete`: a step run once per page over its records (see `Complete`).
    """

    source: Select[Any] | Sequence[Any]
    modified: Any = None
    total: ScalarSelect[int] | None = None
    expand: Callable[[Subquery], Select[Any]] | None = None
    complete: Complete | None = None

    def within(self, start: datetime | None, end: datetime | None) -> Listed:
        """The records modified between `start` and `end` (either may be open). A window is
        always counted for real, so a kept `total` no longer applies."""
        if start is None and end is None:
            return self
        if self.modified is None or not isinstance(self.source, Select):
            raise RuntimeError("this list cannot be filtered by modification time")
        source = self.source
        if start is not None:
            source = source.where(self.modified >= start)
        if end is not None:
            source = source.where(self.modified <= end)
        return replace(self, source=source, total=None)

    def where(self, *conditions: ColumnElement[bool]) -> Listed:
        if not isinstance(self.source, Select):
            raise RuntimeError("a fixed list takes no conditions")
        return replace(self, source=self.source.where(*conditions), total=None)


def unarchived(
    model: Any,
    facility: Facility,
    *conditions: ColumnElement[bool],
    complete: Complete | None = None,
) -> Listed:
    """The facility's rows of `model` (a read model with `archived_date`, `last_modified`)
    that are not archived and meet `conditions`, oldest first; windows filter on
    `last_modified`. Harvests and packages are listed so, finished or not."""
    source = owned(model, facility).where(model.archived_date.is_(None), *conditions)
    return Listed(source.order_by(model.id), modified=model.last_modified, complete=complete)


def completed(session: Session, listed: Listed, records: list[Any]) -> list[Any]:
    """`records` after the list's completing step, if it has one."""
    if listed.complete is None or not records:
        return records
    return listed.complete(session, records)
