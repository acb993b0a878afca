"""Appending to the audit log. Every service mutation goes through `record`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, inspect
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.models import AuditEvent, Base
from leafledger.domain.request_state import AwaitingCreation, peek_request_state, request_state


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(obj: Base, exclude: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The column values of `obj` as JSON-safe data, for the before/after of an event."""
    mapper = inspect(obj.__class__)
    return {
        column.key: _json_safe(getattr(obj, column.key))
        for column in mapper.column_attrs
        if column.key not in exclude
    }


def _event_values(
    actor: Actor,
    entity: Base,
    action: str,
    facility_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> dict[str, Any]:
    identity = inspect(entity).identity
    if identity is None:
        raise ValueError("flush the entity before recording an event about it")
    return {
        "facility_id": facility_id,
        "user_id": actor.user_id,
        "integrator_id": actor.integrator_id,
        "channel": actor.channel,
        "entity_type": entity.__class__.__tablename__,
        "entity_id": int(identity[0]),
        "action": action,
        "before": before,
        "after": after,
    }


def record(
    session: Session,
    actor: Actor,
    *,
    entity: Base,
    action: str,
    facility_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. The entity must already have its primary key (flush first)."""
    event = AuditEvent(**_event_values(actor, entity, action, facility_id, before, after))
    session.add(event)
    return event


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
    session: Session, actor: Actor, entity: Base, action: str, facility_id: int | None
) -> Callable[[], None]:
    """Snapshot `entity` now; the returned function records the change once it is made."""
    before = snapshot(entity)

    def done() -> None:
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


def record_created(
    session: Session, actor: Actor, entity: Base, action: str, facility_id: int | None
) -> None:
    """Record the creation of `entity`, which need not be flushed yet.

    The event is written, with the entity's snapshot, right after the flush that inserts it.
    Services that create many rows in one request use it so that the rows, and then their
    events, go to the database together rather than in one flush each.
    """
    if inspect(entity).identity is not None:
        after = snapshot(entity)
        record(session, actor, entity=entity, action=action, facility_id=facility_id, after=after)
        return
    request_state(session).awaiting.append(AwaitingCreation(entity, actor, action, facility_id))


def record_flushed_creations(session: Session, _context: Any) -> None:
    """Flush hook (installed by domain/listeners.py): write the events of the creations this
    flush gave an id, in one executemany (plain rows: nothing reads them back in the request)."""
    state = peek_request_state(session)
    if state is None or not state.awaiting:
        return
    still: list[AwaitingCreation] = []
    rows: list[dict[str, Any]] = []
    for waiting in state.awaiting:
        if inspect(waiting.entity).identity is None:
            still.append(waiting)
        else:
            rows.append(
                _event_values(
                    waiting.actor,
                    waiting.entity,
                    waiting.action,
                    waiting.facility_id,
                    None,
                    snapshot(waiting.entity),
                )
            )
    state.awaiting = still
    if rows:
        session.connection().execute(insert(AuditEvent), rows)
