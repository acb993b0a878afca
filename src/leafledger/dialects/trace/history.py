"""The `entity_state` history of a Trace object, read from the audit log of its ledger row.

Every change to a ledger row appends an audit event with the row's columns before and after
(`services/audit.py`). The Trace history keeps the events that changed the row's standing:
its creation (`active`), an archive (`active` true -> false: `inactive`) and a restore
(false -> true: `active`). Plain edits (a rename) are not state changes and are left out. The
events of a whole page of rows are read in one query.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.models import AuditEvent, User

SYSTEM = "system generated"


def trace_time(value: datetime) -> str:
    """An instant as Trace writes it: ISO 8601, UTC, whole seconds, `Z`."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _state_change(event: AuditEvent, noun: str) -> tuple[str, str] | None:
    before, after = event.before, event.after or {}
    if before is None:
        return "active", f"{noun} created"
    was, now = before.get("active"), after.get("active")
    if was is True and now is False:
        return "inactive", f"{noun} archived"
    if was is False and now is True:
        return "active", f"{noun} restored"
    return None


def state_histories(
    session: Session, facility_id: int, entity_type: str, ids: Iterable[int], noun: str
) -> dict[int, list[dict[str, Any]]]:
    """The entity_state list of each row id of `entity_type` (a table name), oldest first."""
    wanted = sorted(set(ids))
    histories: dict[int, list[dict[str, Any]]] = {entity_id: [] for entity_id in wanted}
    if not wanted:
        return histories
    rows = session.execute(
        select(AuditEvent, User.full_name)
        .outerjoin(User, AuditEvent.user_id == User.id)
        .where(
            AuditEvent.facility_id == facility_id,
            AuditEvent.entity_type == entity_type,
            AuditEvent.entity_id.in_(wanted),
        )
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    )
    for event, user_name in rows:
        change = _state_change(event, noun)
        if change is None:
            continue
        state, reason = change
        histories[event.entity_id].append(
            {
                "state": state,
                "date": trace_time(event.occurred_at),
                "reason": reason,
                "actioned_by": user_name or SYSTEM,
            }
        )
    return histories


def fallback_history(
    created_at: datetime, last_modified: datetime, active: bool, noun: str
) -> list[dict[str, Any]]:
    """A history for a row written without audit events (imported or seeded directly)."""
    history = [
        {
            "state": "active",
            "date": trace_time(created_at),
            "reason": f"{noun} created",
            "actioned_by": SYSTEM,
        }
    ]
    if not active:
        history.append(
            {
                "state": "inactive",
                "date": trace_time(last_modified),
                "reason": f"{noun} archived",
                "actioned_by": SYSTEM,
            }
        )
    return history
