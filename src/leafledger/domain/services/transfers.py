"""Transfers between licensed facilities: templates, registration, voiding and departure.

A transfer (domain/models/transfer.py) is planned as destinations: each a recipient facility
of the ledger, a transfer type, estimated departure and arrival, the legs that carry it and
the packages it carries. The same plan makes a template (kept for reuse, never shipped) or a
licensed transfer (registered, then departed, then received: transfer_receipts.py). External
incoming transfers (external_transfers.py) and hubs (transfer_hub.py) build on this module.

Rules of a plan (each refusal names the command field at fault, and changes nothing):

- a destination names a licensed facility of the ledger other than the shipper, at most once
  per transfer; its transfer type (reference.TRANSFER_TYPES) must be for licensed shipments,
  and `ROUTES` says which licence types may ship with it to which. A lab sample transfer is
  not served here: lab samples never pass the leave gate (package_gate.py), they are the lab
  sample path's. The type's own requirements hold: an invoice number, the destination's
  gross weight, each package's gross weight;
- estimated departure and arrival are required, the arrival not before the departure;
- a destination is carried by one to MAX_LEGS legs. A leg names a transporter facility of the
  ledger and the driver (by driver's licence number) and vehicle (by licence plate) it keeps
  on record (services/transporters.py: active ones only), and any further driver and vehicle
  of a layover (`details`); a layover leg makes the transporter facility a hub on the way,
  which must be neither the shipper nor the recipient, once per delivery;
- a destination carries one to MAX_PACKAGES packages, each a package of the shipper named by
  its label, once in the whole transfer; a wholesale price is at least 0, a gross weight
  greater than 0 in a unit of weight. A Trade Sample transfer carries trade samples only, and
  trade samples travel on nothing else.

A template checks that its packages exist at the shipper; a transfer, registered from a
template or directly, also asks the leave gate (`require_may_leave`) of each package, and
refuses a package already on another transfer not voided and not yet received. Departure asks
the gate again (the package may have changed since), records each package's quantity as
shipped and puts it in transit: it leaves the shipper's active packages and its location, and
no package service changes it until it is received or returned. A transfer is voided only
before it departs. Every change is audited; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import FieldPath, NotFound, RuleViolation
from leafledger.domain.models import (
    Driver,
    Facility,
    Package,
    PackageShipment,
    TemplatePackage,
    Transfer,
    TransferDelivery,
    TransferDriver,
    TransferTransporter,
    Vehicle,
)
from leafledger.domain.models.base import Base, utcnow
from leafledger.domain.models.transfer import LICENSED, TEMPLATE
from leafledger.domain.queries.packages import IN_TRANSIT
from leafledger.domain.reference import TRANSFER_TYPES, TransferType, find_name, find_named
from leafledger.domain.services.audit import changed, record, record_new, snapshot
from leafledger.domain.services.facilities import find_facility
from leafledger.domain.services.harvests import amount, weight_unit
from leafledger.domain.services.package_gate import require_may_leave
from leafledger.domain.services.package_stock import package_labelled
from leafledger.domain.services.transporters import driver_licensed, vehicle_plated

MAX_DESTINATIONS = 20
MAX_LEGS = 10
MAX_DRIVERS = 10  # drivers and vehicles of one leg, its own included
MAX_PACKAGES = 500  # packages of one destination
LAYOVER_LEGS = ("ToLayover", "FromLayover", "FromAndToLayover")
TRADE_SAMPLE_TYPE = "Trade Sample"
LAB_SAMPLE_TYPE = "Lab Sample Transfer"


# --- which licence types may ship to which ---------------------------------------------------


@dataclass(frozen=True)
class Route:
    """The licence types that may ship with a transfer type, and those they may ship to."""

    shippers: frozenset[str]
    recipients: frozenset[str]


_SUPPLIERS = frozenset({"Cultivator", "Manufacturer", "Distributor"})
_TRADE = frozenset({"Cultivator", "Manufacturer", "Distributor", "Dispensary"})
_BUYERS = frozenset({"Manufacturer", "Distributor", "Dispensary"})
_RETURNERS = frozenset({"Manufacturer", "Distributor", "Dispensary"})

# Licensed transfer types, by name. Product moves from those who grow, make or distribute it
# towards those who make, distribute or sell it; wholesale goes to buyers (not back to a
# grower); a return goes back up the chain; an affiliated transfer moves stock between
# facilities of one business, any way among the trading licences. Testing labs receive lab
# samples only (LAB_SAMPLE_TYPE, not served here) and ship nothing on these types.
ROUTES: dict[str, Route] = {
    "Transfer": Route(_SUPPLIERS, _TRADE),
    "Wholesale": Route(_SUPPLIERS, _BUYERS),
    "Wholesale Manifest": Route(_SUPPLIERS, _BUYERS),
    "Affiliated Transfer": Route(_TRADE, _TRADE),
    TRADE_SAMPLE_TYPE: Route(_SUPPLIERS, _TRADE),
    "Return": Route(_RETURNERS, frozenset({"Cultivator", "Manufacturer", "Distributor"})),
}


def transfer_type_named(name: object, at: FieldPath) -> TransferType:
    """A transfer type of the reference list, by name."""
    if not isinstance(name, str) or not name.strip():
        raise RuleViolation("{field} is required.", field=(*at, "transfer_type"))
    found = find_named(TRANSFER_TYPES, name)
    if found is None:
        known = ", ".join(t.name for t in TRANSFER_TYPES)
        raise RuleViolation(
            f"{{field}} {name.strip()!r} is unknown; use one of {known}.",
            field=(*at, "transfer_type"),
        )
    return found


def licensed_route(
    kind: TransferType, shipper: Facility, recipient: Facility, at: FieldPath
) -> None:
    """Refuse a licensed shipment `kind` does not allow from `shipper` to `recipient`."""
    where = (*at, "transfer_type")
    if not kind.for_licensed_shipments:
        raise RuleViolation(f"{{field}} {kind.name!r} is not for licensed shipments.", field=where)
    if kind.name == LAB_SAMPLE_TYPE:
        raise RuleViolation(
            f"{{field}} {kind.name!r}: lab samples do not travel on licensed transfers in "
            "leafledger yet (they never pass the leave gate).",
            field=where,
        )
    route = ROUTES[kind.name]
    if shipper.license_type not in route.shippers:
        raise RuleViolation(
            f"A {shipper.license_type} may not ship on a {kind.name!r} transfer.", field=where
        )
    if recipient.license_type not in route.recipients:
        raise RuleViolation(
            f"A {kind.name!r} transfer may not go to a {recipient.license_type} "
            f"({recipient.license_number}).",
            field=where,
        )


# --- commands --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class TransporterDriver:
    """A driver and a vehicle of a transporter facility, by driver's licence number and
    licence plate, and which part of a layover trip they drive."""

    drivers_license_number: str | None = None
    license_plate_number: str | None = None
    layover_leg: str | None = None


@dataclass(frozen=True, kw_only=True)
class Leg(TransporterDriver):
    """One leg of a delivery: the transporter facility, its driver and vehicle (and, for a
    layover, the further ones that drive the rest: `details`)."""

    transporter_license_number: str | None = None
    phone_number: str | None = None
    is_layover: bool = False
    estimated_departure: datetime | None = None
    estimated_arrival: datetime | None = None
    details: Sequence[TransporterDriver] | None = None


@dataclass(frozen=True, kw_only=True)
class DestinationFields:
    """What every destination states, whatever its packages are."""

    recipient_license_number: str | None = None
    transfer_type: str | None = None
    invoice_number: str | None = None
    planned_route: str | None = None
    estimated_departure: datetime | None = None
    estimated_arrival: datetime | None = None
    gross_weight: Decimal | None = None
    gross_unit_of_weight: str | None = None
    # Metrc's numbered units: the ledger names its units and numbers none (refused).
    gross_unit_of_weight_id: int | None = None
    # The delivery a change keeps (its id); none: a new destination.
    destination_id: int | None = None
    transporters: Sequence[Leg] = ()


@dataclass(frozen=True, kw_only=True)
class PlannedPackage:
    """A package of the shipper to send, by label."""

    label: str | None = None
    wholesale_price: Decimal | None = None
    gross_weight: Decimal | None = None
    gross_unit_of_weight: str | None = None


@dataclass(frozen=True, kw_only=True)
class Destination(DestinationFields):
    packages: Sequence[PlannedPackage] = ()


@dataclass(frozen=True, kw_only=True)
class NewTemplate:
    name: str | None = None
    destinations: Sequence[Destination] = ()


@dataclass(frozen=True, kw_only=True)
class TemplateChange(NewTemplate):
    """A template's new name and destinations, all of them (a PUT replaces what it names)."""

    template: Transfer


@dataclass(frozen=True, kw_only=True)
class NewTransfer:
    """A licensed transfer to register: a copy of a template, or destinations of its own."""

    template: Transfer | None = None
    destinations: Sequence[Destination] = ()


# --- checking a plan -------------------------------------------------------------------------


@dataclass
class CheckedLeg:
    command: Leg
    transporter: Facility
    drivers: list[tuple[Driver, Vehicle, str | None]]


@dataclass
class CheckedDestination:
    """A destination as checked: its recipient and type, its legs, and its packages (the
    package rows with what the command states of each, or an external plan's own lines)."""

    command: DestinationFields
    recipient: Facility
    kind: TransferType
    gross: tuple[Decimal, str] | None
    legs: list[CheckedLeg]
    lines: list[Any] = field(default_factory=list)


def facility_licensed(session: Session, number: object, at: FieldPath) -> Facility:
    """The ledger's facility with this licence number."""
    if not isinstance(number, str) or not number.strip():
        raise RuleViolation("{field} is required.", field=at)
    found = find_facility(session, number.strip())
    if found is None:
        raise RuleViolation(
            f"{{field}}: no facility has licence number {number.strip()!r}.", field=at
        )
    return found


def gross_weight(
    weight: Decimal | None, unit: str | None, at: FieldPath, *, required: bool = False
) -> tuple[Decimal, str] | None:
    """A gross weight and its unit of weight, stated together (or, unless `required`, not)."""
    if weight is None and not (unit or "").strip():
        if required:
            raise RuleViolation(
                "{field} is required by the transfer type.", field=(*at, "gross_weight")
            )
        return None
    if weight is None:
        raise RuleViolation("{field} is required with its unit.", field=(*at, "gross_weight"))
    checked = amount(weight, (*at, "gross_weight"))
    return checked, weight_unit(unit, (*at, "gross_unit_of_weight")).name


def price(value: Decimal | None, at: FieldPath) -> Decimal | None:
    return None if value is None else amount(value, at, allow_zero=True)


def _moment(value: datetime | None, at: FieldPath) -> datetime:
    if value is None:
        raise RuleViolation("{field} is required.", field=at)
    return value


def _when(command: DestinationFields, at: FieldPath) -> None:
    departure = _moment(command.estimated_departure, (*at, "estimated_departure"))
    arrival = _moment(command.estimated_arrival, (*at, "estimated_arrival"))
    if arrival < departure:
        raise RuleViolation(
            "{field} is before the estimated departure.", field=(*at, "estimated_arrival")
        )


def _layover_leg(value: str | None, at: FieldPath) -> str | None:
    if value is None or not value.strip():
        return None
    found = find_name(LAYOVER_LEGS, value)
    if found is None:
        raise RuleViolation(
            f"{{field}} {value.strip()!r} is unknown; use one of {', '.join(LAYOVER_LEGS)}.",
            field=at,
        )
    return found


def _driver_and_vehicle(
    session: Session, transporter: Facility, named: TransporterDriver, at: FieldPath
) -> tuple[Driver, Vehicle, str | None]:
    number, plate = named.drivers_license_number, named.license_plate_number
    if not number or not number.strip():
        raise RuleViolation("{field} is required.", field=(*at, "drivers_license_number"))
    if not plate or not plate.strip():
        raise RuleViolation("{field} is required.", field=(*at, "license_plate_number"))
    try:
        driver = driver_licensed(
            session, transporter, number, field=(*at, "drivers_license_number")
        )
        vehicle = vehicle_plated(session, transporter, plate, field=(*at, "license_plate_number"))
    except NotFound as exc:
        where = f"transporter {transporter.license_number}"
        raise RuleViolation(exc.message.replace("this facility", where), field=at) from None
    return driver, vehicle, _layover_leg(named.layover_leg, (*at, "layover_leg"))


def check_legs(
    session: Session,
    legs: Sequence[Leg],
    ends: tuple[int | None, int],
    at: FieldPath,
    *,
    required: bool = True,
) -> list[CheckedLeg]:
    """The legs of a destination, each transporter's driver and vehicle looked up at it.
    `ends`: the shipper's and the recipient's facility ids, where no layover may be."""
    if required and not legs:
        raise RuleViolation(
            "{field} must name at least one transporter.", field=(*at, "transporters")
        )
    if len(legs) > MAX_LEGS:
        raise RuleViolation(
            f"{{field}} holds more than {MAX_LEGS} legs.", field=(*at, "transporters")
        )
    checked: list[CheckedLeg] = []
    hubs: set[int] = set()
    for index, leg in enumerate(legs):
        where: FieldPath = (*at, "transporters", index)
        transporter = facility_licensed(
            session, leg.transporter_license_number, (*where, "transporter_license_number")
        )
        if leg.is_layover:
            if transporter.id in ends:
                raise RuleViolation(
                    f"A layover is a hub on the way; {transporter.license_number} is where the "
                    "delivery starts or ends.",
                    field=(*where, "is_layover"),
                )
            if transporter.id in hubs:
                raise RuleViolation(
                    f"The delivery already lays over at {transporter.license_number}.",
                    field=(*where, "is_layover"),
                )
            hubs.add(transporter.id)
        if (
            leg.estimated_departure is not None
            and leg.estimated_arrival is not None
            and leg.estimated_arrival < leg.estimated_departure
        ):
            raise RuleViolation(
                "{field} is before the estimated departure.", field=(*where, "estimated_arrival")
            )
        details = list(leg.details or ())
        if len(details) + 1 > MAX_DRIVERS:
            raise RuleViolation(
                f"{{field}} holds more than {MAX_DRIVERS - 1} drivers.", field=(*where, "details")
            )
        drivers = [_driver_and_vehicle(session, transporter, leg, where)]
        drivers += [
            _driver_and_vehicle(session, transporter, extra, (*where, "details", number))
            for number, extra in enumerate(details)
        ]
        checked.append(CheckedLeg(leg, transporter, drivers))
    return checked


def check_destination(
    session: Session,
    shipper: Facility | None,
    command: DestinationFields,
    at: FieldPath,
    seen: set[int],
) -> tuple[Facility, TransferType, tuple[Decimal, str] | None]:
    """The recipient, type and gross weight of a destination; `seen`: recipients so far."""
    recipient = facility_licensed(
        session, command.recipient_license_number, (*at, "recipient_license_number")
    )
    if shipper is not None and recipient.id == shipper.id:
        raise RuleViolation(
            "{field}: a facility does not ship to itself.", field=(*at, "recipient_license_number")
        )
    if recipient.id in seen:
        raise RuleViolation(
            f"{{field}}: the transfer already goes to {recipient.license_number}.",
            field=(*at, "recipient_license_number"),
        )
    seen.add(recipient.id)
    kind = transfer_type_named(command.transfer_type, at)
    if kind.requires_invoice_number and not (command.invoice_number or "").strip():
        raise RuleViolation(
            f"{{field}} is required by the transfer type {kind.name!r}.",
            field=(*at, "invoice_number"),
        )
    if command.gross_unit_of_weight_id is not None:
        raise RuleViolation(
            "{field}: units of measure are named in leafledger, not numbered; name the unit.",
            field=(*at, "gross_unit_of_weight_id"),
        )
    gross = gross_weight(
        command.gross_weight,
        command.gross_unit_of_weight,
        at,
        required=kind.requires_destination_gross_weight,
    )
    _when(command, at)
    return recipient, kind, gross


def destinations_of(commands: Sequence[DestinationFields]) -> None:
    if not commands:
        raise RuleViolation("{field} must name at least one destination.", field="destinations")
    if len(commands) > MAX_DESTINATIONS:
        raise RuleViolation(
            f"{{field}} holds more than {MAX_DESTINATIONS} destinations.", field="destinations"
        )


def packages_of(lines: Sequence[object], at: FieldPath) -> None:
    if not lines:
        raise RuleViolation("{field} must name at least one package.", field=(*at, "packages"))
    if len(lines) > MAX_PACKAGES:
        raise RuleViolation(
            f"{{field}} holds more than {MAX_PACKAGES} packages.", field=(*at, "packages")
        )


@dataclass(frozen=True)
class PlannedLine:
    package: Package
    command: PlannedPackage
    gross: tuple[Decimal, str] | None
    wholesale_price: Decimal | None


def _planned_package(
    session: Session,
    shipper: Facility,
    line: PlannedPackage,
    kind: TransferType,
    at: FieldPath,
    *,
    shipping: bool,
) -> PlannedLine:
    try:
        package = package_labelled(session, shipper, line.label, (*at, "label"))
    except NotFound as exc:
        raise RuleViolation(exc.message, field=at) from None
    if package.archived_date is not None:
        raise RuleViolation(f"Package {package.label} is discontinued.", field=at)
    if shipping:
        require_may_leave(package, at)
        if package.in_transit:
            raise RuleViolation(f"Package {package.label} is already in transit.", field=at)
        sample = kind.name == TRADE_SAMPLE_TYPE
        if package.is_trade_sample != sample:
            what = "carries trade samples only" if sample else "carries no trade samples"
            raise RuleViolation(
                f"Package {package.label}: a {kind.name!r} transfer {what}.", field=at
            )
    gross = gross_weight(
        line.gross_weight,
        line.gross_unit_of_weight,
        at,
        required=kind.requires_packages_gross_weight,
    )
    return PlannedLine(package, line, gross, price(line.wholesale_price, (*at, "wholesale_price")))


def _on_open_transfers(session: Session, package_ids: Sequence[int]) -> dict[int, str]:
    """Which of these packages are on a transfer not voided and not received, and its
    manifest: a package is on one such transfer at a time."""
    if not package_ids:
        return {}
    rows = session.execute(
        select(PackageShipment.package_id, PackageShipment.manifest_number)
        .join(TransferDelivery, TransferDelivery.id == PackageShipment.delivery_id)
        .join(Transfer, Transfer.id == TransferDelivery.transfer_id)
        .where(
            PackageShipment.package_id.in_(sorted(set(package_ids))),
            PackageShipment.state == IN_TRANSIT,
            Transfer.voided_at.is_(None),
        )
    )
    return {package_id: manifest for package_id, manifest in rows}


def check_plan(
    session: Session,
    shipper: Facility,
    destinations: Sequence[Destination],
    *,
    shipping: bool,
) -> list[CheckedDestination]:
    """Every destination of a licensed plan, checked together before anything is written;
    `shipping`: a transfer (the gate asked of each package), not a template."""
    destinations_of(destinations)
    seen: set[int] = set()
    checked: list[CheckedDestination] = []
    where: dict[int, FieldPath] = {}
    for index, command in enumerate(destinations):
        at: FieldPath = ("destinations", index)
        recipient, kind, gross = check_destination(session, shipper, command, at, seen)
        licensed_route(kind, shipper, recipient, at)
        legs = check_legs(session, command.transporters, (shipper.id, recipient.id), at)
        packages_of(command.packages, at)
        lines = []
        for number, line in enumerate(command.packages):
            line_at: FieldPath = (*at, "packages", number)
            planned = _planned_package(session, shipper, line, kind, line_at, shipping=shipping)
            if planned.package.id in where:
                raise RuleViolation(
                    f"Package {planned.package.label} is named twice in the transfer.",
                    field=line_at,
                )
            where[planned.package.id] = line_at
            lines.append(planned)
        checked.append(CheckedDestination(command, recipient, kind, gross, legs, lines))
    if shipping:
        for package_id, manifest in _on_open_transfers(session, list(where)).items():
            raise RuleViolation(
                f"The package is already on transfer {manifest}, which is not received yet.",
                field=where[package_id],
            )
    return checked


# --- writing a plan --------------------------------------------------------------------------


def new_transfer(session: Session, actor: Actor, facility: Facility, **values: Any) -> Transfer:
    """A new transfer row, its manifest number its id in ten digits (a template has none)."""
    transfer = Transfer(facility_id=facility.id, created_by_user_id=actor.user_id, **values)
    session.add(transfer)
    session.flush()
    if transfer.kind != TEMPLATE:
        transfer.manifest_number = f"{transfer.id:010d}"
    record(
        session,
        actor,
        entity=transfer,
        action="create",
        facility_id=facility.id,
        after=snapshot(transfer),
    )
    return transfer


def _delivery_values(destination: CheckedDestination) -> dict[str, Any]:
    command = destination.command
    weight, unit = destination.gross or (None, None)
    return {
        "recipient_facility_id": destination.recipient.id,
        "transfer_type_name": destination.kind.name,
        "invoice_number": (command.invoice_number or "").strip() or None,
        "planned_route": (command.planned_route or "").strip() or None,
        "estimated_departure_at": command.estimated_departure,
        "estimated_arrival_at": command.estimated_arrival,
        "gross_weight": weight,
        "gross_unit": unit,
    }


def write_legs(
    session: Session, actor: Actor, delivery: TransferDelivery, legs: list[CheckedLeg]
) -> None:
    for leg in legs:
        row = TransferTransporter(
            facility_id=delivery.facility_id,
            delivery_id=delivery.id,
            transporter_facility_id=leg.transporter.id,
            phone_number=(leg.command.phone_number or "").strip() or None,
            is_layover=leg.command.is_layover,
            estimated_departure_at=leg.command.estimated_departure,
            estimated_arrival_at=leg.command.estimated_arrival,
        )
        record_new(session, actor, row, delivery.facility_id)
        for driver, vehicle, layover_leg in leg.drivers:
            pair = TransferDriver(
                facility_id=delivery.facility_id,
                transporter_id=row.id,
                driver_id=driver.id,
                vehicle_id=vehicle.id,
                layover_leg=layover_leg,
            )
            record_new(session, actor, pair, delivery.facility_id)


def write_delivery(
    session: Session,
    actor: Actor,
    transfer: Transfer,
    destination: CheckedDestination,
    number: int,
    kept: TransferDelivery | None = None,
) -> TransferDelivery:
    """A delivery of `transfer` as `destination` plans it, with its legs: a new one, or `kept`
    (its legs already removed) with the destination's values."""
    values = _delivery_values(destination)
    if kept is not None:
        changed(
            session, actor, kept, "change", transfer.facility_id, delivery_number=number, **values
        )
        delivery = kept
    else:
        delivery = TransferDelivery(
            facility_id=transfer.facility_id,
            transfer_id=transfer.id,
            delivery_number=number,
            **values,
        )
        record_new(session, actor, delivery, transfer.facility_id)
    write_legs(session, actor, delivery, destination.legs)
    return delivery


def shipment(
    transfer: Transfer,
    delivery: TransferDelivery,
    recipient: Facility,
    package: Package,
    *,
    gross: tuple[Decimal, str] | None,
    wholesale_price: Decimal | None,
) -> PackageShipment:
    """A package on a delivery, shipped (once it departs) as it is now."""
    weight, unit = gross or (None, None)
    if transfer.manifest_number is None:
        raise RuntimeError(f"transfer {transfer.id} has no manifest number")
    return PackageShipment(
        facility_id=transfer.facility_id,
        delivery_id=delivery.id,
        package_id=package.id,
        manifest_number=transfer.manifest_number,
        recipient_license_number=recipient.license_number,
        recipient_name=recipient.name,
        shipped_quantity=package.quantity,
        shipped_unit=package.unit_of_measure_name,
        gross_weight=weight,
        gross_unit=unit,
        shipper_wholesale_price=wholesale_price,
        state=IN_TRANSIT,
    )


def _write_lines(
    session: Session,
    actor: Actor,
    transfer: Transfer,
    delivery: TransferDelivery,
    destination: CheckedDestination,
) -> None:
    for line in destination.lines:
        assert isinstance(line, PlannedLine)
        row: Base
        if transfer.kind == TEMPLATE:
            weight, unit = line.gross or (None, None)
            row = TemplatePackage(
                facility_id=transfer.facility_id,
                delivery_id=delivery.id,
                package_id=line.package.id,
                wholesale_price=line.wholesale_price,
                gross_weight=weight,
                gross_unit=unit,
            )
        else:
            row = shipment(
                transfer,
                delivery,
                destination.recipient,
                line.package,
                gross=line.gross,
                wholesale_price=line.wholesale_price,
            )
        record_new(session, actor, row, transfer.facility_id)


def _write_plan(
    session: Session, actor: Actor, transfer: Transfer, checked: list[CheckedDestination]
) -> None:
    """The deliveries of a new template or transfer, with their legs and packages."""
    for number, destination in enumerate(checked, start=1):
        delivery = write_delivery(session, actor, transfer, destination, number)
        _write_lines(session, actor, transfer, delivery, destination)


def deleted(session: Session, actor: Actor, row: Base, facility_id: int) -> None:
    """Delete `row`, recording what it was."""
    record(
        session, actor, entity=row, action="delete", facility_id=facility_id, before=snapshot(row)
    )
    session.delete(row)


def remove_legs(session: Session, actor: Actor, delivery: TransferDelivery) -> None:
    legs = list(
        session.scalars(
            select(TransferTransporter).where(TransferTransporter.delivery_id == delivery.id)
        )
    )
    if not legs:
        return
    pairs = session.scalars(
        select(TransferDriver).where(TransferDriver.transporter_id.in_([leg.id for leg in legs]))
    )
    for pair in pairs:
        deleted(session, actor, pair, delivery.facility_id)
    session.flush()
    for leg in legs:
        deleted(session, actor, leg, delivery.facility_id)
    session.flush()


def deliveries_of(session: Session, transfer: Transfer) -> list[TransferDelivery]:
    return list(
        session.scalars(
            select(TransferDelivery)
            .where(TransferDelivery.transfer_id == transfer.id)
            .order_by(TransferDelivery.id)
            .with_for_update()
        )
    )


def touch(*rows: Transfer | TransferDelivery) -> None:
    """Mark rows changed (the transfer lists filter on it) when what changed is theirs."""
    now = utcnow()
    for row in rows:
        row.last_modified = now


# --- templates -------------------------------------------------------------------------------


def _template_name(name: str | None) -> str:
    if not name or not name.strip():
        raise RuleViolation("{field} is required.", field="name")
    return name.strip()


def create_template(
    session: Session, actor: Actor, facility: Facility, command: NewTemplate
) -> Transfer:
    """A template of transfers: destinations, legs and packages kept for reuse."""
    name = _template_name(command.name)
    checked = check_plan(session, facility, command.destinations, shipping=False)
    template = new_transfer(session, actor, facility, kind=TEMPLATE, name=name)
    _write_plan(session, actor, template, checked)
    return template


def _active_template(template: Transfer) -> Transfer:
    if template.kind != TEMPLATE:
        raise NotFound(f"No transfer template {template.id} was found.")
    if template.archived_at is not None:
        raise RuleViolation(f"The transfer template {template.name!r} is archived.")
    return template


def _remove_template_delivery(session: Session, actor: Actor, delivery: TransferDelivery) -> None:
    for line in session.scalars(
        select(TemplatePackage).where(TemplatePackage.delivery_id == delivery.id)
    ):
        deleted(session, actor, line, delivery.facility_id)
    remove_legs(session, actor, delivery)


def kept_deliveries(
    session: Session, transfer: Transfer, destinations: Sequence[DestinationFields]
) -> tuple[list[TransferDelivery | None], list[TransferDelivery]]:
    """For each destination of a change, the delivery it keeps (none: a new one), and the
    deliveries no destination keeps. A destination id must be one of this transfer's."""
    current = {delivery.id: delivery for delivery in deliveries_of(session, transfer)}
    kept: list[TransferDelivery | None] = []
    for index, destination in enumerate(destinations):
        wanted = destination.destination_id
        if not wanted:  # Metrc's examples send 0 for a new destination
            kept.append(None)
            continue
        found = current.get(wanted)
        if found is None or found in kept:
            raise RuleViolation(
                f"{{field}} {wanted} is not a destination of this transfer.",
                field=("destinations", index, "destination_id"),
            )
        kept.append(found)
    return kept, [delivery for delivery in current.values() if delivery not in kept]


def update_template(
    session: Session, actor: Actor, facility: Facility, command: TemplateChange
) -> Transfer:
    """Replace a template's name and destinations: a destination naming one of the template's
    deliveries keeps it (with new contents), one naming none is new, and the deliveries no
    destination names are removed."""
    template = _active_template(command.template)
    name = _template_name(command.name)
    checked = check_plan(session, facility, command.destinations, shipping=False)
    kept, dropped = kept_deliveries(session, template, command.destinations)
    for delivery in dropped:
        _remove_template_delivery(session, actor, delivery)
        deleted(session, actor, delivery, facility.id)
    for keeping in kept:
        if keeping is not None:
            _remove_template_delivery(session, actor, keeping)
    session.flush()
    changed(session, actor, template, "change", facility.id, name=name)
    for number, (destination, keeping) in enumerate(zip(checked, kept, strict=True), start=1):
        made = write_delivery(session, actor, template, destination, number, keeping)
        _write_lines(session, actor, template, made, destination)
    return template


def archive_template(
    session: Session, actor: Actor, facility: Facility, template: Transfer
) -> Transfer:
    """Take a template out of use (it stays in the ledger's history)."""
    _active_template(template)
    changed(session, actor, template, "archive", facility.id, archived_at=utcnow())
    return template


# --- licensed transfers ----------------------------------------------------------------------


def _from_template(session: Session, template: Transfer) -> list[Destination]:
    """A template's destinations, as the commands that planned them."""
    destinations = []
    for delivery in deliveries_of(session, template):
        legs = []
        for leg in session.scalars(
            select(TransferTransporter)
            .where(TransferTransporter.delivery_id == delivery.id)
            .order_by(TransferTransporter.id)
        ):
            drivers = [
                TransporterDriver(
                    drivers_license_number=driver.drivers_license_number,
                    license_plate_number=vehicle.license_plate_number,
                    layover_leg=pair.layover_leg,
                )
                for pair, driver, vehicle in session.execute(
                    select(TransferDriver, Driver, Vehicle)
                    .join(Driver, Driver.id == TransferDriver.driver_id)
                    .join(Vehicle, Vehicle.id == TransferDriver.vehicle_id)
                    .where(TransferDriver.transporter_id == leg.id)
                    .order_by(TransferDriver.id)
                )
            ]
            transporter = session.get(Facility, leg.transporter_facility_id)
            assert transporter is not None and drivers
            own = drivers[0]
            legs.append(
                Leg(
                    transporter_license_number=transporter.license_number,
                    drivers_license_number=own.drivers_license_number,
                    license_plate_number=own.license_plate_number,
                    layover_leg=own.layover_leg,
                    phone_number=leg.phone_number,
                    is_layover=leg.is_layover,
                    estimated_departure=leg.estimated_departure_at,
                    estimated_arrival=leg.estimated_arrival_at,
                    details=drivers[1:],
                )
            )
        packages = [
            PlannedPackage(
                label=label,
                wholesale_price=line.wholesale_price,
                gross_weight=line.gross_weight,
                gross_unit_of_weight=line.gross_unit,
            )
            for line, label in session.execute(
                select(TemplatePackage, Package.label)
                .join(Package, Package.id == TemplatePackage.package_id)
                .where(TemplatePackage.delivery_id == delivery.id)
                .order_by(TemplatePackage.id)
            )
        ]
        recipient = session.get(Facility, delivery.recipient_facility_id)
        assert recipient is not None
        destinations.append(
            Destination(
                recipient_license_number=recipient.license_number,
                transfer_type=delivery.transfer_type_name,
                invoice_number=delivery.invoice_number,
                planned_route=delivery.planned_route,
                estimated_departure=delivery.estimated_departure_at,
                estimated_arrival=delivery.estimated_arrival_at,
                gross_weight=delivery.gross_weight,
                gross_unit_of_weight=delivery.gross_unit,
                transporters=legs,
                packages=packages,
            )
        )
    return destinations


def template_destinations(session: Session, template: Transfer) -> list[Destination]:
    """A template's destinations as it plans them now (each keeping its delivery)."""
    kept = [delivery.id for delivery in deliveries_of(session, template)]
    planned = _from_template(session, template)
    return [
        replace(destination, destination_id=delivery_id)
        for destination, delivery_id in zip(planned, kept, strict=True)
    ]


def register_transfer(
    session: Session, actor: Actor, facility: Facility, command: NewTransfer
) -> Transfer:
    """Register a licensed transfer, from a template (copied as it is now) or from the
    command's own destinations; every package must be free to leave (see the module)."""
    template = command.template
    if template is not None:
        if command.destinations:
            raise RuleViolation(
                "{field}: a transfer made from a template names no destinations.",
                field="destinations",
            )
        destinations = _from_template(session, _active_template(template))
    else:
        destinations = list(command.destinations)
    checked = check_plan(session, facility, destinations, shipping=True)
    transfer = new_transfer(
        session,
        actor,
        facility,
        kind=LICENSED,
        template_id=None if template is None else template.id,
    )
    _write_plan(session, actor, transfer, checked)
    return transfer


def licensed_transfer(transfer: Transfer) -> Transfer:
    """`transfer`, if it is a licensed transfer (a template or an external one reads as none)."""
    if transfer.kind != LICENSED:
        raise NotFound(f"No licensed transfer {transfer.id} was found.")
    return transfer


def _not_departed(transfer: Transfer) -> None:
    if transfer.voided_at is not None:
        raise RuleViolation(f"Transfer {transfer.manifest_number} is voided.")
    if transfer.departed_at is not None:
        raise RuleViolation(f"Transfer {transfer.manifest_number} has departed.")


def void_transfer(
    session: Session, actor: Actor, facility: Facility, transfer: Transfer
) -> Transfer:
    """Void a licensed transfer before it departs: its packages stay as they are."""
    session.refresh(licensed_transfer(transfer), with_for_update=True)
    _not_departed(transfer)
    changed(session, actor, transfer, "void", facility.id, voided_at=utcnow())
    touch(*deliveries_of(session, transfer))
    return transfer


def shipments_of(
    session: Session, delivery_ids: Sequence[int]
) -> list[tuple[PackageShipment, Package]]:
    """The shipments of these deliveries with their packages (locked), in order."""
    return [
        (line, package)
        for line, package in session.execute(
            select(PackageShipment, Package)
            .join(Package, Package.id == PackageShipment.package_id)
            .where(PackageShipment.delivery_id.in_(sorted(delivery_ids)))
            .order_by(PackageShipment.id)
            .with_for_update()
        ).tuples()
    ]


def depart_transfer(
    session: Session, actor: Actor, facility: Facility, transfer: Transfer
) -> Transfer:
    """The transfer leaves the shipper: every package, asked the leave gate again, is shipped
    as it is now and put in transit (off the shipper's active packages and its location)."""
    session.refresh(licensed_transfer(transfer), with_for_update=True)
    _not_departed(transfer)
    now = utcnow()
    deliveries = deliveries_of(session, transfer)
    lines = shipments_of(session, [delivery.id for delivery in deliveries])
    for _, package in lines:
        if package.facility_id != facility.id:
            raise RuleViolation(f"Package {package.label} is no longer at this facility.")
        require_may_leave(package)
    for line, package in lines:
        changed(
            session,
            actor,
            line,
            "depart",
            facility.id,
            shipped_quantity=package.quantity,
            shipped_unit=package.unit_of_measure_name,
            departed_at=now,
        )
        changed(
            session,
            actor,
            package,
            "depart",
            facility.id,
            in_transit=True,
            location_id=None,
            sublocation_id=None,
        )
    for delivery in deliveries:
        changed(session, actor, delivery, "depart", facility.id, departed_at=now)
    changed(session, actor, transfer, "depart", facility.id, departed_at=now)
    return transfer
