"""Sales receipts and their lines, as the dialects read them.

- A receipt reads through `ReceiptRow`: its columns and the name of the user who recorded it,
  one statement for a page. Its lines are what it cannot join: `complete_receipts` reads the
  lines of a whole page in one more statement, so a page costs two statements (and its count
  rides along with the first), whatever its size.
- A line reads through `LineRow`: its columns, its package's label, its item's name,
  category, strain and details, and its receipt's sale date and standing.

Receipts list oldest first, their Total read from the facility's kept counts
(services/sales_counts.py) unless a filter applies; windows filter on their last change,
sales date filters on their local sale time. Both dialects read these lists: Metrc's
receipts and transactions, Trace's sales.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Mapped, Session

from leafledger.domain.models import (
    Facility,
    Item,
    Package,
    SalesReceipt,
    SalesTransaction,
    Strain,
    User,
)
from leafledger.domain.models.base import IsTrue
from leafledger.domain.queries.base import Listed, ReadModel, of_facility
from leafledger.domain.services.sales_counts import receipt_count

_RECEIPT_ROWS = (
    select(
        SalesReceipt.id,
        SalesReceipt.facility_id,
        SalesReceipt.external_receipt_number,
        SalesReceipt.sales_date_time,
        SalesReceipt.sales_date,
        SalesReceipt.customer_type,
        SalesReceipt.patient_license_number,
        SalesReceipt.caregiver_license_number,
        SalesReceipt.identification_method,
        SalesReceipt.patient_registration_location_id,
        SalesReceipt.total_packages,
        SalesReceipt.total_price,
        SalesReceipt.is_final,
        SalesReceipt.by_date,
        SalesReceipt.active,
        SalesReceipt.archived_at,
        SalesReceipt.created_at,
        SalesReceipt.last_modified,
        User.full_name.label("recorded_by_user_name"),
    )
    .select_from(SalesReceipt)
    .outerjoin(User, User.id == SalesReceipt.recorded_by_user_id)
    .subquery("receipt_rows")
)


class ReceiptRow(ReadModel):
    __table__ = _RECEIPT_ROWS

    id: Mapped[int]
    facility_id: Mapped[int]
    external_receipt_number: Mapped[str | None]
    sales_date_time: Mapped[datetime]
    sales_date: Mapped[date]
    customer_type: Mapped[str]
    patient_license_number: Mapped[str | None]
    caregiver_license_number: Mapped[str | None]
    identification_method: Mapped[str | None]
    patient_registration_location_id: Mapped[int | None]
    total_packages: Mapped[int]
    total_price: Mapped[Decimal]
    is_final: Mapped[bool]
    by_date: Mapped[bool]
    active: Mapped[bool]
    archived_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    last_modified: Mapped[datetime]
    recorded_by_user_name: Mapped[str | None]


_LINE_ROWS = (
    select(
        SalesTransaction.id,
        SalesTransaction.facility_id,
        SalesTransaction.receipt_id,
        SalesTransaction.package_id,
        SalesTransaction.quantity,
        SalesTransaction.unit_of_measure_name,
        SalesTransaction.total_price,
        SalesTransaction.unit_thc_percent,
        SalesTransaction.unit_thc_content,
        SalesTransaction.unit_thc_content_unit,
        SalesTransaction.unit_weight,
        SalesTransaction.unit_weight_unit,
        SalesTransaction.invoice_number,
        SalesTransaction.price,
        SalesTransaction.excise_tax,
        SalesTransaction.city_tax,
        SalesTransaction.county_tax,
        SalesTransaction.municipal_tax,
        SalesTransaction.discount_amount,
        SalesTransaction.sub_total,
        SalesTransaction.sales_tax,
        SalesTransaction.qr_codes,
        SalesTransaction.created_at,
        SalesTransaction.last_modified,
        Package.label.label("package_label"),
        Item.name.label("item_name"),
        Item.category_name.label("item_category_name"),
        Item.details.label("item_details"),
        Strain.name.label("strain_name"),
        SalesReceipt.sales_date.label("sales_date"),
        SalesReceipt.active.label("receipt_active"),
        SalesReceipt.archived_at.label("receipt_archived_at"),
    )
    .select_from(SalesTransaction)
    .join(SalesReceipt, SalesReceipt.id == SalesTransaction.receipt_id)
    .join(Package, Package.id == SalesTransaction.package_id)
    .join(Item, Item.id == Package.item_id)
    .outerjoin(Strain, Strain.id == Item.strain_id)
    .subquery("sale_line_rows")
)


class LineRow(ReadModel):
    __table__ = _LINE_ROWS

    id: Mapped[int]
    facility_id: Mapped[int]
    receipt_id: Mapped[int]
    package_id: Mapped[int]
    quantity: Mapped[Decimal]
    unit_of_measure_name: Mapped[str]
    total_price: Mapped[Decimal]
    unit_thc_percent: Mapped[Decimal | None]
    unit_thc_content: Mapped[Decimal | None]
    unit_thc_content_unit: Mapped[str | None]
    unit_weight: Mapped[Decimal | None]
    unit_weight_unit: Mapped[str | None]
    invoice_number: Mapped[str | None]
    price: Mapped[Decimal | None]
    excise_tax: Mapped[Decimal | None]
    city_tax: Mapped[Decimal | None]
    county_tax: Mapped[Decimal | None]
    municipal_tax: Mapped[Decimal | None]
    discount_amount: Mapped[Decimal | None]
    sub_total: Mapped[Decimal | None]
    sales_tax: Mapped[Decimal | None]
    qr_codes: Mapped[list[str] | None]
    created_at: Mapped[datetime]
    last_modified: Mapped[datetime]
    package_label: Mapped[str]
    item_name: Mapped[str]
    item_category_name: Mapped[str]
    item_details: Mapped[dict[str, Any]]
    strain_name: Mapped[str | None]
    sales_date: Mapped[date]
    receipt_active: Mapped[bool]
    receipt_archived_at: Mapped[datetime | None]


@dataclass(frozen=True)
class ReceiptRecord:
    """A receipt with its lines, oldest first."""

    receipt: ReceiptRow
    lines: tuple[LineRow, ...]


# Built once: a statement made anew at each call has its cache key worked out again, which
# for a select over this joined read model cost more than running it.
_LINES_OF = (
    select(LineRow)
    .where(LineRow.receipt_id.in_(bindparam("receipts", expanding=True)))
    .order_by(LineRow.receipt_id, LineRow.id)
)


def lines_of(session: Session, receipt_ids: Sequence[int]) -> dict[int, list[LineRow]]:
    """The lines of each receipt, oldest first (one statement)."""
    found: dict[int, list[LineRow]] = {receipt_id: [] for receipt_id in receipt_ids}
    if receipt_ids:
        rows = session.scalars(_LINES_OF, {"receipts": sorted(set(receipt_ids))})
        for row in rows:
            found[row.receipt_id].append(row)
    return found


def complete_receipts(session: Session, receipts: list[ReceiptRow]) -> list[ReceiptRecord]:
    """A page of receipts with their lines (one statement)."""
    lines = lines_of(session, [receipt.id for receipt in receipts])
    return [ReceiptRecord(receipt, tuple(lines.get(receipt.id, ()))) for receipt in receipts]


def receipts(
    facility: Facility,
    *,
    active: bool,
    sold_from: datetime | None = None,
    sold_to: datetime | None = None,
) -> Listed:
    """The facility's active (or voided) receipts, oldest first; with `sold_from` or
    `sold_to`, those sold between them (local times, both included)."""
    source = select(ReceiptRow).where(
        of_facility(ReceiptRow, facility),
        IsTrue(ReceiptRow.active) if active else ReceiptRow.active.is_(False),
    )
    # Unfiltered, the list's Total is the facility's kept count, not a count of every row.
    filtered = sold_from is not None or sold_to is not None
    total = None if filtered else receipt_count(facility.id, active=active)
    if sold_from is not None:
        source = source.where(ReceiptRow.sales_date_time >= sold_from)
    if sold_to is not None:
        source = source.where(ReceiptRow.sales_date_time <= sold_to)
    return Listed(
        source.order_by(ReceiptRow.id),
        modified=ReceiptRow.last_modified,
        total=total,
        complete=complete_receipts,
    )


def receipt_numbered(session: Session, facility: Facility, number: str) -> ReceiptRow | None:
    """The facility's receipt with this external number: the active one, else the latest."""
    return session.scalars(
        select(ReceiptRow)
        .where(of_facility(ReceiptRow, facility), ReceiptRow.external_receipt_number == number)
        .order_by(ReceiptRow.active.desc(), ReceiptRow.id.desc())
        .limit(1)
    ).first()


def numbered_elsewhere(session: Session, facility: Facility, number: str) -> bool:
    """Whether another facility has a receipt with this external number."""
    found = session.scalars(
        select(SalesReceipt.id)
        .where(
            SalesReceipt.external_receipt_number == number,
            SalesReceipt.facility_id != facility.id,
        )
        .limit(1)
    ).first()
    return found is not None


def lines_sold(facility: Facility, first: date, last: date) -> Listed:
    """The lines of the facility's active receipts sold from `first` to `last` (calendar
    dates, both included), in the order they were recorded."""
    source = (
        select(LineRow)
        .where(
            of_facility(LineRow, facility),
            IsTrue(LineRow.receipt_active),
            LineRow.sales_date.between(first, last),
        )
        .order_by(LineRow.id)
    )
    return Listed(source, modified=LineRow.last_modified)


@dataclass(frozen=True)
class DaySales:
    """What a facility sold on one day: lines, distinct packages, and their total price."""

    sales_date: date
    total_transactions: int
    total_packages: int
    total_price: Decimal


def days_sold(session: Session, facility: Facility) -> list[DaySales]:
    """Each day the facility's active receipts sold something, oldest first (one statement;
    sums are made here, exactly, since SQLite keeps decimals as text)."""
    rows = session.execute(
        select(SalesReceipt.sales_date, SalesTransaction.package_id, SalesTransaction.total_price)
        .join(SalesReceipt, SalesReceipt.id == SalesTransaction.receipt_id)
        .where(SalesTransaction.facility_id == facility.id, IsTrue(SalesReceipt.active))
    )
    lines: dict[date, int] = {}
    packages: dict[date, set[int]] = {}
    money: dict[date, Decimal] = {}
    for day, package_id, total in rows:
        lines[day] = lines.get(day, 0) + 1
        packages.setdefault(day, set()).add(package_id)
        money[day] = money.get(day, Decimal(0)) + total
    return [DaySales(day, lines[day], len(packages[day]), money[day]) for day in sorted(lines)]
