"""The standing history of ledger rows, read from the audit log.

Every change to a ledger row appends an audit event with the row's columns before and after
(`services/audit.py`). A row's standing changes when it is created (active), archived (active
true -> false) or restored (false -> true); plain edits (a rename) are not standing changes.
The events of a whole page of rows are read in one statement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.models import AuditEvent, User


@dataclass(frozen=True)
class StandingChange:
    active: bool
    at: datetime
    change: str  # "created", "archived" or "restored"
    by: str | None  # the user's name; None for a change made by the system


def _change(before: dict[str, object] | None, after: dict[str, object] | None) -> str | None:
    if before is None:
        return "created"
    was, now = before.get("active"), (after or {}).get("active")
    if was is True and now is False:
        return "archived"
    if was is False and now is True:
        return "restored"
    return None


def standing_histories(
    session: Session, facility_id: int, table: str, ids: Iterable[int]
) -> dict[int, list[StandingChange]]:
    """The standing changes of each row id of `table` at the facility, oldest first."""
    wanted = sorted(set(ids))
    histories: dict[int, list[StandingChange]] = {entity_id: [] for entity_id in wanted}
    if not wanted:
        return histories
    rows = session.execute(
        select(AuditEvent.entity_id, AuditEvent.before, AuditEvent.after, AuditEvent.occurred_at)
        .add_columns(User.full_name)
        .outerjoin(User, AuditEvent.user_id == User.id)
        .where(
            AuditEvent.facility_id == facility_id,
            AuditEvent.entity_type == table,
            AuditEvent.entity_id.in_(wanted),
        )
        .order_by(AuditEvent.occurred_at, AuditEvent.id)
    )
    for entity_id, before, after, occurred_at, user_name in rows:
        change = _change(before, after)
        if change is not None:
            histories[entity_id].append(
                StandingChange(change != "archived", occurred_at, change, user_name)
            )
    return histories
