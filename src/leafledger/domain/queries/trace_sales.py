"""Trace sales, read: receipts (`queries/sales.py`) with their audit trails.

A Trace sale is a receipt with its lines and what its audit trail says of it: its history
(the events of the receipt itself) and the Trace details kept at its making and after each
change (the latest `trace_sale` event, services/trace_sales.py). A page reads its receipts,
their lines and their trails in three statements, whatever its size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.models import AuditEvent, SalesReceipt
from leafledger.domain.queries.history import Event, audit_trails
from leafledger.domain.queries.sales import ReceiptRecord, ReceiptRow, complete_receipts

TABLE = SalesReceipt.__tablename__
DETAILS = "trace_sale"


@dataclass(frozen=True)
class SaleRecord:
    """A receipt read as a Trace sale: its record, its audit events (oldest first) and its
    latest Trace details (empty for a receipt made through Metrc)."""

    record: ReceiptRecord
    events: tuple[Event, ...]

    @property
    def receipt(self) -> ReceiptRow:
        return self.record.receipt

    @property
    def details(self) -> dict[str, Any]:
        for event in reversed(self.events):
            if event.action == DETAILS:
                return dict(event.after or {})
        return {}


def sales_of(facility_id: int) -> Any:
    """The completing step of a page of receipts read as sales."""

    def complete(session: Session, rows: list[ReceiptRow]) -> list[SaleRecord]:
        records = complete_receipts(session, rows)
        trails = audit_trails(session, facility_id, TABLE, [row.id for row in rows])
        return [SaleRecord(record, tuple(trails[record.receipt.id])) for record in records]

    return complete


def latest_details(session: Session, facility_id: int, receipt_id: int) -> dict[str, Any]:
    """The receipt's latest Trace details (one statement)."""
    found = session.scalars(
        select(AuditEvent.after)
        .where(
            AuditEvent.facility_id == facility_id,
            AuditEvent.entity_type == TABLE,
            AuditEvent.entity_id == receipt_id,
            AuditEvent.action == DETAILS,
        )
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(1)
    ).first()
    return dict(found or {})
