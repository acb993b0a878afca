"""Receiving a delivery: each package accepted, with the quantity counted, or rejected.

Metrc receives transfers in its web UI only; leafledger serves the same through its own
extension (dialects/leafledger/). The recipient of a delivery receives it once, deciding
every package of it in one receipt:

- the delivery must be on its way: its transfer departed (a licensed transfer) or registered
  (an external incoming one), not voided, and past every hub it lays over at (each hub leg
  departed: transfer_hub.py); it is received once;
- an accepted package states the quantity that arrived, in a unit of the package's quantity
  type. It is converted exactly into the shipped unit; more than was shipped is refused (a
  transfer creates nothing), and what is missing is recorded as the shortage, so that shipped
  = received + shortage, exactly. The package becomes the recipient's with the same label,
  holding what arrived, at the location the receipt names (one that may hold packages), or at
  none; it keeps its sources, so its genealogy runs on through the transfer, whose shipment
  records where it came from;
- a rejected package states why, and nothing else. It goes back: a licensed transfer's to the
  shipper at once (among its active packages again, at no location; the delivery reads
  "rejected packages returned"), an external one's out of the ledger (the package the plan
  made is discontinued).

The shipments record the outcome (Accepted or Rejected: leafledger records no return trip,
so the Returned state of the reference list is not used). Every change is audited, the
shipment's in its owner's chain, the package's in the chain of the facility that holds it
afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import FieldPath, NotFound, RuleViolation, Unauthenticated
from leafledger.domain.models import (
    Facility,
    Location,
    Package,
    PackageShipment,
    Sublocation,
    Transfer,
    TransferDelivery,
    TransferTransporter,
)
from leafledger.domain.models.base import fits, utcnow
from leafledger.domain.models.transfer import LICENSED, TEMPLATE
from leafledger.domain.reference import find_name
from leafledger.domain.services.audit import audited, changed
from leafledger.domain.services.harvests import amount, in_unit
from leafledger.domain.services.lookups import facility_today, location_named, sublocation_named
from leafledger.domain.services.package_stock import unit_for
from leafledger.domain.services.transfers import price, shipments_of, touch

ACCEPTED, REJECTED = "Accepted", "Rejected"
HUB_DEPARTED = "Departed"


@dataclass(frozen=True, kw_only=True)
class PackageReceipt:
    """What the recipient found of one package: accepted, with the quantity that arrived (and
    where it is put), or rejected, with the reason."""

    label: str | None = None
    state: str | None = None
    received_quantity: Decimal | None = None
    received_unit: str | None = None
    location: str | None = None
    sublocation: str | None = None
    receiver_wholesale_price: Decimal | None = None
    rejection_reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class DeliveryReceipt:
    """Every package of a delivery, decided; when it arrived (now, when not given)."""

    received_at: datetime | None = None
    packages: Sequence[PackageReceipt] = ()


def delivery_to(session: Session, facility: Facility, transfer_id: int) -> TransferDelivery:
    """The delivery of transfer `transfer_id` to `facility`, locked: a transfer with none is
    not this facility's to receive."""
    transfer = session.get(Transfer, transfer_id) if fits(Transfer.id, transfer_id) else None
    if transfer is None or transfer.kind == TEMPLATE:
        raise NotFound(f"No transfer {transfer_id} was found.")
    found = session.scalars(
        select(TransferDelivery)
        .where(
            TransferDelivery.transfer_id == transfer.id,
            TransferDelivery.recipient_facility_id == facility.id,
        )
        .with_for_update()
    ).first()
    if found is None:
        raise Unauthenticated(
            f"Transfer {transfer.manifest_number} has no delivery to licence "
            f"{facility.license_number}."
        )
    return found


def on_its_way(transfer: Transfer, delivery: TransferDelivery) -> None:
    """Refuse a delivery that is not travelling: voided, not departed, or received."""
    if transfer.voided_at is not None:
        raise RuleViolation(f"Transfer {transfer.manifest_number} is voided.")
    if transfer.kind == LICENSED and transfer.departed_at is None:
        raise RuleViolation(f"Transfer {transfer.manifest_number} has not departed yet.")
    if delivery.received_at is not None:
        raise RuleViolation(
            f"The delivery of transfer {transfer.manifest_number} was received already."
        )


def _past_the_hubs(session: Session, delivery: TransferDelivery) -> None:
    waiting = session.execute(
        select(Facility.license_number, TransferTransporter.hub_state)
        .join(Facility, Facility.id == TransferTransporter.transporter_facility_id)
        .where(
            TransferTransporter.delivery_id == delivery.id,
            TransferTransporter.is_layover.is_(True),
        )
        .order_by(TransferTransporter.id)
    ).all()
    for license_number, state in waiting:
        if state != HUB_DEPARTED:
            where = "has not reached" if state is None else f"is {state} at"
            raise RuleViolation(
                f"The delivery {where} hub {license_number}; it is received once it departs "
                "from there."
            )


@dataclass(frozen=True)
class _Decision:
    line: PackageShipment
    package: Package
    accepted: bool
    received: Decimal | None = None  # in the shipped unit
    location: Location | None = None
    sublocation: Sublocation | None = None
    wholesale_price: Decimal | None = None
    reason: str | None = None


def _decide(
    session: Session,
    facility: Facility,
    line: PackageShipment,
    package: Package,
    receipt: PackageReceipt,
    at: FieldPath,
) -> _Decision:
    state = find_name((ACCEPTED, REJECTED), receipt.state or "")
    if state is None:
        raise RuleViolation(
            f"{{field}} must be {ACCEPTED} or {REJECTED}, got {receipt.state!r}.",
            field=(*at, "state"),
        )
    if state == REJECTED:
        reason = (receipt.rejection_reason or "").strip()
        if not reason:
            raise RuleViolation(
                "{field} is required to reject a package.", field=(*at, "rejection_reason")
            )
        if receipt.received_quantity is not None or receipt.location:
            raise RuleViolation("A rejected package is neither counted nor put anywhere.", field=at)
        return _Decision(line, package, accepted=False, reason=reason)
    if (receipt.rejection_reason or "").strip():
        raise RuleViolation(
            "{field} is for rejected packages only.", field=(*at, "rejection_reason")
        )
    if receipt.received_quantity is None:
        raise RuleViolation(
            "{field} is required to accept a package (reject it when nothing arrived).",
            field=(*at, "received_quantity"),
        )
    quantity = amount(receipt.received_quantity, (*at, "received_quantity"))
    unit = unit_for(package, receipt.received_unit, (*at, "received_unit"))
    received = in_unit(quantity, unit, line.shipped_unit)
    if received > line.shipped_quantity:
        raise RuleViolation(
            f"{{field}} {quantity} {unit.name} is more than the {line.shipped_quantity} "
            f"{line.shipped_unit} shipped; a transfer creates nothing.",
            field=(*at, "received_quantity"),
        )
    location = sublocation = None
    if receipt.location:
        try:
            location = location_named(session, facility, receipt.location, holding="packages")
        except (NotFound, RuleViolation) as exc:
            raise RuleViolation(exc.message, field=(*at, "location")) from None
        if receipt.sublocation:
            try:
                sublocation = sublocation_named(session, facility, receipt.sublocation)
            except (NotFound, RuleViolation) as exc:
                raise RuleViolation(exc.message, field=(*at, "sublocation")) from None
    elif receipt.sublocation:
        raise RuleViolation("{field} needs a location.", field=(*at, "sublocation"))
    wholesale = price(receipt.receiver_wholesale_price, (*at, "receiver_wholesale_price"))
    return _Decision(line, package, True, received, location, sublocation, wholesale)


def _received_at(delivery: TransferDelivery, when: datetime | None) -> datetime:
    now = utcnow()
    if when is None:
        return now
    if when > now:
        raise RuleViolation("{field} is in the future.", field="received_at")
    started = delivery.departed_at or delivery.created_at
    if when < started:
        raise RuleViolation("{field} is before the delivery set out.", field="received_at")
    return when


def _decisions(
    session: Session,
    facility: Facility,
    delivery: TransferDelivery,
    receipts: Sequence[PackageReceipt],
) -> list[_Decision]:
    lines = {
        package.label: (line, package) for line, package in shipments_of(session, [delivery.id])
    }
    decided: list[_Decision] = []
    named: set[str] = set()
    for index, receipt in enumerate(receipts):
        at: FieldPath = ("packages", index)
        label = (receipt.label or "").strip()
        if label not in lines:
            raise RuleViolation(
                f"{{field}}: package {label or '(none)'} is not on this delivery.",
                field=(*at, "label"),
            )
        if label in named:
            raise RuleViolation(
                f"{{field}}: package {label} is decided twice.", field=(*at, "label")
            )
        named.add(label)
        decided.append(_decide(session, facility, *lines[label], receipt, at))
    missing = sorted(set(lines) - named)
    if missing:
        raise RuleViolation(
            f"{{field}}: every package of the delivery is accepted or rejected; "
            f"undecided: {', '.join(missing)}.",
            field="packages",
        )
    return decided


def _apply(
    session: Session,
    actor: Actor,
    facility: Facility,
    transfer: Transfer,
    decision: _Decision,
    when: datetime,
) -> None:
    line, package = decision.line, decision.package
    if decision.accepted:
        assert decision.received is not None
        shortage = line.shipped_quantity - decision.received
        changed(
            session,
            actor,
            line,
            "receive",
            line.facility_id,
            state=ACCEPTED,
            received_quantity=decision.received,
            received_unit=line.shipped_unit,
            shortage=shortage,
            receiver_wholesale_price=decision.wholesale_price,
            received_at=when,
        )
        done = audited(session, actor, package, "receive", facility.id)
        package.facility_id = facility.id  # the recipient's from now on, with the same label
        package.in_transit = False
        package.quantity = line.shipped_quantity - shortage
        package.location_id = None if decision.location is None else decision.location.id
        package.sublocation_id = None if decision.sublocation is None else decision.sublocation.id
        done()
        return
    changed(
        session,
        actor,
        line,
        "reject",
        line.facility_id,
        state=REJECTED,
        rejection_reason=decision.reason,
        received_at=when,
    )
    back: dict[str, object] = {"in_transit": False}
    if transfer.kind != LICENSED:  # back to a shipper outside the ledger
        back["archived_date"] = facility_today(facility)
    changed(session, actor, package, "return", package.facility_id, **back)


def receive_delivery(
    session: Session,
    actor: Actor,
    facility: Facility,
    delivery: TransferDelivery,
    command: DeliveryReceipt,
) -> TransferDelivery:
    """Receive the delivery to `facility`: every package accepted or rejected (see above)."""
    transfer = session.get(Transfer, delivery.transfer_id, with_for_update=True)
    if transfer is None:
        raise RuntimeError(f"delivery {delivery.id} has no transfer")
    on_its_way(transfer, delivery)
    _past_the_hubs(session, delivery)
    when = _received_at(delivery, command.received_at)
    for decision in _decisions(session, facility, delivery, command.packages):
        _apply(session, actor, facility, transfer, decision, when)
    changed(session, actor, delivery, "receive", transfer.facility_id, received_at=when)
    touch(transfer)
    return delivery
