"""Recording changes in the audit log. Every service mutation goes through `record` (or
`audited`, `record_created`); the events of a request are appended to their chains together,
at commit (domain/services/audit_chain.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import ORMExecuteState, Session

from leafledger.domain.actor import Actor
from leafledger.domain.models import AuditEvent, Base
from leafledger.domain.models.base import utcnow
from leafledger.domain.request_state import (
    AwaitingCreation,
    PendingEvent,
    peek_request_state,
    request_state,
)
from leafledger.domain.services import audit_chain


def _json_safe(value: Any) -> Any:
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is Decimal:
        return str(value)
    if kind is datetime or kind is date:
        return value.isoformat()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


# Values kept as they are (checked by exact type first: most columns are these).
_PLAIN = frozenset({str, int, bool, type(None), float, dict, list})
# The column attribute keys of each mapped class, read once.
_COLUMN_KEYS: dict[type[Base], tuple[str, ...]] = {}


def _column_keys(cls: type[Base]) -> tuple[str, ...]:
    keys = _COLUMN_KEYS.get(cls)
    if keys is None:
        keys = _COLUMN_KEYS[cls] = tuple(column.key for column in inspect(cls).column_attrs)
    return keys


def snapshot(obj: Base, exclude: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The column values of `obj` as JSON-safe data, for the before/after of an event. A
    loaded value is read from the instance's dict (an attribute read through the ORM's
    descriptor costs several times more); one not loaded is read through it (and loaded)."""
    loaded = obj.__dict__
    taken = {}
    for key in _column_keys(obj.__class__):
        if key in exclude:
            continue
        value = loaded[key] if key in loaded else getattr(obj, key)
        taken[key] = value if type(value) in _PLAIN else _json_safe(value)  # most are plain
    return taken


def snapshot_changed(before: dict[str, Any], obj: Base, *keys: str) -> dict[str, Any]:
    """The snapshot of `obj` when only the columns `keys` changed since `before` was taken:
    what `snapshot(obj)` gives, without reading every column again."""
    return {**before, **{key: _json_safe(getattr(obj, key)) for key in keys}}


def values_snapshot(model: type[Base], values: dict[str, Any]) -> dict[str, Any]:
    """The snapshot of a row of `model` written from `values` (its id included) without an
    ORM object: what `snapshot` gives of the object those values would have made."""
    taken = {}
    for key in _column_keys(model):
        value = values.get(key)
        taken[key] = value if type(value) in _PLAIN else _json_safe(value)
    return taken


def _event_values(
    actor: Actor,
    entity: Base,
    action: str,
    facility_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    occurred_at: datetime,
) -> dict[str, Any]:
    identity = inspect(entity).identity
    if identity is None:
        raise ValueError("flush the entity before recording an event about it")
    return row_event(
        actor,
        entity.__class__.__tablename__,
        int(identity[0]),
        action,
        facility_id,
        before=before,
        after=after,
        occurred_at=occurred_at,
    )


def row_event(
    actor: Actor,
    table: str,
    entity_id: int,
    action: str,
    facility_id: int | None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> dict[str, Any]:
    """An event's column values, about row `entity_id` of `table`: what `record` appends for
    an ORM object, for services that write rows without one (`record_events`)."""
    return {
        "occurred_at": occurred_at or utcnow(),
        "facility_id": facility_id,
        "user_id": actor.user_id,
        "integrator_id": actor.integrator_id,
        "channel": actor.channel,
        "entity_type": table,
        "entity_id": entity_id,
        "action": action,
        "before": before,
        "after": after,
    }


def record_events(session: Session, events: list[dict[str, Any]]) -> None:
    """Record events made by `row_event`, in order (appended at commit like any other)."""
    request_state(session).events.extend(events)


def record(
    session: Session,
    actor: Actor,
    *,
    entity: Base,
    action: str,
    facility_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Record one event. The entity must already have its primary key (flush first). The
    event is appended to its facility's chain when the request commits (`write_events`)."""
    values = _event_values(actor, entity, action, facility_id, before, after, utcnow())
    request_state(session).events.append(values)


def record_new(
    session: Session,
    actor: Actor,
    entity: Base,
    facility_id: int | None,
    *,
    action: str = "create",
    exclude: frozenset[str] = frozenset(),
) -> None:
    """Add a new `entity`, flush it for its id, and record its creation (its columns but
    `exclude` as the event's after): what every service that creates one row does."""
    session.add(entity)
    session.flush()
    after = snapshot(entity, exclude)
    record(session, actor, entity=entity, action=action, facility_id=facility_id, after=after)


def audited(
    session: Session,
    actor: Actor,
    entity: Base,
    action: str,
    facility_id: int | None,
    *,
    flush: bool = True,
) -> Callable[[], None]:
    """Snapshot `entity` now; the returned function records the change once it is made
    (after a flush, unless the caller set every column the flush would: `changed_in_memory`)."""
    before = snapshot(entity)

    def done() -> None:
        if flush:
            session.flush()
        record(
            session,
            actor,
            entity=entity,
            action=action,
            facility_id=facility_id,
            before=before,
            after=snapshot(entity),
        )

    return done


def changed(
    session: Session,
    actor: Actor,
    entity: Base,
    action: str,
    facility_id: int | None,
    **values: object,
) -> None:
    """Set `values` on `entity` and record the change as `action` (before and after)."""
    done = audited(session, actor, entity, action, facility_id)
    for name, value in values.items():
        setattr(entity, name, value)
    done()


def changed_in_memory(
    session: Session,
    actor: Actor,
    entity: Base,
    action: str,
    facility_id: int | None,
    **values: object,
) -> None:
    """`changed` without a flush: set `values` and `last_modified` on the persistent
    `entity` and record the change. The row's only generated column is set here, so the
    snapshot after is what the next flush writes; a bulk request changing many rows (or one
    row many times) then writes them together rather than one flush per change."""
    done = audited(session, actor, entity, action, facility_id, flush=False)
    for name, value in values.items():
        setattr(entity, name, value)
    setattr(entity, "last_modified", utcnow())  # noqa: B010 (any Timestamped row)
    done()


def record_created(
    session: Session, actor: Actor, entity: Base, action: str, facility_id: int | None
) -> None:
    """Record the creation of `entity`, which need not be flushed yet: its snapshot is taken
    when the events are written, once the flush that inserts it has given it an id. Services
    that create many rows in one request use it so that the rows go to the database together
    rather than in one flush each."""
    if inspect(entity).identity is not None:
        after = snapshot(entity)
        record(session, actor, entity=entity, action=action, facility_id=facility_id, after=after)
        return
    awaiting = AwaitingCreation(entity, actor, action, facility_id, utcnow())
    request_state(session).events.append(awaiting)


def record_about_new(
    session: Session,
    actor: Actor,
    entity: Base,
    action: str,
    facility_id: int | None,
    after: dict[str, Any],
) -> None:
    """Record `after` about `entity`, which need not be flushed yet (as `record_created`
    does for a creation): a note made with a new row waits for the row's id rather than
    flushing the request's rows one object at a time."""
    if inspect(entity).identity is not None:
        record(session, actor, entity=entity, action=action, facility_id=facility_id, after=after)
        return
    awaiting = AwaitingCreation(entity, actor, action, facility_id, utcnow(), after)
    request_state(session).events.append(awaiting)


def _values(pending: PendingEvent) -> dict[str, Any]:
    if isinstance(pending, dict):
        return pending
    return _event_values(
        pending.actor,
        pending.entity,
        pending.action,
        pending.facility_id,
        None,
        snapshot(pending.entity) if pending.after is None else pending.after,
        pending.occurred_at,
    )


def settle_creations(session: Session, _flush_context: object = None) -> None:
    """Session hook (after_flush_postexec): the creations recorded before their rows had ids
    take their snapshot as soon as a flush gives them one, so a row changed later in the
    same request is recorded as it was made, then as it changed."""
    state = peek_request_state(session)
    if state is None:
        return
    events = state.events
    for index, pending in enumerate(events):
        if isinstance(pending, AwaitingCreation) and inspect(pending.entity).identity is not None:
            events[index] = _values(pending)


def write_events(session: Session) -> None:
    """Append the request's recorded events to their chains (one INSERT). Run at commit, and
    before a query of the audit log in the same session (hooks installed by
    domain/listeners.py)."""
    state = peek_request_state(session)
    if state is None or not state.events:
        return
    if any(isinstance(pending, AwaitingCreation) for pending in state.events):
        session.flush()
    events = [_values(pending) for pending in state.events]
    state.events = []
    audit_chain.append(session, events)


def write_events_at_commit(session: Session) -> None:
    """Session hook (before_commit)."""
    write_events(session)


def write_events_before_reading_them(state: ORMExecuteState) -> None:
    """Session hook (do_orm_execute): a query of the audit log within a request sees the
    events that request recorded. A query in SQL text says that it reads the log by the
    execution option `reads_audit_log`."""
    pending = peek_request_state(state.session)
    if pending is None or not pending.events:
        return
    if state.execution_options.get("reads_audit_log") or (
        state.is_select and any(mapper.class_ is AuditEvent for mapper in state.all_mappers)
    ):
        write_events(state.session)
