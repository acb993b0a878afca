"""External incoming transfers: product that arrives from a shipper outside the ledger
(POST, PUT and DELETE /transfers/v2/external/incoming).

The facility that records one is its receiver, and only a facility whose type may receive
from outside the ledger does (CanTransferFromExternalFacilities). The plan names the shipper
(licence number and name required, its address as given), destinations and packages:

- each destination is the recording facility itself (its own licence number), by a transfer
  type for external incoming shipments, with the estimates, weights and transporters a plan
  of transfers.py states (transporters are optional here: a shipper outside the ledger may
  send its own; any named must be the ledger's, as there);
- each package is made at once, the receiver's: of one of its items, with a quantity in a
  unit of the item's quantity type, under one of its package tags (the tag named, or else
  its oldest available one), claimed once like any tag. Its genealogy starts there (a source
  whose origin is "ExternalIncoming"). It stays in transit, at no location and changed by no
  package service, until it is received (transfer_receipts.py). An external id is recorded
  where the transfer type allows it (and required where it requires it), unique among the
  facility's packages; a finished good needs CanTrackFinishedGoods;
- while no delivery of it is received, the transfer may be changed: the shipper's fields are
  replaced, a destination naming one of its deliveries keeps it, others are new, and the
  deliveries no destination names are removed. The packages of a kept delivery are matched
  to the objects sent: one naming the label of a package of that delivery is that package;
  the others are matched, in order, to the delivery's packages not named so; a matched
  package takes the object's values (its tag stays), an object left over makes a new
  package, and a package left over is removed from the plan. A package removed from a plan,
  or from a voided transfer, is discontinued: its tag was used, and is not used again;
- it may be voided while no delivery of it is received.

Every change is audited; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import FieldPath, NotFound, RuleViolation
from leafledger.domain.models import (
    Facility,
    Item,
    Package,
    PackageShipment,
    PackageSource,
    Transfer,
    TransferDelivery,
)
from leafledger.domain.models.base import utcnow
from leafledger.domain.models.transfer import EXTERNAL
from leafledger.domain.reference import TransferType
from leafledger.domain.services.audit import changed, record_new
from leafledger.domain.services.harvests import amount, created, stored
from leafledger.domain.services.lookups import facility_today, item_named, not_future
from leafledger.domain.services.package_stock import (
    check_shelf_life,
    package_type_of,
    require_capability,
)
from leafledger.domain.services.packages import PackageDetails, new_package
from leafledger.domain.services.tags import available_tags
from leafledger.domain.services.transfers import (
    CheckedDestination,
    DestinationFields,
    check_destination,
    check_legs,
    deleted,
    deliveries_of,
    destinations_of,
    gross_weight,
    kept_deliveries,
    new_transfer,
    packages_of,
    price,
    remove_legs,
    shipment,
    shipments_of,
    touch,
    write_delivery,
)
from leafledger.domain.units import UnitOfMeasure, find_unit

EXTERNAL_ORIGIN = "ExternalIncoming"  # PackageSource.origin of a package from outside


@dataclass(frozen=True, kw_only=True)
class ExternalPackage:
    """A package arriving from outside: what it is, and the receiver's tag for it."""

    label: str | None = None
    item: str | None = None
    quantity: Decimal | None = None
    unit_of_measure: str | None = None
    packaged_date: date | None = None
    expiration_date: date | None = None
    sell_by_date: date | None = None
    use_by_date: date | None = None
    gross_weight: Decimal | None = None
    gross_unit_of_weight: str | None = None
    wholesale_price: Decimal | None = None
    external_id: str | None = None
    is_finished_good: bool = False


@dataclass(frozen=True, kw_only=True)
class ExternalDestination(DestinationFields):
    packages: Sequence[ExternalPackage] = ()


@dataclass(frozen=True, kw_only=True)
class NewExternalTransfer:
    shipper_license_number: str | None = None
    shipper_name: str | None = None
    shipper_main_phone_number: str | None = None
    shipper_address1: str | None = None
    shipper_address2: str | None = None
    shipper_address_city: str | None = None
    shipper_address_state: str | None = None
    shipper_address_postal_code: str | None = None
    destinations: Sequence[ExternalDestination] = ()


@dataclass(frozen=True, kw_only=True)
class ExternalTransferChange(NewExternalTransfer):
    transfer: Transfer


SHIPPER_FIELDS = (
    "shipper_license_number",
    "shipper_name",
    "shipper_main_phone_number",
    "shipper_address1",
    "shipper_address2",
    "shipper_address_city",
    "shipper_address_state",
    "shipper_address_postal_code",
)


def _shipper(command: NewExternalTransfer) -> dict[str, str | None]:
    values = {name: (getattr(command, name) or "").strip() or None for name in SHIPPER_FIELDS}
    for required in ("shipper_license_number", "shipper_name"):
        if values[required] is None:
            raise RuleViolation("{field} is required.", field=required)
    return values


# --- checking the packages -------------------------------------------------------------------


@dataclass
class _Line:
    """A package of the plan as checked."""

    command: ExternalPackage
    item: Item
    quantity: Decimal
    unit: UnitOfMeasure
    packaged: date
    gross: tuple[Decimal, str] | None
    wholesale_price: Decimal | None
    external_id: str | None


def _unit(item: Item, name: str | None, at: FieldPath) -> UnitOfMeasure:
    unit = find_unit(name) if name else None
    if unit is None:
        raise RuleViolation(f"Unknown unit of measure {name!r}.", field=(*at, "unit_of_measure"))
    if unit.quantity_type.value != item.quantity_type or not unit.active:
        raise RuleViolation(
            f"The item {item.name!r} is {item.quantity_type}; {unit.name} cannot measure it.",
            field=(*at, "unit_of_measure"),
        )
    return unit


def _external_id(kind: TransferType, value: str | None, at: FieldPath) -> str | None:
    text = (value or "").strip() or None
    if text is None and kind.external_incoming_external_identifier_required:
        raise RuleViolation(
            f"{{field}} is required by the transfer type {kind.name!r}.", field=(*at, "external_id")
        )
    if text is not None and not kind.external_incoming_can_record_external_identifier:
        raise RuleViolation(
            f"{{field}}: the transfer type {kind.name!r} records no external id.",
            field=(*at, "external_id"),
        )
    return text


def _line(
    session: Session, facility: Facility, kind: TransferType, line: ExternalPackage, at: FieldPath
) -> _Line:
    try:
        item = item_named(session, facility, line.item)
    except (NotFound, RuleViolation) as exc:
        raise RuleViolation(exc.message, field=(*at, "item")) from None
    unit = _unit(item, line.unit_of_measure, at)
    quantity = stored(amount(line.quantity, (*at, "quantity")))
    if quantity <= 0:
        raise RuleViolation("{field} is too small to record.", field=(*at, "quantity"))
    try:
        packaged = not_future(facility, line.packaged_date)
    except RuleViolation as exc:
        raise RuleViolation(exc.message, field=(*at, "packaged_date")) from None
    try:
        check_shelf_life(
            packaged,
            expiration_date=line.expiration_date,
            sell_by_date=line.sell_by_date,
            use_by_date=line.use_by_date,
        )
    except RuleViolation as exc:
        raise exc.refiled(
            {name: (*at, name) for name in ("expiration_date", "sell_by_date", "use_by_date")}
        ) from None
    if line.is_finished_good:
        require_capability(facility, "CanTrackFinishedGoods", "track finished goods")
    return _Line(
        line,
        item,
        quantity,
        unit,
        packaged,
        gross_weight(
            line.gross_weight,
            line.gross_unit_of_weight,
            at,
            required=kind.requires_packages_gross_weight,
        ),
        price(line.wholesale_price, (*at, "wholesale_price")),
        _external_id(kind, line.external_id, at),
    )


def _check(
    session: Session, facility: Facility, destinations: Sequence[ExternalDestination]
) -> list[CheckedDestination]:
    destinations_of(destinations)
    seen: set[int] = set()
    checked = []
    external_ids: dict[str, FieldPath] = {}
    for index, command in enumerate(destinations):
        at: FieldPath = ("destinations", index)
        recipient, kind, gross = check_destination(session, None, command, at, seen)
        if recipient.id != facility.id:
            raise RuleViolation(
                "{field}: an external incoming transfer is received by the facility that "
                "records it.",
                field=(*at, "recipient_license_number"),
            )
        if not kind.for_external_incoming_shipments:
            raise RuleViolation(
                f"{{field}} {kind.name!r} is not for external incoming shipments.",
                field=(*at, "transfer_type"),
            )
        legs = check_legs(session, command.transporters, (None, facility.id), at, required=False)
        packages_of(command.packages, at)
        lines = []
        for number, package in enumerate(command.packages):
            line_at: FieldPath = (*at, "packages", number)
            line = _line(session, facility, kind, package, line_at)
            if line.external_id is not None:
                if line.external_id in external_ids:
                    raise RuleViolation(
                        f"{{field}} {line.external_id!r} is given twice.",
                        field=(*line_at, "external_id"),
                    )
                external_ids[line.external_id] = line_at
            lines.append(line)
        checked.append(CheckedDestination(command, recipient, kind, gross, legs, lines))
    return checked


def _refuse_taken_external_ids(
    session: Session, facility: Facility, checked: list[CheckedDestination], keep: set[int]
) -> None:
    """An external id names one package of the facility (`keep`: packages being changed)."""
    wanted = {
        line.external_id: (index, number)
        for index, destination in enumerate(checked)
        for number, line in enumerate(destination.lines)
        if line.external_id is not None
    }
    if not wanted:
        return
    taken = session.execute(
        select(Package.id, Package.external_id).where(
            Package.facility_id == facility.id,
            Package.external_id.in_(sorted(wanted)),
            Package.archived_date.is_(None),
        )
    )
    for package_id, external_id in taken:
        if package_id not in keep:
            index, number = wanted[external_id]
            raise RuleViolation(
                f"{{field}}: a package of this facility already carries {external_id!r}.",
                field=("destinations", index, "packages", number, "external_id"),
            )


# --- writing ---------------------------------------------------------------------------------


@dataclass
class _Tags:
    """The tags the plan's new packages take: each line's own, or else the facility's oldest
    available ones, none of which any line names."""

    named: set[str] = field(default_factory=set)

    def take(self, session: Session, facility: Facility, line: _Line) -> str:
        if line.command.label:
            return line.command.label
        query = available_tags(facility, "Package")
        for tag in session.scalars(query.limit(len(self.named) + 1)):
            if tag.label not in self.named:
                self.named.add(tag.label)
                return tag.label
        raise RuleViolation(
            "The facility has no available package tag left for the package.", field="destinations"
        )


def _new_line_package(
    session: Session,
    actor: Actor,
    facility: Facility,
    transfer: Transfer,
    delivery: TransferDelivery,
    line: _Line,
    tags: _Tags,
) -> None:
    details = PackageDetails(
        tag=tags.take(session, facility, line),
        item=line.item.name,
        is_finished_good=line.command.is_finished_good,
        actual_date=line.packaged,
        expiration_date=line.command.expiration_date,
        sell_by_date=line.command.sell_by_date,
        use_by_date=line.command.use_by_date,
    )
    package = new_package(
        session,
        actor,
        facility,
        details,
        line.item,
        quantity=line.quantity,
        unit=line.unit.name,
        default_location=None,
        packaged=line.packaged,
        in_transit=True,
        external_id=line.external_id,
    )
    origin = PackageSource(
        facility_id=facility.id,
        package_id=package.id,
        quantity=line.quantity,
        unit_of_measure_name=line.unit.name,
        origin=EXTERNAL_ORIGIN,
    )
    created(session, actor, origin)
    recipient = facility
    row = shipment(
        transfer,
        delivery,
        recipient,
        package,
        gross=line.gross,
        wholesale_price=line.wholesale_price,
    )
    record_new(session, actor, row, facility.id)


def _change_line_package(
    session: Session,
    actor: Actor,
    facility: Facility,
    kept: tuple[PackageShipment, Package],
    line: _Line,
) -> None:
    row, package = kept
    changed(
        session,
        actor,
        package,
        "change_plan",
        facility.id,
        item_id=line.item.id,
        package_type=package_type_of(line.item),
        quantity=line.quantity,
        original_quantity=line.quantity,
        unit_of_measure_name=line.unit.name,
        packaged_date=line.packaged,
        lab_testing_state_date=line.packaged,
        expiration_date=line.command.expiration_date,
        sell_by_date=line.command.sell_by_date,
        use_by_date=line.command.use_by_date,
        external_id=line.external_id,
        is_finished_good=line.command.is_finished_good,
    )
    weight, unit = line.gross or (None, None)
    changed(
        session,
        actor,
        row,
        "change_plan",
        facility.id,
        shipped_quantity=line.quantity,
        shipped_unit=line.unit.name,
        gross_weight=weight,
        gross_unit=unit,
        shipper_wholesale_price=line.wholesale_price,
    )


def _drop_package(
    session: Session,
    actor: Actor,
    facility: Facility,
    package: Package,
    row: PackageShipment | None,
) -> None:
    """A package leaves the plan (or the transfer is voided): discontinued, its tag spent."""
    if row is not None:
        deleted(session, actor, row, facility.id)
    changed(
        session,
        actor,
        package,
        "discontinue",
        facility.id,
        in_transit=False,
        archived_date=facility_today(facility),
    )


def _write_lines(
    session: Session,
    actor: Actor,
    facility: Facility,
    transfer: Transfer,
    delivery: TransferDelivery,
    lines: list[_Line],
    current: list[tuple[PackageShipment, Package]],
    tags: _Tags,
) -> None:
    by_label = {package.label: (row, package) for row, package in current}
    named = {line.command.label for line in lines if line.command.label in by_label}
    unnamed = [pair for pair in current if pair[1].label not in named]
    for line in lines:
        label = line.command.label
        if label in by_label:
            _change_line_package(session, actor, facility, by_label[label], line)
        elif label is None and unnamed:
            _change_line_package(session, actor, facility, unnamed.pop(0), line)
        else:
            _new_line_package(session, actor, facility, transfer, delivery, line, tags)
    for row, package in unnamed:
        _drop_package(session, actor, facility, package, row)


def create_external_transfer(
    session: Session, actor: Actor, facility: Facility, command: NewExternalTransfer
) -> Transfer:
    """Record a transfer from outside the ledger, its packages made in transit to here."""
    require_capability(
        facility, "CanTransferFromExternalFacilities", "receive transfers from outside the ledger"
    )
    shipper = _shipper(command)
    checked = _check(session, facility, command.destinations)
    _refuse_taken_external_ids(session, facility, checked, set())
    transfer = new_transfer(session, actor, facility, kind=EXTERNAL, **shipper)
    tags = _Tags({line.command.label for d in checked for line in d.lines if line.command.label})
    for number, destination in enumerate(checked, start=1):
        delivery = write_delivery(session, actor, transfer, destination, number)
        _write_lines(session, actor, facility, transfer, delivery, destination.lines, [], tags)
    return transfer


def _open_external(session: Session, transfer: Transfer) -> list[TransferDelivery]:
    """The deliveries of an external transfer that may still change: none received."""
    if transfer.kind != EXTERNAL:
        raise NotFound(f"No external incoming transfer {transfer.id} was found.")
    session.refresh(transfer, with_for_update=True)
    if transfer.voided_at is not None:
        raise RuleViolation(f"Transfer {transfer.manifest_number} is voided.")
    deliveries = deliveries_of(session, transfer)
    if any(delivery.received_at is not None for delivery in deliveries):
        raise RuleViolation(
            f"Transfer {transfer.manifest_number} is received; it can no longer change."
        )
    return deliveries


def update_external_transfer(
    session: Session, actor: Actor, facility: Facility, command: ExternalTransferChange
) -> Transfer:
    """Replace an external transfer's plan while none of it is received (see the module)."""
    transfer = command.transfer
    _open_external(session, transfer)
    shipper = _shipper(command)
    checked = _check(session, facility, command.destinations)
    kept, dropped = kept_deliveries(session, transfer, command.destinations)
    current = {
        delivery.id: shipments_of(session, [delivery.id])
        for delivery in [*dropped, *(d for d in kept if d is not None)]
    }
    # The plan's own packages are changed or discontinued here: their ids are free to reuse.
    own = {package.id for lines in current.values() for _, package in lines}
    _refuse_taken_external_ids(session, facility, checked, own)
    for delivery in dropped:
        for row, package in current[delivery.id]:
            _drop_package(session, actor, facility, package, row)
        remove_legs(session, actor, delivery)
        session.flush()
        deleted(session, actor, delivery, facility.id)
    for keeping in kept:
        if keeping is not None:
            remove_legs(session, actor, keeping)
    changed(session, actor, transfer, "change", facility.id, **shipper)
    tags = _Tags({line.command.label for d in checked for line in d.lines if line.command.label})
    for number, (destination, keeping) in enumerate(zip(checked, kept, strict=True), start=1):
        made = write_delivery(session, actor, transfer, destination, number, keeping)
        lines = current.get(made.id, [])
        _write_lines(session, actor, facility, transfer, made, destination.lines, lines, tags)
    return transfer


def void_external_transfer(
    session: Session, actor: Actor, facility: Facility, transfer: Transfer
) -> Transfer:
    """Void an external transfer none of which is received: its packages are discontinued."""
    deliveries = _open_external(session, transfer)
    for _, package in shipments_of(session, [delivery.id for delivery in deliveries]):
        _drop_package(session, actor, facility, package, None)
    changed(session, actor, transfer, "void", facility.id, voided_at=utcnow())
    touch(*deliveries)
    return transfer
