"""Transfers as the dialects read them: lists of transfers, deliveries, hub stops, packages,
legs and drivers, and who may see one transfer.

- A transfer reads through `TransferRow` (its columns, its shipper, who created it): the
  outgoing transfers and the templates of a facility are lists of them.
- A delivery reads through `DeliveryRow` (its columns, its transfer's, the shipper and the
  recipient): the incoming deliveries of a facility, the deliveries with rejected packages of
  its transfers, and the deliveries of one transfer are lists of them; `HubRow` adds the
  layover leg of a hub stop.
- A delivery's packages read through `LineRow`, one statement over the shipments of
  transfers and the planned packages of templates alike; legs through `LegRow`, drivers and
  vehicles through `DriverRow`.

Counts and the first leg (what a transfer's record shows of its transporter) are what rows
cannot join: `complete` steps read them for a whole page, one statement each, so a page of
any list costs the page's statement and at most two more, whatever its size. A delivery's
lines complete with their items and genealogy (queries/packages.py), two statements.

Windows filter on the last change of the row listed: a transfer's changes touch its
deliveries and a delivery's its transfer (services/transfers.py `touch`), so either is enough.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, case, exists, func, null, or_, select, union_all
from sqlalchemy.orm import Mapped, Session, aliased

from leafledger.domain.models import (
    Driver,
    Employee,
    Facility,
    Package,
    PackageShipment,
    TemplatePackage,
    Transfer,
    TransferDelivery,
    TransferDriver,
    TransferTransporter,
    User,
    Vehicle,
)
from leafledger.domain.models.transfer import LICENSED, TEMPLATE
from leafledger.domain.queries.base import Listed, ReadModel, of_facility
from leafledger.domain.queries.items import ItemRow, item_rows
from leafledger.domain.queries.packages import Genealogy, genealogies
from leafledger.domain.services.package_gate import PLANT_PACKAGE_TYPES

ACCEPTED, REJECTED = "Accepted", "Rejected"

_SHIPPER = aliased(Facility, name="shipper")
_RECIPIENT = aliased(Facility, name="recipient")
_CARRIER = aliased(Facility, name="carrier")


def _shipper_columns() -> tuple[Any, ...]:
    """The shipper as the transfer names it (outside the ledger) or as the ledger has it."""
    return (
        func.coalesce(Transfer.shipper_license_number, _SHIPPER.license_number).label(
            "shipper_license_number"
        ),
        func.coalesce(Transfer.shipper_name, _SHIPPER.name).label("shipper_name"),
        User.full_name.label("created_by_user_name"),
    )


# --- transfers -------------------------------------------------------------------------------

_TRANSFER_ROWS = (
    select(
        *(c for c in Transfer.__table__.columns if not c.name.startswith("shipper_")),
        *_shipper_columns(),
    )
    .select_from(Transfer)
    .join(_SHIPPER, _SHIPPER.id == Transfer.facility_id)
    .outerjoin(User, User.id == Transfer.created_by_user_id)
    .subquery("transfer_rows")
)


class TransferRow(ReadModel):
    __table__ = _TRANSFER_ROWS

    id: Mapped[int]
    facility_id: Mapped[int]
    kind: Mapped[str]
    name: Mapped[str | None]
    manifest_number: Mapped[str | None]
    template_id: Mapped[int | None]
    departed_at: Mapped[datetime | None]
    voided_at: Mapped[datetime | None]
    archived_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    last_modified: Mapped[datetime]
    shipper_license_number: Mapped[str]
    shipper_name: Mapped[str]
    created_by_user_name: Mapped[str | None]


# --- deliveries ------------------------------------------------------------------------------


def _delivery_rows() -> Select[Any]:
    return (
        select(
            *TransferDelivery.__table__.columns,
            Transfer.kind.label("transfer_kind"),
            Transfer.manifest_number,
            Transfer.name.label("transfer_name"),
            Transfer.template_id,
            Transfer.voided_at,
            Transfer.created_at.label("transfer_created_at"),
            *_shipper_columns(),
            _RECIPIENT.license_number.label("recipient_license_number"),
            _RECIPIENT.name.label("recipient_name"),
        )
        .select_from(TransferDelivery)
        .join(Transfer, Transfer.id == TransferDelivery.transfer_id)
        .join(_SHIPPER, _SHIPPER.id == Transfer.facility_id)
        .join(_RECIPIENT, _RECIPIENT.id == TransferDelivery.recipient_facility_id)
        .outerjoin(User, User.id == Transfer.created_by_user_id)
    )


class DeliveryColumns:
    id: Mapped[int]
    facility_id: Mapped[int]
    transfer_id: Mapped[int]
    delivery_number: Mapped[int]
    recipient_facility_id: Mapped[int]
    transfer_type_name: Mapped[str]
    invoice_number: Mapped[str | None]
    planned_route: Mapped[str | None]
    estimated_departure_at: Mapped[datetime]
    estimated_arrival_at: Mapped[datetime]
    gross_weight: Mapped[Decimal | None]
    gross_unit: Mapped[str | None]
    departed_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    last_modified: Mapped[datetime]
    transfer_kind: Mapped[str]
    manifest_number: Mapped[str | None]
    transfer_name: Mapped[str | None]
    template_id: Mapped[int | None]
    voided_at: Mapped[datetime | None]
    transfer_created_at: Mapped[datetime]
    shipper_license_number: Mapped[str]
    shipper_name: Mapped[str]
    created_by_user_name: Mapped[str | None]
    recipient_license_number: Mapped[str]
    recipient_name: Mapped[str]


class DeliveryRow(DeliveryColumns, ReadModel):
    __table__ = _delivery_rows().subquery("delivery_rows")


class HubRow(DeliveryColumns, ReadModel):
    """A delivery at one of its hubs: the delivery with its layover leg there."""

    __table__ = (
        _delivery_rows()
        .add_columns(
            TransferTransporter.id.label("leg_id"),
            TransferTransporter.transporter_facility_id,
            TransferTransporter.is_layover,
            TransferTransporter.estimated_departure_at.label("leg_estimated_departure_at"),
            TransferTransporter.estimated_arrival_at.label("leg_estimated_arrival_at"),
            TransferTransporter.hub_state,
            TransferTransporter.hub_arrived_at,
            TransferTransporter.hub_checked_in_at,
            TransferTransporter.hub_checked_out_at,
            TransferTransporter.hub_departed_at,
            _CARRIER.license_number.label("transporter_license_number"),
            _CARRIER.name.label("transporter_name"),
        )
        .join(TransferTransporter, TransferTransporter.delivery_id == TransferDelivery.id)
        .join(_CARRIER, _CARRIER.id == TransferTransporter.transporter_facility_id)
        .subquery("hub_rows")
    )
    __mapper_args__ = {"primary_key": [__table__.c.leg_id]}

    leg_id: Mapped[int]
    transporter_facility_id: Mapped[int]
    is_layover: Mapped[bool]
    leg_estimated_departure_at: Mapped[datetime | None]
    leg_estimated_arrival_at: Mapped[datetime | None]
    hub_state: Mapped[str | None]
    hub_arrived_at: Mapped[datetime | None]
    hub_checked_in_at: Mapped[datetime | None]
    hub_checked_out_at: Mapped[datetime | None]
    hub_departed_at: Mapped[datetime | None]
    transporter_license_number: Mapped[str]
    transporter_name: Mapped[str]


# --- the packages of a delivery: shipped ones and a template's planned ones alike ------------

_PACKAGE_COLUMNS = (
    Package.label.label("package_label"),
    Package.package_type,
    Package.item_id,
    Package.lab_testing_state,
    Package.production_batch_number,
    Package.is_trade_sample,
    Package.is_donation,
    Package.is_testing_sample,
    Package.product_requires_remediation,
    Package.contains_remediated_product,
    Package.remediation_date,
    Package.packaged_date,
    Package.expiration_date,
    Package.sell_by_date,
    Package.use_by_date,
    Package.external_id,
    Package.is_finished_good,
    Package.required_lab_test_batches,
    Package.finished_date,
    Package.archived_date,
)
_SHIPPED = (
    select(
        PackageShipment.id,
        PackageShipment.facility_id,
        PackageShipment.delivery_id,
        PackageShipment.package_id,
        PackageShipment.state,
        PackageShipment.shipped_quantity,
        PackageShipment.shipped_unit,
        PackageShipment.gross_weight,
        PackageShipment.gross_unit,
        PackageShipment.shipper_wholesale_price,
        PackageShipment.received_quantity,
        PackageShipment.received_unit,
        PackageShipment.shortage,
        PackageShipment.receiver_wholesale_price,
        PackageShipment.rejection_reason,
        PackageShipment.last_modified,
        *_PACKAGE_COLUMNS,
    )
    .select_from(PackageShipment)
    .join(Package, Package.id == PackageShipment.package_id)
)
_PLANNED = (
    select(
        TemplatePackage.id,
        TemplatePackage.facility_id,
        TemplatePackage.delivery_id,
        TemplatePackage.package_id,
        null().label("state"),
        Package.quantity.label("shipped_quantity"),
        Package.unit_of_measure_name.label("shipped_unit"),
        TemplatePackage.gross_weight,
        TemplatePackage.gross_unit,
        TemplatePackage.wholesale_price.label("shipper_wholesale_price"),
        null().label("received_quantity"),
        null().label("received_unit"),
        null().label("shortage"),
        null().label("receiver_wholesale_price"),
        null().label("rejection_reason"),
        TemplatePackage.last_modified,
        *_PACKAGE_COLUMNS,
    )
    .select_from(TemplatePackage)
    .join(Package, Package.id == TemplatePackage.package_id)
)
# Line ids of the two kinds may be equal; a line is named by (delivery, package), once each.
_LINES = union_all(_SHIPPED, _PLANNED).subquery("delivery_lines")


class LineRow(ReadModel):
    """A package on a delivery, with what was shipped and received of it (a template's: as
    it would be shipped now)."""

    __table__ = _LINES
    __mapper_args__ = {"primary_key": [_LINES.c.delivery_id, _LINES.c.package_id]}

    id: Mapped[int]
    facility_id: Mapped[int]
    delivery_id: Mapped[int]
    package_id: Mapped[int]
    state: Mapped[str | None]
    shipped_quantity: Mapped[Decimal]
    shipped_unit: Mapped[str]
    gross_weight: Mapped[Decimal | None]
    gross_unit: Mapped[str | None]
    shipper_wholesale_price: Mapped[Decimal | None]
    received_quantity: Mapped[Decimal | None]
    received_unit: Mapped[str | None]
    shortage: Mapped[Decimal | None]
    receiver_wholesale_price: Mapped[Decimal | None]
    rejection_reason: Mapped[str | None]
    last_modified: Mapped[datetime]
    package_label: Mapped[str]
    package_type: Mapped[str]
    item_id: Mapped[int]
    lab_testing_state: Mapped[str]
    production_batch_number: Mapped[str | None]
    is_trade_sample: Mapped[bool]
    is_donation: Mapped[bool]
    is_testing_sample: Mapped[bool]
    product_requires_remediation: Mapped[bool]
    contains_remediated_product: Mapped[bool]
    remediation_date: Mapped[date | None]
    packaged_date: Mapped[date]
    expiration_date: Mapped[date | None]
    sell_by_date: Mapped[date | None]
    use_by_date: Mapped[date | None]
    external_id: Mapped[str | None]
    is_finished_good: Mapped[bool]
    required_lab_test_batches: Mapped[list[str] | None]
    finished_date: Mapped[date | None]
    archived_date: Mapped[date | None]


@dataclass(frozen=True)
class LineRecord:
    line: LineRow
    item: ItemRow | None
    sources: Genealogy


def complete_lines(session: Session, lines: list[LineRow]) -> list[LineRecord]:
    """A page of lines with their items and genealogy (two statements)."""
    items = item_rows(session, {line.item_id for line in lines})
    sources = genealogies(session, [line.package_id for line in lines])
    return [LineRecord(line, items.get(line.item_id), sources[line.package_id]) for line in lines]


def lines(delivery_id: int, *, completed: bool = True) -> Listed:
    """The packages of one delivery, in the order they were put on it; `completed`: with
    their items and genealogy (`LineRecord`), else the bare rows (prices need no more)."""
    source = select(LineRow).where(LineRow.delivery_id == delivery_id).order_by(LineRow.id)
    step = complete_lines if completed else None
    return Listed(source, modified=LineRow.last_modified, complete=step)


# --- legs and drivers ------------------------------------------------------------------------

_LEG_ROWS = (
    select(
        *TransferTransporter.__table__.columns,
        _CARRIER.license_number.label("transporter_license_number"),
        _CARRIER.name.label("transporter_name"),
    )
    .select_from(TransferTransporter)
    .join(_CARRIER, _CARRIER.id == TransferTransporter.transporter_facility_id)
    .subquery("leg_rows")
)


class LegRow(ReadModel):
    __table__ = _LEG_ROWS

    id: Mapped[int]
    delivery_id: Mapped[int]
    transporter_facility_id: Mapped[int]
    phone_number: Mapped[str | None]
    is_layover: Mapped[bool]
    estimated_departure_at: Mapped[datetime | None]
    estimated_arrival_at: Mapped[datetime | None]
    last_modified: Mapped[datetime]
    transporter_license_number: Mapped[str]
    transporter_name: Mapped[str]


_DRIVER_ROWS = (
    select(
        TransferDriver.id,
        TransferDriver.transporter_id,
        TransferDriver.layover_leg,
        TransferDriver.last_modified,
        TransferTransporter.delivery_id,
        Driver.name.label("driver_name"),
        Driver.employee_id.label("driver_employee_id"),
        Driver.drivers_license_number,
        Vehicle.make.label("vehicle_make"),
        Vehicle.model.label("vehicle_model"),
        Vehicle.license_plate_number,
    )
    .select_from(TransferDriver)
    .join(TransferTransporter, TransferTransporter.id == TransferDriver.transporter_id)
    .join(Driver, Driver.id == TransferDriver.driver_id)
    .join(Vehicle, Vehicle.id == TransferDriver.vehicle_id)
    .subquery("driver_rows")
)


class DriverRow(ReadModel):
    """A driver and vehicle of a leg, as the transporter facility keeps them."""

    __table__ = _DRIVER_ROWS

    id: Mapped[int]
    transporter_id: Mapped[int]
    layover_leg: Mapped[str | None]
    last_modified: Mapped[datetime]
    delivery_id: Mapped[int]
    driver_name: Mapped[str]
    driver_employee_id: Mapped[str]
    drivers_license_number: Mapped[str]
    vehicle_make: Mapped[str]
    vehicle_model: Mapped[str]
    license_plate_number: Mapped[str]


def legs(delivery_id: int) -> Listed:
    source = select(LegRow).where(LegRow.delivery_id == delivery_id).order_by(LegRow.id)
    return Listed(source, modified=LegRow.last_modified)


def drivers(delivery_id: int) -> Listed:
    """Every driver and vehicle of a delivery, leg by leg."""
    source = select(DriverRow).where(DriverRow.delivery_id == delivery_id).order_by(DriverRow.id)
    return Listed(source, modified=DriverRow.last_modified)


# --- what a page completes with --------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """How many packages (and of which kinds) one delivery, or a whole transfer, carries."""

    deliveries: int = 0
    received_deliveries: int = 0
    packages: int = 0
    accepted: int = 0
    rejected: int = 0
    plants: bool = False
    products: bool = False
    trade_samples: bool = False
    donations: bool = False
    testing_samples: bool = False
    requires_remediation: bool = False
    remediated: bool = False

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.deliveries + other.deliveries,
            self.received_deliveries + other.received_deliveries,
            self.packages + other.packages,
            self.accepted + other.accepted,
            self.rejected + other.rejected,
            *(
                getattr(self, name) or getattr(other, name)
                for name in (
                    "plants",
                    "products",
                    "trade_samples",
                    "donations",
                    "testing_samples",
                    "requires_remediation",
                    "remediated",
                )
            ),
        )


def _any(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.max(case((condition, 1), else_=0)), 0)


def _count(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


@dataclass(frozen=True)
class Tallies:
    """The counts of each delivery of some transfers, and the first delivery of each."""

    by_delivery: dict[int, Counts]
    by_transfer: dict[int, Counts]
    first_delivery: dict[int, int]


def tallies(session: Session, transfer_ids: Collection[int]) -> Tallies:
    """Every delivery of these transfers with its counts, in one statement."""
    if not transfer_ids:
        return Tallies({}, {}, {})
    plant = LineRow.package_type.in_(sorted(PLANT_PACKAGE_TYPES))
    rows = session.execute(
        select(
            TransferDelivery.transfer_id,
            TransferDelivery.id,
            TransferDelivery.received_at,
            func.count(LineRow.package_id),
            _count(LineRow.state == ACCEPTED),
            _count(LineRow.state == REJECTED),
            _any(plant),
            _any(~plant),
            _any(LineRow.is_trade_sample.is_(True)),
            _any(LineRow.is_donation.is_(True)),
            _any(LineRow.is_testing_sample.is_(True)),
            _any(LineRow.product_requires_remediation.is_(True)),
            _any(LineRow.contains_remediated_product.is_(True)),
        )
        .select_from(TransferDelivery)
        .outerjoin(LineRow, LineRow.delivery_id == TransferDelivery.id)
        .where(TransferDelivery.transfer_id.in_(sorted(set(transfer_ids))))
        .group_by(TransferDelivery.transfer_id, TransferDelivery.id, TransferDelivery.received_at)
        .order_by(TransferDelivery.transfer_id, TransferDelivery.id)
    )
    by_delivery: dict[int, Counts] = {}
    by_transfer: dict[int, Counts] = {}
    first: dict[int, int] = {}
    for transfer_id, delivery_id, received_at, packages, accepted, rejected, *flags in rows:
        counts = Counts(
            1,
            int(received_at is not None),
            int(packages),
            int(accepted),
            int(rejected),
            *(bool(flag) for flag in flags),
        )
        by_delivery[delivery_id] = counts
        by_transfer[transfer_id] = by_transfer.get(transfer_id, Counts()) + counts
        first.setdefault(transfer_id, delivery_id)
    return Tallies(by_delivery, by_transfer, first)


@dataclass(frozen=True)
class FirstLeg:
    """What a transfer's record shows of its transporter: its delivery's first leg and the
    leg's first driver and vehicle."""

    transporter_license_number: str
    transporter_name: str
    driver: DriverRow


def first_legs(session: Session, delivery_ids: Collection[int]) -> dict[int, FirstLeg]:
    """The first leg of each of these deliveries, in one statement."""
    if not delivery_ids:
        return {}
    rows = session.execute(
        select(DriverRow, _CARRIER.license_number, _CARRIER.name)
        .join(TransferTransporter, TransferTransporter.id == DriverRow.transporter_id)
        .join(_CARRIER, _CARRIER.id == TransferTransporter.transporter_facility_id)
        .where(DriverRow.delivery_id.in_(sorted(set(delivery_ids))))
        .order_by(DriverRow.delivery_id, DriverRow.transporter_id, DriverRow.id)
    ).tuples()
    found: dict[int, FirstLeg] = {}
    for driver, license_number, name in rows:
        found.setdefault(driver.delivery_id, FirstLeg(license_number, name, driver))
    return found


@dataclass(frozen=True)
class TransferRecord:
    transfer: TransferRow
    counts: Counts
    first: DeliveryRow | None = None
    leg: FirstLeg | None = None


def complete_transfers(session: Session, transfers: list[TransferRow]) -> list[TransferRecord]:
    """A page of transfers with their counts and first leg (two statements)."""
    tally = tallies(session, [transfer.id for transfer in transfers])
    leg = first_legs(session, tally.first_delivery.values())
    return [
        TransferRecord(
            transfer,
            tally.by_transfer.get(transfer.id, Counts()),
            None,
            leg.get(tally.first_delivery.get(transfer.id, 0)),
        )
        for transfer in transfers
    ]


@dataclass(frozen=True)
class DeliveryRecord:
    delivery: DeliveryColumns
    transfer_counts: Counts
    counts: Counts
    leg: FirstLeg | None = None
    drivers: tuple[DriverRow, ...] = field(default=())


def complete_deliveries(session: Session, deliveries: list[DeliveryRow]) -> list[DeliveryRecord]:
    """A page of deliveries with their transfers' and their own counts, and their first leg
    (two statements)."""
    tally = tallies(session, {delivery.transfer_id for delivery in deliveries})
    leg = first_legs(session, [delivery.id for delivery in deliveries])
    return [
        DeliveryRecord(
            delivery,
            tally.by_transfer.get(delivery.transfer_id, Counts()),
            tally.by_delivery.get(delivery.id, Counts()),
            leg.get(delivery.id),
        )
        for delivery in deliveries
    ]


def complete_hub(session: Session, stops: list[HubRow]) -> list[DeliveryRecord]:
    """A page of hub stops with their counts and the drivers of their legs (two statements)."""
    tally = tallies(session, {stop.transfer_id for stop in stops})
    found: dict[int, list[DriverRow]] = {stop.leg_id: [] for stop in stops}
    for driver in session.scalars(
        select(DriverRow).where(DriverRow.transporter_id.in_(sorted(found))).order_by(DriverRow.id)
    ):
        found[driver.transporter_id].append(driver)
    records = []
    for stop in stops:
        own = found[stop.leg_id]
        leg = (
            FirstLeg(stop.transporter_license_number, stop.transporter_name, own[0])
            if own
            else None
        )
        records.append(
            DeliveryRecord(
                stop,
                tally.by_transfer.get(stop.transfer_id, Counts()),
                tally.by_delivery.get(stop.id, Counts()),
                leg,
                tuple(own),
            )
        )
    return records


# --- the lists -------------------------------------------------------------------------------


def outgoing(facility: Facility) -> Listed:
    """The facility's licensed transfers, oldest first."""
    source = (
        select(TransferRow)
        .where(of_facility(TransferRow, facility), TransferRow.kind == LICENSED)
        .order_by(TransferRow.id)
    )
    return Listed(source, modified=TransferRow.last_modified, complete=complete_transfers)


def templates(facility: Facility) -> Listed:
    """The facility's transfer templates in use, oldest first."""
    source = (
        select(TransferRow)
        .where(
            of_facility(TransferRow, facility),
            TransferRow.kind == TEMPLATE,
            TransferRow.archived_at.is_(None),
        )
        .order_by(TransferRow.id)
    )
    return Listed(source, modified=TransferRow.last_modified, complete=complete_transfers)


def _deliveries(*conditions: ColumnElement[bool]) -> Listed:
    source = select(DeliveryRow).where(*conditions).order_by(DeliveryRow.id)
    return Listed(source, modified=DeliveryRow.last_modified, complete=complete_deliveries)


def incoming(facility: Facility) -> Listed:
    """The deliveries to the facility, of licensed and external incoming transfers."""
    return _deliveries(
        DeliveryRow.recipient_facility_id == facility.id, DeliveryRow.transfer_kind != TEMPLATE
    )


def rejected(facility: Facility) -> Listed:
    """The deliveries of the facility's transfers in which a package was rejected."""
    some_rejected = exists().where(
        PackageShipment.delivery_id == DeliveryRow.id, PackageShipment.state == REJECTED
    )
    return _deliveries(
        of_facility(DeliveryRow, facility), DeliveryRow.transfer_kind == LICENSED, some_rejected
    )


def deliveries(transfer_id: int, visible_to: frozenset[int] | None = None) -> Listed:
    """The deliveries of one transfer (or template); `visible_to`, when given: only those
    going to or carried by these facilities."""
    conditions: list[ColumnElement[bool]] = [DeliveryRow.transfer_id == transfer_id]
    if visible_to is not None:
        carried = exists().where(
            TransferTransporter.delivery_id == DeliveryRow.id,
            TransferTransporter.transporter_facility_id.in_(sorted(visible_to)),
        )
        conditions.append(or_(DeliveryRow.recipient_facility_id.in_(sorted(visible_to)), carried))
    return _deliveries(*conditions)


def hub(facility: Facility, *, by_arrival: bool = False) -> Listed:
    """The deliveries that lay over at the facility's hub, by leg; windows filter on the last
    change, or with `by_arrival` on the delivery's estimated arrival."""
    source = (
        select(HubRow)
        .where(
            HubRow.transporter_facility_id == facility.id,
            HubRow.is_layover.is_(True),
            HubRow.transfer_kind != TEMPLATE,
        )
        .order_by(HubRow.leg_id)
    )
    modified = HubRow.estimated_arrival_at if by_arrival else HubRow.last_modified
    return Listed(source, modified=modified, complete=complete_hub)


def required_lab_test_batches(line: LineRow) -> Listed:
    """The lab test batches the package of a line must be tested by: (package id, name)."""
    return Listed(tuple((line.package_id, name) for name in line.required_lab_test_batches or ()))


# --- who may read one transfer ---------------------------------------------------------------


@dataclass(frozen=True)
class Parties:
    """The facilities party to a transfer or a delivery: its owner, and the recipients and
    transporters (of the delivery, or of any of the transfer's)."""

    owner: int
    others: frozenset[int]

    @property
    def every(self) -> frozenset[int]:
        return self.others | {self.owner}


def _parties(session: Session, owner: int, condition: ColumnElement[bool]) -> Parties:
    recipients = select(TransferDelivery.recipient_facility_id).where(condition)
    carriers = (
        select(TransferTransporter.transporter_facility_id)
        .join(TransferDelivery, TransferDelivery.id == TransferTransporter.delivery_id)
        .where(condition)
    )
    found = session.scalars(union_all(recipients, carriers))
    return Parties(owner, frozenset(found))


def transfer_parties(session: Session, transfer: Transfer) -> Parties:
    return _parties(session, transfer.facility_id, TransferDelivery.transfer_id == transfer.id)


def delivery_parties(session: Session, delivery: TransferDelivery) -> Parties:
    return _parties(session, delivery.facility_id, TransferDelivery.id == delivery.id)


def employments(
    session: Session, user_id: int, facility_ids: Collection[int]
) -> dict[int, Sequence[str]]:
    """The permissions `user_id` holds at each of these facilities it works at."""
    rows = session.execute(
        select(Employee.facility_id, Employee.permissions).where(
            Employee.user_id == user_id, Employee.facility_id.in_(sorted(set(facility_ids)))
        )
    )
    return {facility_id: permissions for facility_id, permissions in rows}


def line_named(session: Session, shipment_id: int) -> LineRow | None:
    """A shipped package (a transfer's delivery package) by its shipment id."""
    return session.scalars(
        select(LineRow).where(LineRow.id == shipment_id, LineRow.state.is_not(None)).limit(1)
    ).first()
