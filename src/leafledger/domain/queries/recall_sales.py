"""The sales a recall finds: every active receipt line drawn from one of the recalled packages.

One statement whatever the number of packages (their ids bound as one value: `id_sets.py`). A
line sold at a facility the caller is not employed at is shown as a placeholder (its licence,
time and quantity hidden), as genealogy shows nodes kept elsewhere. Voided receipts sold nothing
and are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.models import Employee, Facility, Package, SalesReceipt, SalesTransaction
from leafledger.domain.models.base import IsTrue
from leafledger.domain.queries.id_sets import id_set


@dataclass(frozen=True)
class SaleHit:
    """A receipt line drawn from a recalled package (all None but `visible` when hidden)."""

    receipt_id: int | None
    receipt_number: str | None
    license_number: str | None
    sales_date_time: datetime | None
    package_label: str | None
    quantity: Decimal | None
    unit: str | None
    visible: bool


def sales_of(session: Session, package_ids: Sequence[int], user_id: int | None) -> list[SaleHit]:
    """The receipt lines of `package_ids`, in receipt and line order."""
    if not package_ids:
        return []
    dialect = session.get_bind().dialect.name
    visible = select(Employee.facility_id).where(Employee.user_id == user_id)
    rows = session.execute(
        select(
            SalesReceipt.id,
            SalesReceipt.external_receipt_number,
            Facility.license_number,
            SalesReceipt.sales_date_time,
            Package.label,
            SalesTransaction.quantity,
            SalesTransaction.unit_of_measure_name,
            SalesReceipt.facility_id.in_(visible),
        )
        .select_from(SalesTransaction)
        .join(SalesReceipt, SalesReceipt.id == SalesTransaction.receipt_id)
        .join(Package, Package.id == SalesTransaction.package_id)
        .join(Facility, Facility.id == SalesReceipt.facility_id)
        .where(SalesTransaction.package_id.in_(id_set(dialect, set(package_ids))))
        .where(IsTrue(SalesReceipt.active))
        .order_by(SalesReceipt.id, SalesTransaction.id)
    ).all()
    return [
        SaleHit(receipt, number, licence, sold_at, label, quantity, unit, True)
        if seen
        else SaleHit(None, None, None, None, None, None, None, False)
        for receipt, number, licence, sold_at, label, quantity, unit, seen in rows
    ]
