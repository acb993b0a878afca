"""Sales deliveries and retailer deliveries, as the dialects list and show them.

A record is one delivery row with what its renderer shows beside it (the facility, the
transporter, the driver and vehicle, who recorded it) and its lines (each with its package's
label and item), or, for a retailer delivery, its stock and its destinations. A page costs
the same few statements at any size: the page itself, then one statement for the lines of
all its deliveries (a retailer page: one for the stock, one for the destinations, one for
their lines).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from leafledger.domain.models import (
    Driver,
    Facility,
    Item,
    Package,
    RetailerDelivery,
    RetailerDeliveryPackage,
    SalesDelivery,
    SalesDeliveryLine,
    User,
    Vehicle,
)
from leafledger.domain.models.base import among
from leafledger.domain.models.sales_delivery import ACTIVE_STATES, COMPLETED, VOIDED
from leafledger.domain.queries.base import Listed, of_facility

INACTIVE_STATES = (COMPLETED, VOIDED)


@dataclass(frozen=True)
class LineRecord:
    line: SalesDeliveryLine
    package_label: str
    package_unit: str
    item_id: int
    item_name: str
    item_category: str


@dataclass(frozen=True)
class DeliveryRecord:
    head: Any  # the delivery and the columns of `_head` (named fields)
    lines: tuple[LineRecord, ...]

    @property
    def delivery(self) -> SalesDelivery:
        found: SalesDelivery = self.head.SalesDelivery
        return found


@dataclass(frozen=True)
class StockRecord:
    row: RetailerDeliveryPackage
    package_label: str
    package_unit: str
    item_name: str
    item_category: str
    on_hold: bool


@dataclass(frozen=True)
class RetailerRecord:
    head: Any
    stock: tuple[StockRecord, ...]
    destinations: tuple[DeliveryRecord, ...]

    @property
    def delivery(self) -> RetailerDelivery:
        found: RetailerDelivery = self.head.RetailerDelivery
        return found


def _people(source: Select[Any], model: Any) -> Select[Any]:
    """The columns every delivery record shows beside its row."""
    owner = aliased(Facility, name="owner")
    return (
        source.add_columns(
            owner.license_number.label("facility_license_number"),
            owner.name.label("facility_name"),
            owner.timezone.label("timezone"),
            Driver.name.label("driver_name"),
            Driver.employee_id.label("driver_employee_id"),
            Driver.drivers_license_number.label("drivers_license_number"),
            Vehicle.make.label("vehicle_make"),
            Vehicle.model.label("vehicle_model"),
            Vehicle.license_plate_number.label("license_plate_number"),
            User.full_name.label("recorded_by"),
        )
        .join(owner, owner.id == model.facility_id)
        .outerjoin(Driver, Driver.id == model.driver_id)
        .outerjoin(Vehicle, Vehicle.id == model.vehicle_id)
        .outerjoin(User, User.id == model.created_by_user_id)
    )


def _head() -> Select[Any]:
    transporter = aliased(Facility, name="transporter")
    source = select(SalesDelivery).add_columns(
        transporter.license_number.label("transporter_license_number"),
        transporter.name.label("transporter_name"),
    )
    source = source.outerjoin(transporter, transporter.id == SalesDelivery.transporter_facility_id)
    return _people(source, SalesDelivery)


def _lines(session: Session, delivery_ids: Sequence[int]) -> dict[int, list[LineRecord]]:
    found: dict[int, list[LineRecord]] = defaultdict(list)
    if not delivery_ids:
        return found
    rows = session.execute(
        select(
            SalesDeliveryLine,
            Package.label,
            Package.unit_of_measure_name,
            Item.id,
            Item.name,
            Item.category_name,
        )
        .join(Package, Package.id == SalesDeliveryLine.package_id)
        .join(Item, Item.id == Package.item_id)
        .where(among(SalesDeliveryLine.delivery_id, delivery_ids))
        .order_by(SalesDeliveryLine.id)
    ).all()
    for line, label, unit, item_id, item_name, category in rows:
        found[line.delivery_id].append(LineRecord(line, label, unit, item_id, item_name, category))
    return found


def _complete_deliveries(session: Session, heads: list[Any]) -> list[DeliveryRecord]:
    lines = _lines(session, [head.SalesDelivery.id for head in heads])
    return [DeliveryRecord(head, tuple(lines.get(head.SalesDelivery.id, ()))) for head in heads]


def _sales_at_between(listed: Listed, start: datetime | None, end: datetime | None) -> Listed:
    conditions = []
    if start is not None:
        conditions.append(SalesDelivery.sales_at >= start)
    if end is not None:
        conditions.append(SalesDelivery.sales_at <= end)
    return listed.where(*conditions) if conditions else listed


def sales_deliveries(
    facility: Facility,
    *,
    active: bool,
    sales_start: datetime | None = None,
    sales_end: datetime | None = None,
) -> Listed:
    """The facility's active (in progress, on the road) or inactive (completed, voided) sales
    deliveries, oldest first; windows filter on their last change, or on the sale time."""
    states = ACTIVE_STATES if active else INACTIVE_STATES
    source = (
        _head()
        .where(of_facility(SalesDelivery, facility), among(SalesDelivery.state, states))
        .order_by(SalesDelivery.id)
    )
    listed = Listed(source, modified=SalesDelivery.last_modified, complete=_complete_deliveries)
    return _sales_at_between(listed, sales_start, sales_end)


def delivery_record(session: Session, delivery: SalesDelivery) -> DeliveryRecord:
    head = session.execute(_head().where(SalesDelivery.id == delivery.id)).one()
    return _complete_deliveries(session, [head])[0]


# --- retailer deliveries ---------------------------------------------------------------------


def _retailer_head() -> Select[Any]:
    return _people(select(RetailerDelivery), RetailerDelivery)


def _complete_retailer(session: Session, heads: list[Any]) -> list[RetailerRecord]:
    ids = [head.RetailerDelivery.id for head in heads]
    stock: dict[int, list[StockRecord]] = defaultdict(list)
    rows = session.execute(
        select(
            RetailerDeliveryPackage,
            Package.label,
            Package.unit_of_measure_name,
            Item.name,
            Item.category_name,
            Package.is_on_hold,
        )
        .join(Package, Package.id == RetailerDeliveryPackage.package_id)
        .join(Item, Item.id == Package.item_id)
        .where(among(RetailerDeliveryPackage.retailer_delivery_id, ids))
        .order_by(RetailerDeliveryPackage.id)
    ).all()
    for row, label, unit, item_name, category, on_hold in rows:
        stock[row.retailer_delivery_id].append(
            StockRecord(row, label, unit, item_name, category, bool(on_hold))
        )
    destination_heads = session.execute(
        _head().where(among(SalesDelivery.retailer_delivery_id, ids)).order_by(SalesDelivery.id)
    ).all()
    destinations: dict[int, list[DeliveryRecord]] = defaultdict(list)
    for record in _complete_deliveries(session, list(destination_heads)):
        destinations[record.delivery.retailer_delivery_id or 0].append(record)
    return [
        RetailerRecord(
            head,
            tuple(stock.get(head.RetailerDelivery.id, ())),
            tuple(destinations.get(head.RetailerDelivery.id, ())),
        )
        for head in heads
    ]


def retailer_deliveries(facility: Facility, *, active: bool) -> Listed:
    states = ACTIVE_STATES if active else INACTIVE_STATES
    source = (
        _retailer_head()
        .where(of_facility(RetailerDelivery, facility), among(RetailerDelivery.state, states))
        .order_by(RetailerDelivery.id)
    )
    return Listed(source, modified=RetailerDelivery.last_modified, complete=_complete_retailer)


def retailer_record(session: Session, delivery: RetailerDelivery) -> RetailerRecord:
    head = session.execute(_retailer_head().where(RetailerDelivery.id == delivery.id)).one()
    return _complete_retailer(session, [head])[0]
