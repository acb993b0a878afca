"""The generic handlers most rows of both tables are built from.

- `listing`: a list from the domain's query layer, filtered by the row's modification window,
  paged and enveloped by the dialect;
- `fixed`: a fixed reference list;
- `show`: the row's loaded target, rendered;
- `bulk`: a service applied to each command of the body, in order, all or nothing, the ids
  answered in the order posted; an error names the object (row) that caused it;
- `remove`: a service applied to the loaded target (DELETE /x/{id}).

Services take `(session, actor, facility, command)`: one command object per operation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from sqlalchemy.orm import Session

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.endpoint import Handler
from leafledger.dialects.kit.results import Listing, Written
from leafledger.domain.actor import Actor
from leafledger.domain.errors import Conflict, NotFound, RuleViolation
from leafledger.domain.models import Facility
from leafledger.domain.queries.base import Listed


class Stored(Protocol):
    """A row a service created and added to the session, perhaps not flushed yet."""

    @property
    def id(self) -> int | None: ...


Apply = Callable[[Session, Actor, Facility, Any], "int | Stored | None"]
Prepare = Callable[[Session, Facility, list[Any]], None]
Query = Callable[[Call], Listed]


def at_facility(query: Callable[..., Listed], **options: Any) -> Query:
    """A domain query of the licence's facility: `query(facility, **options)`."""

    def of_call(call: Call) -> Listed:
        return query(call.facility, **options)

    return of_call


def listing(query: Query, render: Callable[[Any], Any]) -> Handler:
    """The list `query` gives, within the row's modification window if one is asked."""

    def handler(call: Call) -> Listing:
        listed = query(call)
        if call.window is not None:
            listed = listed.within(call.window.start, call.window.end)
        return Listing(listed, render)

    return handler


def fixed(records: Sequence[Any], render: Callable[[Any], Any], name: str) -> Handler:
    """A fixed list; the handler is named after it for route reports and tracebacks."""
    listed = Listed(records)

    def handler(call: Call) -> Listing:
        return Listing(listed, render)

    handler.__name__ = handler.__qualname__ = name
    return handler


def show(render: Callable[[Any], Any]) -> Handler:
    """The row's target (see `Endpoint.loads`), rendered."""

    def handler(call: Call) -> Any:
        return render(call.target)

    return handler


def bulk(apply: Apply, prepare: Prepare | None = None) -> Handler:
    """Apply `apply` to every command of the body; each returns the id it created or touched,
    or the new row itself, left for one flush of the whole request. `prepare`, when given,
    runs first, once, over all the commands: it may read ahead what each will need.

    A missing reference or a duplicate inside a body is the caller's mistake about that object,
    so it answers 400 naming the row, like any rule violation. Nothing is kept unless every
    object succeeds: the runner commits only when the handler returns.
    """

    def handler(call: Call) -> Written:
        if prepare is not None:
            prepare(call.session, call.facility, call.commands)
        touched: list[int | Stored] = []
        for index, command in enumerate(call.commands):
            try:
                result = apply(call.session, call.actor, call.facility, command)
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


def remove(apply: Apply) -> Handler:
    """Apply `apply` to the row's target; answers its id."""

    def handler(call: Call) -> Written:
        result = apply(call.session, call.actor, call.facility, call.target)
        if result is None:
            raise RuntimeError(f"{call.endpoint.path}: the service answered no id")
        return Written([result if isinstance(result, int) else _stored_id(result)])

    return handler
