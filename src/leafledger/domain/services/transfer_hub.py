"""Hubs: the facilities a delivery lays over at on its way, and the steps it goes through
there (POST /transfers/v2/hub/arrive, checkin, checkout, depart).

A delivery lays over at a hub when one of its legs is a layover at that transporter facility
(transfers.py). The hub records, in this order and each once: the delivery arrived, was
checked in (the hub takes custody), checked out, departed. A step out of order is refused,
naming where the delivery stands. The delivery must be on its way (its transfer departed, or
an external one registered; not voided, not received), and must have departed from every
hub it lays over at before this one; the recipient receives it once it has departed from
the last (transfer_receipts.py).

The steps are of the outbound trip. Rejected packages go back to the shipper at receipt in
leafledger, so no return trip passes through a hub: the Return direction is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import NotFound, RuleViolation
from leafledger.domain.models import Facility, Transfer, TransferDelivery, TransferTransporter
from leafledger.domain.models.base import fits, utcnow
from leafledger.domain.models.transfer import TEMPLATE
from leafledger.domain.reference import find_name
from leafledger.domain.services.audit import changed
from leafledger.domain.services.transfer_receipts import HUB_DEPARTED, on_its_way
from leafledger.domain.services.transfers import touch

OUTBOUND, RETURN = "Outbound", "Return"


@dataclass(frozen=True)
class HubStepName:
    """One step at a hub: the state it leaves the leg in, the column dating it, the state it
    follows (None: the first), and what it is called in messages."""

    state: str
    dated: str
    after: str | None
    doing: str


ARRIVE = HubStepName("Arrived", "hub_arrived_at", None, "arrive")
CHECK_IN = HubStepName("CheckedIn", "hub_checked_in_at", "Arrived", "check in")
CHECK_OUT = HubStepName("CheckedOut", "hub_checked_out_at", "CheckedIn", "check out")
DEPART = HubStepName(HUB_DEPARTED, "hub_departed_at", "CheckedOut", "depart")
STEPS = (ARRIVE, CHECK_IN, CHECK_OUT, DEPART)


@dataclass(frozen=True)
class HubStep:
    """A step of one delivery at the hub the request is made for."""

    delivery_id: int
    direction: str | None = None


def _direction(value: str | None) -> None:
    found = find_name((OUTBOUND, RETURN), value or "")
    if found is None:
        raise RuleViolation(
            f"{{field}} must be {OUTBOUND} or {RETURN}, got {value!r}.", field="direction"
        )
    if found == RETURN:
        raise RuleViolation(
            "{field}: no return trip passes through a hub; rejected packages are back at the "
            "shipper once rejected.",
            field="direction",
        )


def _delivery(session: Session, delivery_id: int) -> tuple[Transfer, TransferDelivery]:
    found = (
        session.get(TransferDelivery, delivery_id, with_for_update=True)
        if fits(TransferDelivery.id, delivery_id)
        else None
    )
    transfer = None if found is None else session.get(Transfer, found.transfer_id)
    if found is None or transfer is None or transfer.kind == TEMPLATE:
        raise NotFound(f"No delivery {delivery_id} was found.")
    return transfer, found


def _hub_leg(
    session: Session, facility: Facility, delivery: TransferDelivery
) -> TransferTransporter:
    """The delivery's layover leg at `facility`, once every earlier hub has let it go."""
    layovers = session.scalars(
        select(TransferTransporter)
        .where(
            TransferTransporter.delivery_id == delivery.id,
            TransferTransporter.is_layover.is_(True),
        )
        .order_by(TransferTransporter.id)
        .with_for_update()
    ).all()
    here = next((leg for leg in layovers if leg.transporter_facility_id == facility.id), None)
    if here is None:
        raise RuleViolation(
            f"Delivery {delivery.id} does not lay over at this facility's hub.",
            field="delivery_id",
        )
    if any(leg.id < here.id and leg.hub_state != HUB_DEPARTED for leg in layovers):
        raise RuleViolation(
            f"Delivery {delivery.id} has not departed from the hub before this one yet.",
            field="delivery_id",
        )
    return here


def _hub_step(
    session: Session, actor: Actor, facility: Facility, command: HubStep, step: HubStepName
) -> TransferDelivery:
    _direction(command.direction)
    transfer, delivery = _delivery(session, command.delivery_id)
    on_its_way(transfer, delivery)
    leg = _hub_leg(session, facility, delivery)
    if leg.hub_state != step.after:
        stands = "has not arrived" if leg.hub_state is None else f"is {leg.hub_state}"
        follows = "comes first" if step.after is None else f"follows {step.after}"
        raise RuleViolation(
            f"Delivery {delivery.id} {stands} at this hub: {step.doing} {follows}.",
            field="delivery_id",
        )
    changed(
        session, actor, leg, step.doing.replace(" ", "_"), facility.id,
        hub_state=step.state, **{step.dated: utcnow()},
    )  # fmt: skip
    touch(delivery, transfer)
    return delivery


HubService = Callable[[Session, Actor, Facility, HubStep], TransferDelivery]


def hub_service(step: HubStepName) -> HubService:
    """The service of one step (named after it, for route reports and tracebacks)."""

    def service(
        session: Session, actor: Actor, facility: Facility, command: HubStep
    ) -> TransferDelivery:
        return _hub_step(session, actor, facility, command, step)

    service.__name__ = service.__qualname__ = f"hub_{step.doing.replace(' ', '_')}"
    return service


hub_arrive, hub_check_in, hub_check_out, hub_depart = (hub_service(step) for step in STEPS)
