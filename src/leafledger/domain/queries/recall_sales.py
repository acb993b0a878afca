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
from typing import Any

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


def _lines_of(
    session: Session,
    package_ids: Sequence[int],
    user_id: int | None,
    line: Any,
    header: Any,
    header_key: Any,
    columns: Sequence[Any],
    kept: Any,
    listed: str | None,
) -> list[Any]:
    """The `line` rows (receipt lines, delivery lines) of `package_ids` whose `header`
    (joined on `header_key`) is `kept`, in header and line order: `columns`, the package's
    label after them, then whether the caller may see the header's facility."""
    dialect = session.get_bind().dialect.name
    visible = select(Employee.facility_id).where(Employee.user_id == user_id)
    return list(
        session.execute(
            select(*columns, Package.label, header.facility_id.in_(visible))
            .select_from(line)
            .join(header, header.id == header_key)
            .join(Package, Package.id == line.package_id)
            .join(Facility, Facility.id == header.facility_id)
            .where(line.package_id.in_(id_set(dialect, package_ids, value=listed)))
            .where(kept)
            .order_by(header.id, line.id)
        ).all()
    )


def sales_of(
    session: Session, package_ids: Sequence[int], user_id: int | None, *, listed: str | None = None
) -> list[SaleHit]:
    """The receipt lines of `package_ids` (distinct; `listed`, their ids_value if already
    made), in receipt and line order."""
    if not package_ids:
        return []
    columns = (
        SalesReceipt.id,
        SalesReceipt.external_receipt_number,
        Facility.license_number,
        SalesReceipt.sales_date_time,
        SalesTransaction.quantity,
        SalesTransaction.unit_of_measure_name,
    )
    rows = _lines_of(
        session, package_ids, user_id, SalesTransaction, SalesReceipt,
        SalesTransaction.receipt_id, columns, IsTrue(SalesReceipt.active), listed,
    )  # fmt: skip
    return [
        SaleHit(receipt, number, licence, sold_at, label, quantity, unit, True)
        if seen
        else SaleHit(None, None, None, None, None, None, None, False)
        for receipt, number, licence, sold_at, quantity, unit, label, seen in rows
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
    session: Session, package_ids: Sequence[int], user_id: int | None, *, listed: str | None = None
) -> list[DeliveryHit]:
    """The sales delivery lines of `package_ids` (distinct; `listed` as for `sales_of`; voided
    deliveries left out), in delivery and line order."""
    if not package_ids:
        return []
    columns = (
        SalesDelivery.id,
        SalesDelivery.state,
        Facility.license_number,
        SalesDelivery.sales_at,
        SalesDeliveryLine.quantity,
        SalesDeliveryLine.unit_of_measure_name,
        SalesDeliveryLine.returned_quantity,
        SalesDeliveryLine.returned_unit_of_measure_name,
    )
    rows = _lines_of(
        session, package_ids, user_id, SalesDeliveryLine, SalesDelivery,
        SalesDeliveryLine.delivery_id, columns, SalesDelivery.state != VOIDED, listed,
    )  # fmt: skip
    return [
        DeliveryHit(delivery, state, licence, sold_at, label, qty, unit, back, back_unit, True)
        if seen
        else _HIDDEN_DELIVERY
        for delivery, state, licence, sold_at, qty, unit, back, back_unit, label, seen in rows
    ]
