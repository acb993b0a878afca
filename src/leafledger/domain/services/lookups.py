"""Finding what a request refers to by name or label, shared by every aggregate's service.

Metrc bodies name their references ("Location": "Flower Room", "Item": "Buds", "Tag": "1A4...").
These helpers resolve a name within the facility, or raise a clear error; the bulk factory turns
that error into a 400 naming the object's row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import Select, bindparam, inspect, select
from sqlalchemy.orm import InstrumentedAttribute, ORMExecuteState, Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import NotFound, RuleViolation
from leafledger.domain.models import (
    AdditivesTemplate,
    Facility,
    Item,
    ItemBrand,
    Location,
    ProcessingJob,
    ProcessingJobType,
    Strain,
    Sublocation,
    Tag,
)
from leafledger.domain.models.base import Base, IsTrue, utcnow
from leafledger.domain.request_state import NameMemo, peek_request_state, request_state
from leafledger.domain.services.audit import audited, changed_in_memory

# What a location may hold, by the name used in messages -> the Location flag.
HOLDS = {
    "plant batches": "for_plant_batches",
    "plants": "for_plants",
    "harvests": "for_harvests",
    "packages": "for_packages",
}

Named = TypeVar("Named", Location, Sublocation, Strain, Item, ProcessingJobType)
Held = TypeVar("Held", bound=Base)
# Rows named uniquely among a facility's active rows of their kind.
UniquelyNamed = TypeVar(
    "UniquelyNamed",
    Location,
    Sublocation,
    Strain,
    Item,
    ItemBrand,
    AdditivesTemplate,
    ProcessingJobType,
    ProcessingJob,
)


def facility_today(facility: Facility, now: datetime | None = None) -> date:
    """The calendar date at the facility (its own time zone), for default dates."""
    return (now or utcnow()).astimezone(ZoneInfo(facility.timezone)).date()


def not_future(facility: Facility, when: date | None, field: str | None = None) -> date:
    """`when`, or today at the facility when not given; never a day after today there."""
    today = facility_today(facility)
    if when is None:
        return today
    if when > today:
        raise RuleViolation(f"The date {when.isoformat()} is in the future.", field=field)
    return when


# Lookups by name made during one request (one session), so that ten objects naming the same
# strain and location ask the database once (kept in the request state). A flush that touches
# a model of that kind forgets its lookups: a later lookup sees the change.


def _memo(session: Session) -> NameMemo:
    return request_state(session).names


def forget_changed_kinds(session: Session, _context: Any) -> None:
    """Flush hook (installed by domain/listeners.py): drop lookups of the kinds flushed."""
    state = peek_request_state(session)
    if state is None or not state.names:
        return
    memo = state.names
    changed = {type(obj) for obj in (*session.new, *session.dirty, *session.deleted)}
    for key in [key for key in memo if key[0] in changed]:
        del memo[key]


@cache
def _by_name(model: type[Named]) -> Select[Named]:
    """The facility's row of `model` with a name, the active one first: built once per model
    (a statement built for every lookup cost about as much as running it)."""
    return (
        select(model)
        .where(model.facility_id == bindparam("facility_id"), model.name == bindparam("name"))
        .order_by(model.active.desc(), model.id.desc())
        .limit(1)
    )


def _named(session: Session, model: type[Named], facility: Facility, name: Any, what: str) -> Named:
    if not isinstance(name, str) or not name.strip():
        raise RuleViolation(f"A {what} name is required.")
    key = (model, facility.id, name.strip())
    found: Named | None = _memo(session).get(key)
    if found is None:
        found = session.scalars(
            _by_name(model), {"facility_id": facility.id, "name": name.strip()}
        ).first()
    if found is None:
        raise NotFound(f"No {what} named {name.strip()!r} at this facility.")
    if not found.active:
        raise RuleViolation(f"The {what} {found.name!r} is archived and cannot be used.")
    _memo(session)[key] = found
    return found


def refuse_taken_name(
    session: Session,
    model: type[UniquelyNamed],
    facility: Facility,
    name: str,
    what: str,
    *,
    exclude_id: int | None = None,
) -> None:
    """Refuse `name` when another active row of `model` at the facility already carries it
    (the partial unique indexes of active names enforce it in the database too)."""
    if taken(session, model.name, facility, name, exclude_id=exclude_id):
        raise RuleViolation(f"An active {what} named {name!r} already exists at this facility.")


def taken(
    session: Session,
    column: InstrumentedAttribute[str],
    facility: Facility,
    value: str,
    *,
    exclude_id: int | None = None,
) -> bool:
    """Whether an active row of `column`'s model at the facility, other than `exclude_id`,
    already holds `value` in that column (a name, a driver's licence number, a plate)."""
    model = column.class_
    query = select(model.id).where(
        model.facility_id == facility.id, column == value, IsTrue(model.active)
    )
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return session.scalars(query.limit(1)).first() is not None


def active_name(row: UniquelyNamed, what: str, field: str | None = None) -> str:
    """The name a command may refer to `row` by, when the request named it by id: names are
    unique among a facility's active rows of a kind, so the name of an active row finds that
    row again. An archived row is refused, as it is when named."""
    if not row.active:
        raise RuleViolation(f"The {what} {row.name!r} is archived and cannot be used.", field=field)
    return row.name


def location_named(
    session: Session, facility: Facility, name: Any, *, holding: str | None = None
) -> Location:
    """An active location of the facility; with `holding`, one whose type may hold that."""
    location = _named(session, Location, facility, name, "location")
    if holding is not None and not getattr(location, HOLDS[holding]):
        raise RuleViolation(
            f"The location {location.name!r} ({location.location_type_name}) cannot hold {holding}."
        )
    return location


def sublocation_named(session: Session, facility: Facility, name: Any) -> Sublocation:
    return _named(session, Sublocation, facility, name, "sublocation")


def strain_named(session: Session, facility: Facility, name: Any) -> Strain:
    return _named(session, Strain, facility, name, "strain")


def item_named(session: Session, facility: Facility, name: Any) -> Item:
    return _named(session, Item, facility, name, "item")


def claim_tag(session: Session, actor: Actor, facility: Facility, label: Any, kind: str) -> Tag:
    """Mark an available tag of this facility and of `kind` ("Plant"/"Package") as used.

    A tag is used exactly once: a used, retired, foreign or unknown tag is refused.
    """
    if not isinstance(label, str) or not label.strip():
        raise RuleViolation(f"A {kind.lower()} tag label is required.")
    label = label.strip()
    tag = request_state(session).locked_tags.get(label)
    if tag is None:
        tag = session.scalars(select(Tag).where(Tag.label == label).with_for_update()).first()
    if tag is None or tag.facility_id != facility.id:
        raise RuleViolation(f"Tag {label} is not issued to this facility.")
    if tag.kind != kind:
        raise RuleViolation(f"Tag {label} is a {tag.kind.lower()} tag, not a {kind.lower()} tag.")
    if tag.status != "Available":
        raise RuleViolation(f"Tag {label} is {tag.status.lower()}; a tag may be used only once.")
    # Without a flush: the tags of a bulk request are written together.
    changed_in_memory(session, actor, tag, "use", facility.id, status="Used", used_at=utcnow())
    return tag


def refresh_locked_rows(state: ORMExecuteState) -> None:
    """Session hook (do_orm_execute): a SELECT ... FOR UPDATE (`session.get` with
    `with_for_update` too) refreshes the objects it returns. The ORM otherwise keeps the
    attributes of an object already in the session, so a row read before it was locked (a
    Trace body's lots, read ahead by id) kept what that first read saw, and a change another
    request committed in between was written over. What this request changed through the
    ORM is flushed before the query runs (autoflush), so only what it read goes; a change
    kept in memory alone (`sales._take`) must not be locked again before it is written."""
    if state.is_select and getattr(state.statement, "_for_update_arg", None) is not None:
        state.update_execution_options(populate_existing=True)


def locked_in_id_order(
    session: Session,
    model: type[Held],
    key: InstrumentedAttribute[Any],
    wanted: Sequence[object],
    facility_id: int | None = None,
) -> Sequence[Held]:
    """The rows of `model` whose `key` is among `wanted` (of the facility, when given), locked
    FOR UPDATE in the order of their ids: what a bulk request reads ahead of its objects, in
    one statement however many there are. Two requests locking overlapping rows this way
    wait for each other rather than deadlock."""
    if not wanted:
        return []
    columns = inspect(model).columns
    query = select(model).where(key.in_(wanted))
    if facility_id is not None:
        query = query.where(columns["facility_id"] == facility_id)
    return session.scalars(query.order_by(columns["id"]).with_for_update()).all()


def stripped_labels(labels: Iterable[object]) -> list[str]:
    """The distinct non-blank labels among `labels`, stripped and sorted."""
    return sorted({label.strip() for label in labels if isinstance(label, str) and label.strip()})


def lock_tags(session: Session, labels: Iterable[object]) -> None:
    """Lock the tags a bulk request will claim (`locked_in_id_order`) and keep them for
    `claim_tag`. Labels that name no tag are left to the object that names them."""
    found = locked_in_id_order(session, Tag, Tag.label, stripped_labels(labels))
    request_state(session).locked_tags.update({tag.label: tag for tag in found})


def held_row(session: Session, model: type[Held], row_id: int) -> Held | None:
    """`session.get(model, row_id)`, held for the rest of the request (see
    `RequestState.held_rows`)."""
    rows = request_state(session).held_rows
    key = (model, row_id)
    if key not in rows:
        rows[key] = session.get(model, row_id)
    found: Held | None = rows[key]
    return found


def retire_tag(session: Session, actor: Actor, tag: Tag) -> None:
    """Take a used tag out of service (its plant or package was re-tagged)."""
    done = audited(session, actor, tag, "retire", tag.facility_id)
    tag.status = "Retired"
    tag.retired_at = utcnow()
    done()
