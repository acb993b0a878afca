"""The generic handlers of the Trace table.

Every Trace object is rendered with its `entity_state` history and the path's state, so a
Trace renderer takes a `Viewed`: the ledger record (after the query layer's completing step),
its history, the state, the facility and, when the request asks for them (`expand=`), its
companions (a plant's additives, a harvest's lots...). Histories and companions of a whole
page are read in one statement each.

- `listing`: a domain list, filtered by the start_date/end_date window, paged by limit/offset;
- `show`: the row's loaded target;
- `write`: a service applied to the body's one command; answers the object written (or, when
  the service makes several, each of them);
- `change`: a service applied to the loaded target and the body's command (PUT /x/{id});
- `remove`: a service applied to the loaded target; answers `{"id", "deleted": true}`;
- `by_entity_state`: the list query the `entity_state` parameter chooses;
- `matching`: a list narrowed by a query parameter (`?barcode=`, `?name=`);
- `reference_list`: a list of type, phase or action ids (`codes.py`).

Writes answer, beside the object, a warning for each field the body gave that the ledger does
not keep (`TraceBody.not_kept`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.orm import Session

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.endpoint import Handler
from leafledger.dialects.kit.factories import Apply, Query
from leafledger.dialects.kit.results import Listing
from leafledger.dialects.trace.bodies import unkept_warnings
from leafledger.dialects.trace.codes import CodeList
from leafledger.dialects.trace.dialect import Warned
from leafledger.dialects.trace.history import StateWords, entity_state, standing_state
from leafledger.dialects.trace.states import path_state
from leafledger.domain.actor import Actor
from leafledger.domain.errors import Conflict, NotFound, RuleViolation
from leafledger.domain.models import Facility
from leafledger.domain.queries.base import Complete, Listed
from leafledger.domain.queries.history import (
    ACTIVE_OR_ARCHIVED,
    Facets,
    Standings,
    standing_histories,
)

# The companions of a page of rows (one statement for the page): one value per row, in order.
Companions = Callable[[Session, list[Any]], list[Any]]
# The companions a request asks for (its `expand` parameter), if any.
Expand = Callable[[Call], Companions | None]


@dataclass(frozen=True)
class Kind:
    """What the factories need to know of one kind of Trace object.

    - `table`, `standings`: where its history is kept and how its standing is read (one
      standing, or several facets: a package's life, hold and lab testing state);
    - `noun`: its name in the reasons of its history ("plant batch created"); `nouns`, the
      name of a facet whose changes are worded with it instead ("lab testing state");
    - `states`: how Trace words the state a change leaves it in, where that is not the
      standing's Trace word (a lot unfinished is `unfinished`, not `active`);
    - `read_model`: what its renderer takes, when that is not the ledger row a service
      returns (a joined read model): a written row is read again as one;
    - `complete`: the read model's completing step, for one object as for a page.
    """

    table: str
    noun: str
    standings: Standings | Facets = ACTIVE_OR_ARCHIVED
    read_model: type[Any] | None = None
    complete: Complete | None = None
    nouns: Mapping[str, str] = field(default_factory=dict)
    states: StateWords = standing_state


@dataclass(frozen=True)
class Viewed:
    """What a renderer takes: the record, its `entity_state` history, the path's state, the
    facility, the companions asked for, and the actions of the record's audit events, oldest
    first (what was last done to it)."""

    record: Any
    entity_state: list[dict[str, Any]]
    state: str
    facility: Facility
    companions: Any = None
    actions: tuple[str, ...] = ()


Render = Callable[[Viewed], dict[str, Any]]
# What a viewer takes: (record, history, companions, actions).
_Item = tuple[Any, list[dict[str, Any]], Any, tuple[str, ...]]


def _viewing(
    facility: Facility, kind: Kind, complete: Complete | None, companions: Companions | None
) -> Complete:
    """A page's completing step: the rows' own (`complete`), their histories and the
    companions asked for, one statement each."""

    def view(session: Session, rows: list[Any]) -> list[Any]:
        histories = standing_histories(session, facility.id, kind.table, rows, kind.standings)
        records = complete(session, rows) if complete is not None else rows
        extra = companions(session, rows) if companions is not None else [None] * len(rows)
        items = []
        for row, record, more in zip(rows, records, extra, strict=True):
            history = histories[row.id]
            worded = entity_state(history, kind.noun, kind.nouns, kind.states)
            items.append((record, worded, more, history.actions))
        return items

    return view


def _viewer(call: Call, render: Render) -> Callable[[_Item], dict[str, Any]]:
    state, facility = path_state(call), call.facility

    def view(item: _Item) -> dict[str, Any]:
        record, history, companions, actions = item
        return render(Viewed(record, history, state, facility, companions, actions))

    return view


def _asked(expand: Expand | None, call: Call) -> Companions | None:
    return None if expand is None else expand(call)


def listing(query: Query, render: Render, kind: Kind, expand: Expand | None = None) -> Handler:
    def handler(call: Call) -> Listing:
        listed = query(call)
        if call.window is not None:
            listed = listed.within(call.window.start, call.window.end)
        viewing = _viewing(call.facility, kind, listed.complete, _asked(expand, call))
        return Listing(replace(listed, complete=viewing), _viewer(call, render))

    return handler


def _read_again(session: Session, kind: Kind, row: Any) -> Any:
    """A written row as its renderer takes it (its read model, read afresh)."""
    if kind.read_model is None or isinstance(row, kind.read_model):
        return row
    return session.get(kind.read_model, row.id, populate_existing=True)


def views_of(
    call: Call, rows: Sequence[Any], render: Render, kind: Kind, expand: Expand | None = None
) -> list[dict[str, Any]]:
    """Records as Trace objects (after a write, or the row's loaded target)."""
    call.session.flush()
    fresh = [_read_again(call.session, kind, row) for row in rows]
    items = _viewing(call.facility, kind, kind.complete, _asked(expand, call))(call.session, fresh)
    viewer = _viewer(call, render)
    return [viewer(item) for item in items]


def show(render: Render, kind: Kind, expand: Expand | None = None) -> Handler:
    def handler(call: Call) -> dict[str, Any]:
        [view] = views_of(call, [call.target], render, kind, expand)
        return view

    return handler


def _answer(call: Call, written: Any, render: Render, kind: Kind, expand: Expand | None) -> Warned:
    """The object written (or the list of them), with the body's warnings."""
    rows = written if isinstance(written, list) else [written]
    views = views_of(call, rows, render, kind, expand)
    return Warned(views if isinstance(written, list) else views[0], unkept_warnings(call))


def _refusing(apply: Callable[..., Any], *args: Any) -> Any:
    """`apply(*args)`; a missing or duplicate reference inside the body is the caller's mistake
    about that body, a 400 like any rule (a missing path target was a 404 before this)."""
    try:
        return apply(*args)
    except (NotFound, Conflict) as exc:
        raise RuleViolation(exc.message) from None


# A write: (session, actor, facility, body command) -> the row written, or the rows.
ApplyCommand = Callable[[Session, Actor, Facility, Any], Any]


def write(apply: ApplyCommand, render: Render, kind: Kind, expand: Expand | None = None) -> Handler:
    def handler(call: Call) -> Any:
        written = _refusing(apply, call.session, call.actor, call.facility, call.command)
        return _answer(call, written, render, kind, expand)

    return handler


# A change of the row's target: (session, actor, facility, target, body command) -> the row.
ApplyTo = Callable[[Session, Actor, Facility, Any, Any], Any]


def change(
    apply: ApplyTo,
    render: Render,
    kind: Kind,
    expand: Expand | None = None,
    actions: CodeList | None = None,
) -> Handler:
    """PUT /x/{id}: `apply` to the loaded target and the body's command; answers the object.
    With `actions`, the command names one of them (`command.action`) and the object answers
    it under `actions`, as Trace's samples do."""

    def handler(call: Call) -> Any:
        written = _refusing(
            apply, call.session, call.actor, call.facility, call.target, call.command
        )
        answer = _answer(call, written, render, kind, expand)
        if actions is not None:
            answer.value["actions"] = actions.ref(path_state(call), call.command.action)
        return answer

    return handler


def remove(apply: Apply) -> Handler:
    def handler(call: Call) -> dict[str, Any]:
        _refusing(apply, call.session, call.actor, call.facility, call.target)
        return {"id": str(call.target.id), "deleted": True}

    return handler


def matching(query: Query, param: str, column: Any) -> Query:
    """`query`, narrowed to the records whose `column` equals the query parameter `param`
    when the request gives it (`?barcode=` of plants, `?name=` of harvests)."""

    def narrowed(call: Call) -> Listed:
        listed = query(call)
        wanted = (call.query.get(param) or "").strip()
        return listed.where(column == wanted) if wanted else listed

    return narrowed


def reference_list(codes: CodeList) -> Handler:
    """GET of a reference list: its entries, with the ids of the path's state."""

    def handler(call: Call) -> list[dict[str, str]]:
        return codes.listing(path_state(call))

    handler.__name__ = handler.__qualname__ = f"{codes.code.lower()}_list"
    return handler


def by_entity_state(
    choices: Mapping[str, Query],
    default: str = "active",
    *,
    unkept: Sequence[str] = (),
    noun: str = "object",
) -> Query:
    """The list the `entity_state` parameter names among `choices` (`default` without it).
    `unkept` are states Trace has for a `noun` that the ledger keeps nothing for: no object
    can be in them, and asking for one says so."""

    def query(call: Call) -> Any:
        wanted = (call.query.get("entity_state") or default).strip().lower()
        if wanted in unkept:
            raise RuleViolation(
                f"leafledger keeps no {noun} state {wanted!r}: no {noun} can be in it; "
                f"use one of {', '.join(choices)}."
            )
        if wanted not in choices:
            raise RuleViolation(
                f"entity_state must be one of {', '.join(choices)}; got {wanted!r}."
            )
        return choices[wanted](call)

    return query
