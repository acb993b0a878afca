"""How many active and voided receipts each facility has, kept in step with the receipts.

A flush hook (installed by domain/listeners.py) notes the receipts inserted, deleted or moved
between active and voided in the request's session; the counts are changed once, when the
request commits. A count row is a lock every sale of the facility would wait on: taken at
commit, it is held for the commit only, not for the whole request. Bulk inserts that bypass the
ORM (benchmark seeding) call `recount` afterwards.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import ScalarSelect, false, func, select, true
from sqlalchemy.orm import Session, attributes

from leafledger.domain.models import SalesReceipt, SalesReceiptCount
from leafledger.domain.services.kept_counts import apply_deltas, forget, noted

Key = tuple[int, bool]
_DELTAS = "sales_receipts"  # their kind, in kept_counts


def _was_active(receipt: SalesReceipt) -> Any:
    history = attributes.get_history(receipt, "active")
    return history.deleted[0] if history.deleted else receipt.active


def track_receipt_counts(session: Session, _context: Any, _instances: Any) -> None:
    """Session hook (before_flush): note what the flush does to the counts."""
    deltas: Counter[Key] | None = None
    for obj in session.new:
        if isinstance(obj, SalesReceipt):
            deltas = deltas if deltas is not None else noted(session, _DELTAS)
            deltas[(obj.facility_id, obj.active is not False)] += 1
    for obj in session.deleted:
        if isinstance(obj, SalesReceipt):
            deltas = deltas if deltas is not None else noted(session, _DELTAS)
            deltas[(obj.facility_id, bool(_was_active(obj)))] -= 1
    for obj in session.dirty:
        if isinstance(obj, SalesReceipt) and session.is_modified(obj):
            old, new = bool(_was_active(obj)), bool(obj.active)
            if old != new:
                deltas = deltas if deltas is not None else noted(session, _DELTAS)
                deltas[(obj.facility_id, old)] -= 1
                deltas[(obj.facility_id, new)] += 1


def note_new(session: Session, facility_id: int, count: int) -> None:
    """Note `count` active receipts of the facility inserted without the ORM (as rows)."""
    noted(session, _DELTAS)[(facility_id, True)] += count


def apply_receipt_counts(session: Session) -> None:
    """Session hook (before_commit): change the counts by what the request did, in key order
    (two requests then lock the rows in the same order)."""
    apply_deltas(session, _DELTAS, (SalesReceipt,), SalesReceiptCount, ("facility_id", "active"))


def forget_receipt_counts(session: Session, _transaction: Any = None) -> None:
    """Session hook (after_rollback): nothing the request noted is applied."""
    forget(session, _DELTAS)


def receipt_count(facility_id: int, *, active: bool) -> ScalarSelect[int]:
    """How many active (or voided) receipts the facility has, as a scalar subquery (a list
    reads it in the same round trip as its page)."""
    return (
        select(func.coalesce(func.sum(SalesReceiptCount.count), 0))
        .where(
            SalesReceiptCount.facility_id == facility_id,
            SalesReceiptCount.active == (true() if active else false()),
        )
        .scalar_subquery()
    )


def recount(session: Session, facility_id: int) -> None:
    """Rebuild a facility's counts from the receipts (after bulk loads that skip the ORM)."""
    session.query(SalesReceiptCount).filter(SalesReceiptCount.facility_id == facility_id).delete()
    rows = session.execute(
        select(SalesReceipt.active, func.count())
        .where(SalesReceipt.facility_id == facility_id)
        .group_by(SalesReceipt.active)
    )
    for active, count in rows:
        session.add(SalesReceiptCount(facility_id=facility_id, active=active, count=count))
