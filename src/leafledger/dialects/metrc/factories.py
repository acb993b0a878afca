"""TRANSITIONAL: the handler factories of resource modules not yet moved to kit/factories.py.
They go once every module uses the kit's factories, body schemas and loaders.


- `listing`: a query or sequence, paged and enveloped by the dialect;
- `by_id`: load one facility-owned object from the `{id}` path parameter and render it;
- `bulk`: apply a service to each object of the body, in order, all or nothing, ids answered in
  the order posted; an error names the object (row) that caused it;
- `delete`: act on the object named by `{id}`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import ScalarSelect, Select, Subquery
from sqlalchemy.orm import InstrumentedAttribute

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.endpoint import Handler
from leafledger.dialects.metrc.results import Listing, Written
from leafledger.domain.errors import Conflict, NotFound, RuleViolation
from leafledger.domain.queries.base import Listed

T = TypeVar("T")


def listing(
    source: Callable[[Call], Select[Any] | Sequence[Any]],
    render: Callable[[Any], Any],
    modified: InstrumentedAttribute[datetime] | None = None,
    total: Callable[[Call], ScalarSelect[int]] | None = None,
    expand: Callable[[Subquery], Select[Any]] | None = None,
) -> Handler:
    """A list; on a windowed row, `modified` is the column lastModifiedStart/End filter on.

    `total`, when given, answers the unfiltered count without counting rows (see
    services/plant_counts.py); a lastModified window is always counted for real. `expand`,
    when given, makes `source` a query of record keys (see kit/paging.fetch_page).
    """

    def handler(call: Call) -> Listing:
        found = source(call)
        if call.endpoint.windowed and (modified is None or not isinstance(found, Select)):
            raise RuntimeError(f"{call.endpoint.path} is windowed but its query cannot be")
        known = total(call) if total is not None else None
        listed = Listed(found, modified=modified, total=known, expand=expand)
        if call.window is not None:
            listed = listed.within(call.window.start, call.window.end)
        return Listing(listed, render)

    return handler


def path_id(call: Call, name: str = "id") -> int:
    """The integer path parameter (the route only matches digits)."""
    return int(call.path_params[name])


def by_id(load: Callable[[Call, int], T], render: Callable[[T], Any]) -> Handler:
    def handler(call: Call) -> Any:
        return render(load(call, path_id(call)))

    return handler


class Stored(Protocol):
    """A row a service created and added to the session, perhaps not flushed yet."""

    @property
    def id(self) -> int | None: ...


def bulk(
    apply: Callable[[Call, dict[str, Any]], int | Stored | None],
    prepare: Callable[[Call], None] | None = None,
) -> Handler:
    """Apply `apply` to every object of the body; each returns the id it created or touched,
    or the new row itself, left for one flush of the whole request. `prepare`, when given,
    runs first, once: it may read ahead what every object will need.

    A missing reference or a duplicate inside a body is the caller's mistake about that object,
    so it answers 400 naming the row, like any rule violation. Nothing is kept unless every
    object succeeds: the runner commits only when the handler returns.
    """

    def handler(call: Call) -> Written:
        if prepare is not None:
            prepare(call)
        touched: list[int | Stored] = []
        for index, obj in enumerate(call.objects):
            try:
                result = apply(call, obj)
            except RuleViolation as exc:
                raise exc if exc.row is not None else exc.at_row(index) from None
            except (NotFound, Conflict) as exc:
                raise RuleViolation(exc.message, row=index) from None
            if result is not None:
                touched.append(result)
        if not all(isinstance(item, int) for item in touched):
            call.session.flush()  # the new rows of every object in one go; ids assigned
        return Written([item if isinstance(item, int) else _stored_id(item) for item in touched])

    return handler


def _stored_id(row: Stored) -> int:
    if row.id is None:
        raise RuntimeError(f"{type(row).__name__} has no id after the flush")
    return row.id


def delete(remove: Callable[[Call, int], int]) -> Handler:
    def handler(call: Call) -> Written:
        return Written([remove(call, path_id(call))])

    return handler
