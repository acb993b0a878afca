"""Transfers as Trace asks for them: by ids where Metrc names things by licence numbers, labels
and plates. Each command is read into the commands of services/transfers.py and
transfer_receipts.py, whose rules then hold as they do for Metrc (a Trace transfer is the same
row, listed in Metrc's outgoing and incoming lists, and the other way round):

- a shipment's receiver is a facility of the ledger by id (or by licence number);
- a leg's transporter is a facility by id, and its drivers and vehicles the transporter's
  records by id, paired in order (the first pair drives the leg, the others a layover's
  further parts); the body's own legs serve every shipment that names none;
- a lot (a package) is the shipper's, by id;
- an action on a registered transfer: `depart` and `void` by its shipper, `receive` by a
  recipient, every lot of its delivery accepted (with the quantity that arrived) or rejected
  (with a reason).

Refusals name the command fields at fault, as the services they are passed to do; nothing here
commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import FieldPath, RuleViolation
from leafledger.domain.models import (
    Driver,
    Facility,
    Location,
    Package,
    PackageShipment,
    Transfer,
    Vehicle,
)
from leafledger.domain.models.base import fits
from leafledger.domain.services import transfer_receipts as receipts
from leafledger.domain.services import transfers

DEPART, VOID, RECEIVE = "depart", "void", "receive"
ACCEPTED, REJECTED = "accepted", "rejected"


# --- commands --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class TraceLeg:
    transporter_id: int | None = None
    driver_ids: Sequence[int] = ()
    vehicle_ids: Sequence[int] = ()
    is_layover: bool = False
    layover_leg: str | None = None
    phone_number: str | None = None
    estimated_departure: datetime | None = None
    estimated_arrival: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class TraceLot:
    package: Package
    wholesale_price: Decimal | None = None
    gross_weight: Decimal | None = None
    gross_unit_of_weight: str | None = None


@dataclass(frozen=True, kw_only=True)
class TraceShipment:
    receiver_id: int | None = None
    receiver_license_number: str | None = None
    transfer_type: str | None = None
    invoice_number: str | None = None
    planned_route: str | None = None
    estimated_departure: datetime | None = None
    estimated_arrival: datetime | None = None
    gross_weight: Decimal | None = None
    gross_unit_of_weight: str | None = None
    # The delivery a template change keeps (its id); none: a new one.
    destination_id: int | None = None
    legs: Sequence[TraceLeg] | None = None
    lots: Sequence[TraceLot] = ()


@dataclass(frozen=True, kw_only=True)
class TracePlan:
    shipper_id: int | None = None  # when named: the licence's facility (the dialect checks)
    shipments: Sequence[TraceShipment] = ()
    legs: Sequence[TraceLeg] = ()  # of every shipment that names none


@dataclass(frozen=True, kw_only=True)
class NewTraceTransfer(TracePlan):
    template: Transfer | None = None


@dataclass(frozen=True, kw_only=True)
class NewTraceTemplate(TracePlan):
    name: str | None = None


@dataclass(frozen=True, kw_only=True)
class TraceTemplateChange(TracePlan):
    name: str | None = None
    archive: bool = False


@dataclass(frozen=True, kw_only=True)
class TraceLotReceipt:
    package_id: int
    state: str | None = None  # accepted or rejected
    received_quantity: Decimal | None = None
    received_unit: str | None = None
    location: Location | None = None
    receiver_wholesale_price: Decimal | None = None
    rejection_reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class TransferAction:
    action: str | None = None
    received_at: datetime | None = None
    lots: Sequence[TraceLotReceipt] = ()


# --- reading the ids -------------------------------------------------------------------------


def _facility(session: Session, facility_id: int | None, at: FieldPath) -> Facility:
    found = (
        session.get(Facility, facility_id)
        if facility_id is not None and fits(Facility.id, facility_id)
        else None
    )
    if found is None:
        what = "is required" if facility_id is None else f"{facility_id} is no facility"
        raise RuleViolation(f"{{field}} {what}.", field=at)
    return found


def _legs(session: Session, legs: Sequence[TraceLeg], at: FieldPath) -> list[transfers.Leg]:
    made = []
    for index, leg in enumerate(legs):
        where: FieldPath = (*at, index)
        carrier = _facility(session, leg.transporter_id, (*where, "transporter_id"))
        if not leg.driver_ids or len(leg.driver_ids) != len(leg.vehicle_ids):
            raise RuleViolation(
                "{field}: name as many vehicles as drivers (at least one of each), in pairs.",
                field=(*where, "driver_ids"),
            )
        pairs = []
        for number, (driver_id, vehicle_id) in enumerate(
            zip(leg.driver_ids, leg.vehicle_ids, strict=True)
        ):
            driver = session.get(Driver, driver_id) if fits(Driver.id, driver_id) else None
            vehicle = session.get(Vehicle, vehicle_id) if fits(Vehicle.id, vehicle_id) else None
            if driver is None or driver.facility_id != carrier.id:
                raise RuleViolation(
                    f"{{field}}: {carrier.license_number} keeps no driver {driver_id}.",
                    field=(*where, "driver_ids", number),
                )
            if vehicle is None or vehicle.facility_id != carrier.id:
                raise RuleViolation(
                    f"{{field}}: {carrier.license_number} keeps no vehicle {vehicle_id}.",
                    field=(*where, "vehicle_ids", number),
                )
            pairs.append(
                transfers.TransporterDriver(
                    drivers_license_number=driver.drivers_license_number,
                    license_plate_number=vehicle.license_plate_number,
                    layover_leg=leg.layover_leg if number == 0 else None,
                )
            )
        own = pairs[0]
        made.append(
            transfers.Leg(
                transporter_license_number=carrier.license_number,
                drivers_license_number=own.drivers_license_number,
                license_plate_number=own.license_plate_number,
                layover_leg=own.layover_leg,
                phone_number=leg.phone_number,
                is_layover=leg.is_layover,
                estimated_departure=leg.estimated_departure,
                estimated_arrival=leg.estimated_arrival,
                details=pairs[1:],
            )
        )
    return made


def destinations(session: Session, plan: TracePlan) -> list[transfers.Destination]:
    """The plan's shipments as the destinations services/transfers.py plans."""
    made = []
    for index, shipment in enumerate(plan.shipments):
        at: FieldPath = ("shipments", index)
        number = shipment.receiver_license_number
        if shipment.receiver_id is not None or not number:
            number = _facility(session, shipment.receiver_id, (*at, "receiver_id")).license_number
        legs = plan.legs if shipment.legs is None else shipment.legs
        where: FieldPath = ("legs",) if shipment.legs is None else (*at, "legs")
        made.append(
            transfers.Destination(
                recipient_license_number=number,
                transfer_type=shipment.transfer_type,
                invoice_number=shipment.invoice_number,
                planned_route=shipment.planned_route,
                estimated_departure=shipment.estimated_departure,
                estimated_arrival=shipment.estimated_arrival,
                gross_weight=shipment.gross_weight,
                gross_unit_of_weight=shipment.gross_unit_of_weight,
                destination_id=shipment.destination_id,
                transporters=_legs(session, legs, where),
                packages=[
                    transfers.PlannedPackage(
                        label=lot.package.label,
                        wholesale_price=lot.wholesale_price,
                        gross_weight=lot.gross_weight,
                        gross_unit_of_weight=lot.gross_unit_of_weight,
                    )
                    for lot in shipment.lots
                ],
            )
        )
    return made


# --- the writes ------------------------------------------------------------------------------


def create_transfer(
    session: Session, actor: Actor, facility: Facility, command: NewTraceTransfer
) -> Transfer:
    """Register a licensed transfer: from a template of the shipper, or from the shipments."""
    planned = destinations(session, command) if command.template is None else []
    return transfers.register_transfer(
        session,
        actor,
        facility,
        transfers.NewTransfer(template=command.template, destinations=planned),
    )


def create_template(
    session: Session, actor: Actor, facility: Facility, command: NewTraceTemplate
) -> Transfer:
    return transfers.create_template(
        session,
        actor,
        facility,
        transfers.NewTemplate(name=command.name, destinations=destinations(session, command)),
    )


def change_template(
    session: Session,
    actor: Actor,
    facility: Facility,
    template: Transfer,
    command: TraceTemplateChange,
) -> Transfer:
    """Archive a template (`archive`), or replace its name (kept when not given) and, when
    the command names shipments, its destinations (kept as they are when it names none)."""
    if command.archive:
        return transfers.archive_template(session, actor, facility, template)
    planned = (
        destinations(session, command)
        if command.shipments
        else transfers.template_destinations(session, template)
    )
    return transfers.update_template(
        session,
        actor,
        facility,
        transfers.TemplateChange(
            template=template, name=command.name or template.name, destinations=planned
        ),
    )


def _receipt(
    session: Session, delivery_id: int, command: TransferAction
) -> receipts.DeliveryReceipt:
    labels: dict[int, str] = {
        package_id: label
        for package_id, label in session.execute(
            select(PackageShipment.package_id, Package.label)
            .join(Package, Package.id == PackageShipment.package_id)
            .where(PackageShipment.delivery_id == delivery_id)
        )
    }
    decided = []
    for index, lot in enumerate(command.lots):
        at: FieldPath = ("lots", index)
        if lot.package_id not in labels:
            raise RuleViolation(
                f"{{field}}: lot {lot.package_id} is not on this delivery.",
                field=(*at, "package_id"),
            )
        state = (lot.state or "").strip().lower()
        if state not in (ACCEPTED, REJECTED):
            raise RuleViolation("{field} must be accepted or rejected.", field=(*at, "state"))
        decided.append(
            receipts.PackageReceipt(
                label=labels[lot.package_id],
                state=receipts.ACCEPTED if state == ACCEPTED else receipts.REJECTED,
                received_quantity=lot.received_quantity,
                received_unit=lot.received_unit,
                location=None if lot.location is None else lot.location.name,
                receiver_wholesale_price=lot.receiver_wholesale_price,
                rejection_reason=lot.rejection_reason,
            )
        )
    return receipts.DeliveryReceipt(received_at=command.received_at, packages=decided)


def act_on_transfer(
    session: Session, actor: Actor, facility: Facility, target: object, command: TransferAction
) -> Transfer:
    """Depart or void a transfer (its shipper), or receive its delivery (a recipient)."""
    transfer_id = int(getattr(target, "id"))  # noqa: B009 (a Transfer or its read model)
    transfer = session.get(Transfer, transfer_id)
    assert transfer is not None
    if command.action in (DEPART, VOID):
        if transfer.facility_id != facility.id:
            raise RuleViolation(
                f"{{field}}: only the shipper may {command.action} transfer "
                f"{transfer.manifest_number}.",
                field="action",
            )
        if command.action == DEPART:
            return transfers.depart_transfer(session, actor, facility, transfer)
        return transfers.void_transfer(session, actor, facility, transfer)
    if command.action == RECEIVE:
        delivery = receipts.delivery_to(session, facility, transfer.id)
        receipts.receive_delivery(
            session, actor, facility, delivery, _receipt(session, delivery.id, command)
        )
        return transfer
    raise RuleViolation("{field} is required: depart, void or receive.", field="action")
