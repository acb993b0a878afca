"""The sales a recall finds: every active receipt line drawn from one of the recalled packages,
and every line of a sales delivery (to a door, or sold from a retailer delivery on the road)
that carries one of them.

One statement each whatever the number of packages (their ids bound as one value:
`id_sets.py`). A line sold at a facility the caller is not employed at is shown as a
placeholder (its licence, time and quantity hidden), as genealogy shows nodes kept elsewhere.
Voided receipts and voided deliveries sold nothing and are left out; a delivery line the
recipient sent back says how much came back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.models import (
    Employee,
    Facility,
    Package,
    SalesDelivery,
    SalesDeliveryLine,
    SalesReceipt,
    SalesTransaction,
)
from leafledger.domain.models.base import IsTrue
from leafledger.domain.models.sales_delivery import VOIDED
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


@dataclass(frozen=True)
class DeliveryHit:
    """A sales delivery line carrying a recalled package (all None but `visible` when hidden)."""

    delivery_id: int | None
    state: str | None  # InProgress, InTransit, Completed
    license_number: str | None
    sales_date_time: datetime | None
    package_label: str | None
    quantity: Decimal | None
    unit: str | None
    returned_quantity: Decimal | None
    returned_unit: str | None
    visible: bool


_HIDDEN_DELIVERY = DeliveryHit(None, None, None, None, None, None, None, None, None, False)


def deliveries_of(
    session: Session, package_ids: Sequence[int], user_id: int | None
) -> list[DeliveryHit]:
    """The sales delivery lines of `package_ids` (voided deliveries left out), in delivery
    and line order."""
    if not package_ids:
        return []
    dialect = session.get_bind().dialect.name
    visible = select(Employee.facility_id).where(Employee.user_id == user_id)
    rows = session.execute(
        select(
            SalesDelivery.id,
            SalesDelivery.state,
            Facility.license_number,
            SalesDelivery.sales_at,
            Package.label,
            SalesDeliveryLine.quantity,
            SalesDeliveryLine.unit_of_measure_name,
            SalesDeliveryLine.returned_quantity,
            SalesDeliveryLine.returned_unit_of_measure_name,
            SalesDelivery.facility_id.in_(visible),
        )
        .select_from(SalesDeliveryLine)
        .join(SalesDelivery, SalesDelivery.id == SalesDeliveryLine.delivery_id)
        .join(Package, Package.id == SalesDeliveryLine.package_id)
        .join(Facility, Facility.id == SalesDelivery.facility_id)
        .where(SalesDeliveryLine.package_id.in_(id_set(dialect, set(package_ids))))
        .where(SalesDelivery.state != VOIDED)
        .order_by(SalesDelivery.id, SalesDeliveryLine.id)
    ).all()
    return [
        DeliveryHit(delivery, state, licence, sold_at, label, qty, unit, back, back_unit, True)
        if seen
        else _HIDDEN_DELIVERY
        for delivery, state, licence, sold_at, label, qty, unit, back, back_unit, seen in rows
    ]
