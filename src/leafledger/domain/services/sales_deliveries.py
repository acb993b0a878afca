"""Sales deliveries: a sale carried to its recipient, and its steps until it is delivered.

Rules (each refusal names the command field at fault; nothing is kept of a refused request):

- The facility's licence must let it deliver to the customer type: consumers
  (`CanDeliverSalesToConsumers`; a non-resident one also `DeliverySalesToNonResidentConsumer`)
  or patients and caregivers (`CanDeliverSalesToPatients`). A consumer id and a recipient name
  are required where the licence says so (`SalesDeliveryRequireConsumerId`,
  `SalesDeliveryRequireRecipientName`), a patient licence number for a patient.
- The driver and the vehicle are records of the transporter facility (the seller itself
  unless another licence is named, services/transporters.py), found by the driver's licence
  number and the licence plate; an unknown or archived one is refused.
- Each line takes a quantity of one of the facility's packages that may leave it
  (services/package_gate.py: active, not on hold, tested...), stated in a unit of the
  package's own kind and converted exactly into the package's unit; a package never goes
  below zero. A delivery on its own takes its quantities when it is recorded; a change gives
  the old ones back and takes the new ones; voiding gives them back.
- A sale to a patient is checked against the patient's purchase allowance
  (services/patients.py `refuse_over_limit`) when it is recorded or changed, and what the
  patient accepted is recorded as their purchase when the delivery is completed
  (`record_purchases`, which checks it again).
- Life: InProgress -> InTransit (departed) -> Completed, or Voided before departure. Only an
  InProgress delivery that has not departed (nor been accepted by a hub) may be changed or
  voided. A hub (a facility whose licence is `IsSalesDeliveryHub`) named by `set_hub`
  carries the delivery: it accepts it, departs with it and verifies the recipient's
  identity, in that order, before the delivery can be completed. A delivery without a hub
  departs by `depart` (PUT .../deliveries/hub/depart) or is completed straight away.
- Completing names the packages the recipient accepted and those returned: a returned one
  states the quantity verified (at most what the line took), in a unit of the package's kind,
  and a reason from the return reasons (with a note where the reason asks for one); the
  returned quantity goes back to its package (or, for a retailer delivery's sale, to the
  stock on the road). A line not named is accepted.

Retailer deliveries live in services/retailer_deliveries.py; they share the recipients and
lines of this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import FieldPath, NotFound, RuleViolation
from leafledger.domain.models import (
    Driver,
    Facility,
    Item,
    Package,
    SalesDelivery,
    SalesDeliveryLine,
    Vehicle,
)
from leafledger.domain.models.base import utcnow
from leafledger.domain.models.sales_delivery import (
    ACCEPTED,
    COMPLETED,
    IN_PROGRESS,
    IN_TRANSIT,
    RETURNED,
    VOIDED,
)
from leafledger.domain.reference import (
    CUSTOMER_TYPES,
    PAYMENT_TYPES,
    SALES_DELIVERY_RETURN_REASONS,
    find_name,
    find_named,
)
from leafledger.domain.services import patients
from leafledger.domain.services.audit import audited, record, record_created, record_new, snapshot
from leafledger.domain.services.harvests import amount
from leafledger.domain.services.package_gate import require_may_leave
from leafledger.domain.services.package_stock import (
    category_of,
    check_changeable,
    check_drawable,
    check_holds,
    in_package_unit,
    move_quantity,
    package_labelled,
    unit_for,
)
from leafledger.domain.services.transfers import facility_licensed
from leafledger.domain.services.transporters import driver_licensed, vehicle_plated
from leafledger.domain.units import QuantityType, find_unit

PATIENT_TYPES = frozenset({"Patient", "Caregiver", "ExternalPatient"})
MONEY_FIELDS = (
    "price",
    "excise_tax",
    "city_tax",
    "county_tax",
    "municipal_tax",
    "discount_amount",
    "sub_total",
    "sales_tax",
)


# --- commands --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SaleLine:
    """One line of a sale: a quantity of a package and what it cost."""

    label: str | None = None
    quantity: Decimal | None = None
    unit_of_measure: str | None = None
    total_amount: Decimal | None = None
    unit_thc_percent: Decimal | None = None
    unit_thc_content: Decimal | None = None
    unit_thc_content_unit_of_measure: str | None = None
    unit_weight: Decimal | None = None
    unit_weight_unit_of_measure: str | None = None
    invoice_number: str | None = None
    price: Decimal | None = None
    excise_tax: Decimal | None = None
    city_tax: Decimal | None = None
    county_tax: Decimal | None = None
    municipal_tax: Decimal | None = None
    discount_amount: Decimal | None = None
    sub_total: Decimal | None = None
    sales_tax: Decimal | None = None
    qr_codes: Sequence[str] | None = None


@dataclass(frozen=True, kw_only=True)
class Recipient:
    """Who a sale goes to, where, when, and what it holds."""

    sales_at: datetime | None = None
    customer_type: str | None = None
    patient_license_number: str | None = None
    consumer_id: str | None = None
    phone_number: str | None = None
    recipient_name: str | None = None
    recipient_address_street1: str | None = None
    recipient_address_street2: str | None = None
    recipient_address_city: str | None = None
    recipient_address_county: str | None = None
    recipient_address_state: str | None = None
    recipient_address_postal_code: str | None = None
    recipient_zone_id: str | None = None
    planned_route: str | None = None
    estimated_departure: datetime | None = None
    estimated_arrival: datetime | None = None
    transactions: Sequence[SaleLine] = field(default_factory=tuple)


@dataclass(frozen=True, kw_only=True)
class Carrying:
    """A driver and a vehicle, as a body names them (the records' own details are kept)."""

    driver_employee_id: str | None = None
    driver_name: str | None = None
    drivers_license_number: str | None = None
    vehicle_make: str | None = None
    vehicle_model: str | None = None
    license_plate_number: str | None = None


@dataclass(frozen=True, kw_only=True)
class NewSalesDelivery(Recipient, Carrying):
    transporter_license_number: str | None = None


@dataclass(frozen=True, kw_only=True)
class SalesDeliveryChange(NewSalesDelivery):
    delivery: SalesDelivery


@dataclass(frozen=True, kw_only=True)
class HubAssignment(Carrying):
    """PUT .../deliveries/hub: the hub that carries a delivery, its driver and vehicle."""

    delivery: SalesDelivery
    hub: str | None = None  # the hub's licence number (or its id)
    phone_number: str | None = None
    planned_route: str | None = None
    estimated_departure: datetime | None = None
    estimated_arrival: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class DeliveryStep:
    """A step of one delivery (hub accept, depart); verifying an identity names the payment."""

    delivery: SalesDelivery
    payment_type: str | None = None


@dataclass(frozen=True, kw_only=True)
class ReturnedPackage:
    label: str | None = None
    quantity: Decimal | None = None
    unit_of_measure: str | None = None
    reason: str | None = None
    reason_note: str | None = None


@dataclass(frozen=True, kw_only=True)
class Completion:
    delivery: SalesDelivery
    actual_arrival: datetime | None = None
    payment_type: str | None = None
    accepted_packages: Sequence[str] | None = None
    returned_packages: Sequence[ReturnedPackage] | None = None


# --- shared helpers --------------------------------------------------------------------------


def local_moment(facility: Facility, value: datetime | None) -> datetime | None:
    """A time as Metrc sends sales times: a wall-clock time at the facility (no offset), or an
    instant; in UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(facility.timezone))
    return value.astimezone(ZoneInfo("UTC"))


def text(value: str | None) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def require_capability(facility: Facility, flag: str, doing: str, at: FieldPath | str) -> None:
    if not facility.can(flag):
        raise RuleViolation(
            f"The facility {facility.license_number} ({facility.license_type}) may not {doing}.",
            field=at,
        )


def _customer_type(facility: Facility, name: str | None, at: FieldPath) -> str:
    where = (*at, "customer_type")
    if not name or not name.strip():
        raise RuleViolation("{field} is required.", field=where)
    spelled = find_name(CUSTOMER_TYPES, name)
    if spelled is None:
        raise RuleViolation(
            f"{{field}} {name!r} is not a customer type ({', '.join(CUSTOMER_TYPES)}).",
            field=where,
        )
    if spelled in PATIENT_TYPES:
        require_capability(
            facility, "CanDeliverSalesToPatients", "deliver sales to patients", where
        )
    else:
        require_capability(
            facility, "CanDeliverSalesToConsumers", "deliver sales to consumers", where
        )
        if spelled == "NonResidentConsumer":
            require_capability(
                facility,
                "DeliverySalesToNonResidentConsumer",
                "deliver sales to non-resident consumers",
                where,
            )
    return spelled


def carriers(
    session: Session, transporter: Facility, command: Carrying, at: FieldPath
) -> tuple[Driver, Vehicle]:
    """The transporter's driver and vehicle a body names (by licence and plate)."""
    number, plate = text(command.drivers_license_number), text(command.license_plate_number)
    if number is None:
        raise RuleViolation("{field} is required.", field=(*at, "drivers_license_number"))
    if plate is None:
        raise RuleViolation("{field} is required.", field=(*at, "license_plate_number"))
    try:
        driver = driver_licensed(
            session, transporter, number, field=(*at, "drivers_license_number")
        )
    except NotFound as exc:
        raise RuleViolation(exc.message, field=(*at, "drivers_license_number")) from None
    try:
        vehicle = vehicle_plated(session, transporter, plate, field=(*at, "license_plate_number"))
    except NotFound as exc:
        raise RuleViolation(exc.message, field=(*at, "license_plate_number")) from None
    return driver, vehicle


def _recipient_values(
    facility: Facility, command: Recipient, at: FieldPath, default_sales_at: datetime | None = None
) -> dict[str, Any]:
    customer = _customer_type(facility, command.customer_type, at)
    sales_at = local_moment(facility, command.sales_at) or default_sales_at
    if sales_at is None:
        raise RuleViolation("{field} is required.", field=(*at, "sales_at"))
    patient = text(command.patient_license_number)
    if customer in PATIENT_TYPES and patient is None:
        raise RuleViolation(
            "{field} is required for a sale to a patient.", field=(*at, "patient_license_number")
        )
    consumer = text(command.consumer_id)
    if (
        customer not in PATIENT_TYPES
        and consumer is None
        and facility.can("SalesDeliveryRequireConsumerId")
    ):
        raise RuleViolation(
            "{field} is required by the facility's licence.", field=(*at, "consumer_id")
        )
    name = text(command.recipient_name)
    if name is None and facility.can("SalesDeliveryRequireRecipientName"):
        raise RuleViolation(
            "{field} is required by the facility's licence.", field=(*at, "recipient_name")
        )
    departure = local_moment(facility, command.estimated_departure)
    arrival = local_moment(facility, command.estimated_arrival)
    if departure is not None and arrival is not None and arrival < departure:
        raise RuleViolation(
            "{field} is before the estimated departure.", field=(*at, "estimated_arrival")
        )
    return {
        "sales_at": sales_at,
        "customer_type": customer,
        "patient_license_number": patient if customer in PATIENT_TYPES else None,
        "consumer_id": consumer,
        "phone_number": text(command.phone_number),
        "recipient_name": name,
        "recipient_address_street1": text(command.recipient_address_street1),
        "recipient_address_street2": text(command.recipient_address_street2),
        "recipient_address_city": text(command.recipient_address_city),
        "recipient_address_county": text(command.recipient_address_county),
        "recipient_address_state": text(command.recipient_address_state),
        "recipient_address_postal_code": text(command.recipient_address_postal_code),
        "recipient_zone_id": text(command.recipient_zone_id),
        "planned_route": text(command.planned_route),
        "estimated_departure_at": departure,
        "estimated_arrival_at": arrival,
    }


def _money(value: Decimal | None, at: FieldPath) -> str | None:
    return None if value is None else str(amount(value, at, allow_zero=True))


@dataclass
class CheckedLine:
    """A line of a sale, checked: its package, the quantity in its unit, what it records."""

    package: Package
    quantity: Decimal
    unit_name: str
    drawn: Decimal
    total_amount: Decimal
    details: dict[str, Any]
    command: SaleLine


def sold_package(session: Session, facility: Facility, label: object, at: FieldPath) -> Package:
    """The package a line (`at`) names by its label, if it may give (refusals name the label)."""
    where = (*at, "label")
    try:
        package = package_labelled(session, facility, label, where)
    except NotFound as exc:
        raise RuleViolation(exc.message, field=where) from None
    check_drawable(package, where)
    if package.is_testing_sample:
        raise RuleViolation(
            f"Package {package.label} is a lab sample; it is not sold.", field=where
        )
    return package


def check_line(
    session: Session, facility: Facility, line: SaleLine, at: FieldPath, *, gate: bool = True
) -> CheckedLine:
    """A sale line's package and quantity (`gate`: the package must be one that may leave)."""
    package = sold_package(session, facility, line.label, at)
    if gate:
        require_may_leave(package, (*at, "label"))
    unit = unit_for(package, line.unit_of_measure, (*at, "unit_of_measure"))
    quantity = amount(line.quantity, (*at, "quantity"))
    drawn = in_package_unit(package, quantity, unit, (*at, "quantity"))
    if line.total_amount is None:
        raise RuleViolation("{field} is required.", field=(*at, "total_amount"))
    total = amount(line.total_amount, (*at, "total_amount"), allow_zero=True)
    details: dict[str, Any] = {
        name: _money(getattr(line, name), (*at, name)) for name in MONEY_FIELDS
    }
    details["invoice_number"] = text(line.invoice_number)
    for name in ("unit_thc_percent", "unit_thc_content", "unit_weight"):
        value = getattr(line, name)
        details[name] = None if value is None else str(amount(value, (*at, name), allow_zero=True))
    details["unit_thc_content_unit_of_measure"] = text(line.unit_thc_content_unit_of_measure)
    details["unit_weight_unit_of_measure"] = text(line.unit_weight_unit_of_measure)
    details["qr_codes"] = list(line.qr_codes) if line.qr_codes else None
    return CheckedLine(package, quantity, unit.name, drawn, total, details, line)


def _purchase_line(
    session: Session, line: CheckedLine, drawn: Decimal
) -> patients.PurchaseLine | None:
    """What a sale line of `drawn` (in the package's unit) counts against a patient's
    allowance, if anything: its weight, or its count by the unit weight stated (the line's,
    else its item's)."""
    item = session.get(Item, line.package.item_id)
    category = None if item is None else category_of(item)
    counted = None if category is None else patients.category_of(category.product_category_type)
    if item is None or counted is None:
        return None
    own = find_unit(line.package.unit_of_measure_name)
    thc = line.command.unit_thc_percent
    if own is not None and own.quantity_type is QuantityType.WEIGHT:
        return patients.PurchaseLine(counted, drawn, own.name, thc)
    weight = line.command.unit_weight
    weight_unit = line.command.unit_weight_unit_of_measure
    if weight is None:
        stated = item.details.get("unit_weight")
        weight = None if stated is None else Decimal(str(stated))
        weight_unit = item.details.get("unit_weight_unit_of_measure")
    unit = find_unit(weight_unit) if isinstance(weight_unit, str) else None
    if weight is None or unit is None or unit.quantity_type is not QuantityType.WEIGHT:
        return None
    return patients.PurchaseLine(counted, drawn * weight, unit.name, thc)


def _lines_field(exc: RuleViolation) -> RuleViolation:
    """A patients' refusal of ("lines", i, x), spoken as this command's transactions."""
    path = exc.field
    if path and path[0] == "lines":
        renamed = {"thc_percent": "unit_thc_percent", "quantity": "quantity"}
        tail = tuple(renamed.get(str(part), part) for part in path[1:])
        return RuleViolation(exc.template, field=("transactions", *tail))
    return exc


def check_patient_limit(
    session: Session,
    facility: Facility,
    values: dict[str, Any],
    lines: Sequence[CheckedLine],
    at: FieldPath,
) -> None:
    """Refuse a sale to a patient over what the patient's allowance leaves."""
    licence = values.get("patient_license_number")
    if licence is None:
        return
    day = values["sales_at"].astimezone(ZoneInfo(facility.timezone)).date()
    try:
        allowance = patients.purchase_allowance(session, facility, licence, day)
    except NotFound as exc:
        raise RuleViolation(exc.message, field=(*at, "patient_license_number")) from None
    counted = [p for p in (_purchase_line(session, line, line.drawn) for line in lines) if p]
    if counted:
        try:
            patients.refuse_over_limit(allowance, counted)
        except RuleViolation as exc:
            raise _lines_field(exc) from None


def write_lines(
    session: Session,
    actor: Actor,
    facility: Facility,
    delivery: SalesDelivery,
    lines: Sequence[CheckedLine],
    *,
    take: bool,
) -> list[SalesDeliveryLine]:
    """The delivery's lines (`take`: their quantities leave their packages now)."""
    written = []
    for index, line in enumerate(lines):
        if take:
            check_holds(line.package, line.drawn, ("transactions", index, "quantity"))
            move_quantity(session, actor, line.package, -line.drawn, "sales_delivery")
        row = SalesDeliveryLine(
            facility_id=facility.id,
            delivery_id=delivery.id,
            package_id=line.package.id,
            quantity=line.quantity,
            unit_of_measure_name=line.unit_name,
            drawn=line.drawn,
            total_amount=line.total_amount,
            details=line.details,
        )
        session.add(row)
        record_created(session, actor, row, "create", facility.id)
        written.append(row)
    return written


def lines_of(session: Session, delivery: SalesDelivery) -> list[SalesDeliveryLine]:
    return list(
        session.scalars(
            select(SalesDeliveryLine)
            .where(SalesDeliveryLine.delivery_id == delivery.id)
            .order_by(SalesDeliveryLine.id)
        )
    )


def deleted(session: Session, actor: Actor, row: Any, facility_id: int) -> None:
    record(
        session, actor, entity=row, action="delete", facility_id=facility_id, before=snapshot(row)
    )
    session.delete(row)


def _locked_package(session: Session, package_id: int) -> Package:
    found = session.scalars(select(Package).where(Package.id == package_id).with_for_update()).one()
    return found


def give_back_lines(session: Session, actor: Actor, delivery: SalesDelivery, action: str) -> None:
    """Return what each line took to its package (a delivery on its own)."""
    for line in lines_of(session, delivery):
        package = _locked_package(session, line.package_id)
        check_changeable(package)
        move_quantity(session, actor, package, line.drawn, action)


def check_lines(
    session: Session, facility: Facility, command: Recipient, at: FieldPath = ()
) -> list[CheckedLine]:
    if not command.transactions:
        raise RuleViolation("{field} must list at least one package.", field=(*at, "transactions"))
    return [
        check_line(session, facility, line, (*at, "transactions", index))
        for index, line in enumerate(command.transactions)
    ]


# --- sales deliveries ------------------------------------------------------------------------


def _transporter(session: Session, facility: Facility, number: str | None) -> Facility:
    if text(number) is None:
        return facility
    return facility_licensed(session, number, ("transporter_license_number",))


def create_delivery(
    session: Session, actor: Actor, facility: Facility, command: NewSalesDelivery
) -> SalesDelivery:
    values = _recipient_values(facility, command, ())
    transporter = _transporter(session, facility, command.transporter_license_number)
    driver, vehicle = carriers(session, transporter, command, ())
    lines = check_lines(session, facility, command)
    check_patient_limit(session, facility, values, lines, ())
    delivery = SalesDelivery(
        facility_id=facility.id,
        state=IN_PROGRESS,
        transporter_facility_id=transporter.id,
        driver_id=driver.id,
        vehicle_id=vehicle.id,
        created_by_user_id=actor.user_id,
        **values,
    )
    record_new(session, actor, delivery, facility.id)
    write_lines(session, actor, facility, delivery, lines, take=True)
    return delivery


def changeable(delivery: SalesDelivery, field: str | None = None) -> SalesDelivery:
    """Refuse a change to a delivery that departed, was accepted by a hub, or is closed."""
    if delivery.state == VOIDED:
        raise RuleViolation(f"The sales delivery {delivery.id} is voided.", field=field)
    if delivery.state == COMPLETED:
        raise RuleViolation(f"The sales delivery {delivery.id} is completed.", field=field)
    if delivery.departed_at is not None or delivery.state != IN_PROGRESS:
        raise RuleViolation(
            f"The sales delivery {delivery.id} departed; it can no longer be changed.",
            field=field,
        )
    if delivery.hub_accepted_at is not None:
        raise RuleViolation(
            f"The sales delivery {delivery.id} was accepted by its hub; it can no longer be "
            "changed.",
            field=field,
        )
    return delivery


def _on_its_own(delivery: SalesDelivery) -> None:
    if delivery.retailer_delivery_id is not None:
        raise RuleViolation(
            f"The sales delivery {delivery.id} is part of the retailer delivery "
            f"{delivery.retailer_delivery_id}; change it through that delivery.",
            field="delivery",
        )


def update_delivery(
    session: Session, actor: Actor, facility: Facility, command: SalesDeliveryChange
) -> SalesDelivery:
    delivery = changeable(command.delivery, "delivery")
    _on_its_own(delivery)
    values = _recipient_values(facility, command, ())
    transporter = _transporter(session, facility, command.transporter_license_number)
    driver, vehicle = carriers(session, transporter, command, ())
    give_back_lines(session, actor, delivery, "sales_delivery_change")
    for line in lines_of(session, delivery):
        deleted(session, actor, line, facility.id)
    session.flush()
    lines = check_lines(session, facility, command)
    check_patient_limit(session, facility, values, lines, ())
    done = audited(session, actor, delivery, "update", facility.id)
    for name, value in values.items():
        setattr(delivery, name, value)
    delivery.transporter_facility_id = transporter.id
    delivery.driver_id, delivery.vehicle_id = driver.id, vehicle.id
    done()
    write_lines(session, actor, facility, delivery, lines, take=True)
    return delivery


def void_delivery(
    session: Session, actor: Actor, facility: Facility, delivery: SalesDelivery
) -> int:
    changeable(delivery)
    _on_its_own(delivery)
    give_back_lines(session, actor, delivery, "sales_delivery_void")
    done = audited(session, actor, delivery, "void", facility.id)
    delivery.state, delivery.voided_at = VOIDED, utcnow()
    done()
    return delivery.id


# --- hubs ------------------------------------------------------------------------------------


def _hub_facility(session: Session, value: str | None) -> Facility:
    where = ("hub",)
    number = text(value)
    if number is None:
        raise RuleViolation("{field} is required.", field=where)
    found: Facility | None = None
    if number.isdigit() and len(number) < 10:
        found = session.get(Facility, int(number))
    if found is None:
        found = facility_licensed(session, number, where)
    if not found.can("IsSalesDeliveryHub"):
        raise RuleViolation(
            f"{{field}}: the facility {found.license_number} is not a sales delivery hub.",
            field=where,
        )
    return found


def set_hub(session: Session, actor: Actor, facility: Facility, command: HubAssignment) -> int:
    delivery = changeable(command.delivery, "delivery")
    _on_its_own(delivery)
    hub = _hub_facility(session, command.hub)
    driver, vehicle = carriers(session, hub, command, ())
    departure = local_moment(facility, command.estimated_departure)
    arrival = local_moment(facility, command.estimated_arrival)
    if departure is not None and arrival is not None and arrival < departure:
        raise RuleViolation("{field} is before the estimated departure.", field="estimated_arrival")
    done = audited(session, actor, delivery, "set_hub", facility.id)
    delivery.is_hub = True
    delivery.transporter_facility_id = hub.id
    delivery.driver_id, delivery.vehicle_id = driver.id, vehicle.id
    delivery.phone_number = text(command.phone_number) or delivery.phone_number
    delivery.planned_route = text(command.planned_route) or delivery.planned_route
    delivery.estimated_departure_at = departure or delivery.estimated_departure_at
    delivery.estimated_arrival_at = arrival or delivery.estimated_arrival_at
    done()
    return delivery.id


def _open(delivery: SalesDelivery) -> None:
    if delivery.state in (VOIDED, COMPLETED):
        raise RuleViolation(
            f"The sales delivery {delivery.id} is {delivery.state.lower()}.", field="delivery"
        )


def hub_accept(session: Session, actor: Actor, facility: Facility, command: DeliveryStep) -> int:
    delivery = command.delivery
    _open(delivery)
    _on_its_own(delivery)
    if not delivery.is_hub:
        raise RuleViolation(
            f"The sales delivery {delivery.id} has no hub; name one first (PUT .../hub).",
            field="delivery",
        )
    if delivery.hub_accepted_at is not None:
        raise RuleViolation(
            f"The sales delivery {delivery.id} was already accepted by its hub.", field="delivery"
        )
    done = audited(session, actor, delivery, "hub_accept", facility.id)
    delivery.hub_accepted_at = utcnow()
    done()
    return delivery.id


def depart(session: Session, actor: Actor, facility: Facility, command: DeliveryStep) -> int:
    """The delivery leaves: by its hub once the hub accepted it, or by the seller's driver."""
    delivery = command.delivery
    _open(delivery)
    _on_its_own(delivery)
    if delivery.departed_at is not None:
        raise RuleViolation(f"The sales delivery {delivery.id} already departed.", field="delivery")
    if delivery.is_hub and delivery.hub_accepted_at is None:
        raise RuleViolation(
            f"The sales delivery {delivery.id} must be accepted by its hub before it departs.",
            field="delivery",
        )
    done = audited(session, actor, delivery, "depart", facility.id)
    delivery.state, delivery.departed_at = IN_TRANSIT, utcnow()
    done()
    return delivery.id


def _payment_type(value: str | None, at: str, *, required: bool) -> str | None:
    name = text(value)
    if name is None:
        if required:
            raise RuleViolation("{field} is required.", field=at)
        return None
    found = find_named(PAYMENT_TYPES, name)
    if found is None:
        known = ", ".join(p.name for p in PAYMENT_TYPES)
        raise RuleViolation(f"{{field}} {name!r} is not a payment type ({known}).", field=at)
    return found.name


def verify_id(session: Session, actor: Actor, facility: Facility, command: DeliveryStep) -> int:
    delivery = command.delivery
    _open(delivery)
    _on_its_own(delivery)
    if not delivery.is_hub:
        raise RuleViolation(f"The sales delivery {delivery.id} has no hub.", field="delivery")
    if delivery.departed_at is None:
        raise RuleViolation(
            f"The sales delivery {delivery.id} must depart before the recipient's identity is "
            "verified.",
            field="delivery",
        )
    if delivery.id_verified_at is not None:
        raise RuleViolation(
            f"The recipient's identity of the sales delivery {delivery.id} was already verified.",
            field="delivery",
        )
    payment = _payment_type(command.payment_type, "payment_type", required=False)
    done = audited(session, actor, delivery, "verify_id", facility.id)
    delivery.id_verified_at = utcnow()
    delivery.payment_type = payment or delivery.payment_type
    done()
    return delivery.id


# --- completing ------------------------------------------------------------------------------


def _reason(value: str | None, at: FieldPath, note: str | None) -> tuple[str, str | None]:
    name = text(value)
    if name is None:
        raise RuleViolation("{field} is required for a returned package.", field=(*at, "reason"))
    found = find_named(SALES_DELIVERY_RETURN_REASONS, name)
    if found is None:
        known = ", ".join(r.name for r in SALES_DELIVERY_RETURN_REASONS)
        raise RuleViolation(
            f"{{field}} {name!r} is not a return reason ({known}).", field=(*at, "reason")
        )
    kept = text(note)
    if found.requires_note and kept is None:
        raise RuleViolation(
            f"{{field}} is required with the reason {found.name}.", field=(*at, "reason_note")
        )
    return found.name, kept


@dataclass
class _Named:
    line: SalesDeliveryLine
    package: Package


def _labelled_lines(session: Session, delivery: SalesDelivery) -> list[_Named]:
    rows = session.execute(
        select(SalesDeliveryLine, Package)
        .join(Package, Package.id == SalesDeliveryLine.package_id)
        .where(SalesDeliveryLine.delivery_id == delivery.id)
        .order_by(SalesDeliveryLine.id)
        .with_for_update(of=Package)
    ).all()
    return [_Named(line, package) for line, package in rows]


def _find_line(named: list[_Named], label: object, taken: set[int], at: FieldPath) -> _Named:
    if not isinstance(label, str) or not label.strip():
        raise RuleViolation("{field} is required.", field=at)
    for entry in named:
        if entry.package.label == label.strip() and entry.line.id not in taken:
            taken.add(entry.line.id)
            return entry
    if any(entry.package.label == label.strip() for entry in named):
        raise RuleViolation(f"{{field}}: package {label.strip()} is named twice.", field=at)
    raise RuleViolation(f"{{field}}: package {label.strip()} is not on this delivery.", field=at)


def complete(session: Session, actor: Actor, facility: Facility, command: Completion) -> int:
    delivery = command.delivery
    _open(delivery)
    if delivery.retailer_delivery_id is not None and delivery.departed_at is None:
        raise RuleViolation(
            f"The sales delivery {delivery.id} has not left with its retailer delivery yet.",
            field="delivery",
        )
    if delivery.is_hub and delivery.id_verified_at is None:
        raise RuleViolation(
            f"The recipient's identity of the sales delivery {delivery.id} must be verified by "
            "its hub before it is completed.",
            field="delivery",
        )
    arrival = local_moment(facility, command.actual_arrival) or utcnow()
    payment = _payment_type(command.payment_type, "payment_type", required=False)
    named = _labelled_lines(session, delivery)
    taken: set[int] = set()
    for index, label in enumerate(command.accepted_packages or ()):
        entry = _find_line(named, label, taken, ("accepted_packages", index))
        changed_line(session, actor, entry.line, state=ACCEPTED)
    returns: list[tuple[_Named, Decimal]] = []
    for index, returned in enumerate(command.returned_packages or ()):
        at: FieldPath = ("returned_packages", index)
        entry = _find_line(named, returned.label, taken, (*at, "label"))
        unit = unit_for(entry.package, returned.unit_of_measure, (*at, "unit_of_measure"))
        quantity = amount(returned.quantity, (*at, "quantity"))
        back = in_package_unit(entry.package, quantity, unit, (*at, "quantity"))
        if back > entry.line.drawn:
            raise RuleViolation(
                f"{{field}} {quantity} {unit.name} is more than the line took "
                f"({entry.line.quantity} {entry.line.unit_of_measure_name}).",
                field=(*at, "quantity"),
            )
        reason, note = _reason(returned.reason, at, returned.reason_note)
        changed_line(
            session, actor, entry.line, state=RETURNED, returned_quantity=quantity,
            returned_unit_of_measure_name=unit.name, returned=back, return_reason=reason,
            return_reason_note=note,
        )  # fmt: skip
        returns.append((entry, back))
    for entry in named:
        if entry.line.id not in taken:
            changed_line(session, actor, entry.line, state=ACCEPTED)
    for entry, back in returns:
        give_back(session, actor, delivery, entry.line, entry.package, back)
    _record_purchases(session, actor, facility, delivery, named)
    done = audited(session, actor, delivery, "complete", facility.id)
    delivery.state, delivery.completed_at, delivery.arrived_at = COMPLETED, utcnow(), arrival
    delivery.payment_type = payment or delivery.payment_type
    done()
    return delivery.id


def changed_line(session: Session, actor: Actor, line: SalesDeliveryLine, **values: Any) -> None:
    done = audited(session, actor, line, "complete", line.facility_id)
    for name, value in values.items():
        setattr(line, name, value)
    done()


def give_back(
    session: Session,
    actor: Actor,
    delivery: SalesDelivery,
    line: SalesDeliveryLine,
    package: Package,
    back: Decimal,
) -> None:
    """Returned quantity goes back where the line took it from: its package, or the stock on
    the road of a retailer delivery that is still out (once it ended, its package)."""
    if delivery.retailer_delivery_id is not None:
        from leafledger.domain.services import retailer_deliveries

        if retailer_deliveries.return_to_road(session, actor, delivery, line, back):
            return
    check_changeable(package, ("returned_packages",))
    move_quantity(session, actor, package, back, "sales_delivery_return")


def _record_purchases(
    session: Session,
    actor: Actor,
    facility: Facility,
    delivery: SalesDelivery,
    named: list[_Named],
) -> None:
    if delivery.patient_license_number is None:
        return
    counted = []
    for entry in named:
        kept = entry.line.drawn - (entry.line.returned or Decimal(0))
        if kept <= 0:
            continue
        checked = CheckedLine(
            entry.package, entry.line.quantity, entry.line.unit_of_measure_name, kept,
            entry.line.total_amount, entry.line.details, _line_command(entry.line),
        )  # fmt: skip
        purchase = _purchase_line(session, checked, kept)
        if purchase is not None:
            counted.append(purchase)
    if not counted:
        return
    day = delivery.sales_at.astimezone(ZoneInfo(facility.timezone)).date()
    sale = patients.PatientSale(delivery.patient_license_number, tuple(counted), day)
    try:
        patients.record_purchases(session, actor, facility, sale)
    except NotFound as exc:
        raise RuleViolation(exc.message, field="delivery") from None
    except RuleViolation as exc:
        raise RuleViolation(exc.message, field="delivery") from None


def _line_command(line: SalesDeliveryLine) -> SaleLine:
    details = line.details or {}

    def number(name: str) -> Decimal | None:
        value = details.get(name)
        return None if value is None else Decimal(str(value))

    return SaleLine(
        unit_thc_percent=number("unit_thc_percent"),
        unit_weight=number("unit_weight"),
        unit_weight_unit_of_measure=details.get("unit_weight_unit_of_measure"),  # type: ignore[arg-type]
    )
