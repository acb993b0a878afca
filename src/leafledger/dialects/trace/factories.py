"""The generic handlers of the Trace table.

Every Trace object is rendered with its `entity_state` history and the path's state, so a
Trace renderer takes a `Viewed`: the ledger record (after the query layer's completing step),
its history, the state and the facility. Histories of a whole page are read in one statement.

- `listing`: a domain list, filtered by the start_date/end_date window, paged by limit/offset;
- `show`: the row's loaded target;
- `write`: a service applied to the body's one command; answers the object written;
- `change`: a service applied to the loaded target and the body's command (PUT /x/{id});
- `remove`: a service applied to the loaded target; answers `{"id", "deleted": true}`;
- `with_warnings`: a handler whose answer warns of the body's fields the ledger does not keep.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.endpoint import Handler
from leafledger.dialects.kit.factories import Apply, Query
from leafledger.dialects.kit.results import Listing
from leafledger.dialects.trace.bodies import not_kept_warnings
from leafledger.dialects.trace.dialect import Warned
from leafledger.dialects.trace.history import entity_state
from leafledger.dialects.trace.states import path_state
from leafledger.domain.actor import Actor
from leafledger.domain.models import Facility
from leafledger.domain.queries.base import Complete
from leafledger.domain.queries.history import standing_histories


@dataclass(frozen=True)
class History:
    """Where a kind of object's history is kept: its table, and its name in reasons. A kind
    whose records carry their history from the query layer reads it there instead (`of`)."""

    table: str
    noun: str

    def of(self, session: Session, facility: Facility, records: list[Any]) -> list[Any]:
        """The `entity_state` list of each record, in order (one statement for them all)."""
        ids = [record.id for record in records]
        changes = standing_histories(session, facility.id, self.table, ids)
        return [entity_state(changes[record.id], self.noun, record) for record in records]


@dataclass(frozen=True)
class Viewed:
    record: Any
    entity_state: list[dict[str, Any]]
    state: str
    facility: Facility


Render = Callable[[Viewed], dict[str, Any]]


def _histories(facility: Facility, history: History, complete: Complete | None) -> Complete:
    def with_histories(session: Session, records: list[Any]) -> list[Any]:
        if complete is not None:
            records = complete(session, records)
        return list(zip(records, history.of(session, facility, records), strict=True))

    return with_histories


def _viewer(call: Call, render: Render) -> Callable[[tuple[Any, list[dict[str, Any]]]], Any]:
    state, facility = path_state(call), call.facility

    def view(item: tuple[Any, list[dict[str, Any]]]) -> dict[str, Any]:
        return render(Viewed(item[0], item[1], state, facility))

    return view


def listing(query: Query, render: Render, history: History) -> Handler:
    def handler(call: Call) -> Listing:
        listed = query(call)
        if call.window is not None:
            listed = listed.within(call.window.start, call.window.end)
        listed = replace(listed, complete=_histories(call.facility, history, listed.complete))
        return Listing(listed, _viewer(call, render))

    return handler


def view_of(call: Call, record: Any, render: Render, history: History) -> dict[str, Any]:
    """One record as a Trace object (after a write, or the row's loaded target)."""
    [item] = _histories(call.facility, history, None)(call.session, [record])
    result: dict[str, Any] = _viewer(call, render)(item)
    return result


def show(render: Render, history: History) -> Handler:
    def handler(call: Call) -> dict[str, Any]:
        return view_of(call, call.target, render, history)

    return handler


def write(apply: Apply, render: Render, history: History) -> Handler:
    def handler(call: Call) -> dict[str, Any]:
        written = apply(call.session, call.actor, call.facility, call.command)
        call.session.flush()
        return view_of(call, written, render, history)

    return handler


# A change of the row's target: (session, actor, facility, target, body command) -> the row.
ApplyTo = Callable[[Session, Actor, Facility, Any, Any], Any]


def change(apply: ApplyTo, render: Render, history: History) -> Handler:
    """PUT /x/{id}: `apply` to the loaded target and the body's command; answers the object."""

    def handler(call: Call) -> dict[str, Any]:
        written = apply(call.session, call.actor, call.facility, call.target, call.command)
        call.session.flush()
        return view_of(call, written, render, history)

    return handler


def remove(apply: Apply) -> Handler:
    def handler(call: Call) -> dict[str, Any]:
        apply(call.session, call.actor, call.facility, call.target)
        return {"id": str(call.target.id), "deleted": True}

    return handler


def with_warnings(handler: Handler) -> Handler:
    """`handler`, its answer warning of the fields its body gave that the ledger does not keep
    (the schema's `not_kept`)."""

    def warned(call: Call) -> Warned:
        return Warned(handler(call), not_kept_warnings(call.endpoint.schema, call.body))

    return warned
