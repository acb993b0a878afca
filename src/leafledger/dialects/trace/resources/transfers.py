"""Trace transfers: views of the same transfer rows the Metrc dialect lists (a transfer made
here is in Metrc's `/transfers/v2/outgoing` of its shipper and `/incoming` of its recipients,
and one made through Metrc's rows and the leafledger extension is listed here). A Trace
transfer is a master manifest; its `transfers[]` are its shipments, one per destination (a
Metrc delivery), each with its receiver, route, times, transporters and lots. The rules are
the services' (services/transfers.py, transfer_receipts.py, read through trace_transfers.py).

- `POST /transfers`: `transfers[]`, each with `receiver` (`{"facilities": {"id"}}`, or
  `{"license_number"}`), `transfer_type` (`/transfers/types`... `{"id": "COKOMTT0001"}` or
  the name, "Transfer"), `route_detail`, `estimated_departure_timestamp`,
  `estimated_arrival_timestamp`, `invoice_number`, `totals.shipped.gross_weight` and
  `gross_weight_uom`, `lots[]` (`{"id", "wholesale_price", "gross_weight",
  "gross_weight_uom"}`: lots of the shipper) and, when it has its own, `transporter`; the
  body's `transporter` serves every shipment that names none. A transporter (one object or a
  list of legs) is `{"facilities": {"id"}, "drivers": [{"id"}], "vehicles": [{"id"}],
  "is_layover", "layover_leg", "phone_number", "estimated_departure_timestamp",
  "estimated_arrival_timestamp"}`: drivers and vehicles are the transporter facility's
  records (`/transporters/v2/drivers`, `/vehicles`), paired in order. `template`
  (`{"id"}`) copies one of the shipper's templates instead. `shipper.facilities.id`, when
  given, must be the licence's facility. The ledger numbers the manifest itself: `name`,
  `totals` and `master_manifest` are answered with a warning that they were not kept.
- `PUT /transfers/{id}`: an `action` (`/transfers/actions`): `depart` or `void` (the
  shipper), or `receive` (a recipient: `received_timestamp` and `lots[]`, every lot of its
  delivery once, `{"id", "state": "accepted", "received_quantity", "unit_of_measure",
  "location": {"id"}, "wholesale_price"}` or `{"id", "state": "rejected", "reason"}`).
- `GET /transfers`, `GET /transfers/{id}`: the licence's transfers, shipped or received
  (`direction=outgoing|incoming` narrows them, `entity_state=active|in_transit|received|
  voided` too; `start_date`/`end_date` filter on the last change). A recipient reads the
  shipments that go to it, the shipper all of them; another licence's id answers 401.
- `POST /transfers/template`, `PUT /transfers/template/{id}`: a template of the same shape,
  with a `name`; a change replaces what it gives (`transfers[]`, each keeping the shipment
  whose `id` it names; the name), and `entity_state: [{"state": "inactive"}]` archives it.

Every transfer answers its `entity_state` history (registered: active; departed:
in_transit; voided; a template archived), its shipments with their deliveries' times, and its
lots with what was shipped and received. Quantities and prices are strings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar

from pydantic import AliasChoices, AliasPath, Field, StringConstraints, field_validator

from leafledger.dialects.kit.bodies import Loads, WireBody
from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.endpoint import Handler
from leafledger.dialects.kit.loaders import ById
from leafledger.dialects.trace.bodies import StateChange, TraceBody, wanted_state
from leafledger.dialects.trace.codes import CodeList, Entry, entries
from leafledger.dialects.trace.factories import Kind, Viewed, change, listing, show, write
from leafledger.dialects.trace.history import trace_time
from leafledger.dialects.trace.resources.lots import LAB_STATES
from leafledger.dialects.trace.shapes import amount, licence_of
from leafledger.dialects.trace.wire import (
    TraceBool,
    TraceId,
    TraceQuantity,
    TraceRef,
    TraceTimestamp,
)
from leafledger.domain import reference
from leafledger.domain.errors import NotFound, RuleViolation, Unauthenticated
from leafledger.domain.models import Location, Package, Transfer
from leafledger.domain.models.base import fits
from leafledger.domain.models.transfer import EXTERNAL, TEMPLATE
from leafledger.domain.queries import manifests
from leafledger.domain.queries.history import TRANSFERS
from leafledger.domain.queries.manifests import Manifest, ManifestLeg, ManifestStop
from leafledger.domain.queries.transfers import TransferRow
from leafledger.domain.services import trace_transfers as service

# --- reference ids

TYPES = CodeList(
    "transfer type", "KOMTT", entries(*(kind.name for kind in reference.TRANSFER_TYPES))
)
ACTIONS = CodeList(
    "transfer action",
    "KOMTA",
    (
        Entry(service.DEPART, service.DEPART, "the transfer leaves: its lots are in transit"),
        Entry(service.VOID, service.VOID, "void a transfer that has not departed"),
        Entry(service.RECEIVE, service.RECEIVE, "receive the licence's shipment: each lot"),
    ),
    per_state=False,
)

# --- bodies

Text = Annotated[str, StringConstraints(max_length=200)]
Note = Annotated[str, StringConstraints(max_length=1000)]
_DEPARTURE = "estimated_departure_timestamp"
_ARRIVAL = "estimated_arrival_timestamp"


class LegBody(TraceBody):
    command = service.TraceLeg
    transporter_id: TraceRef | None = Field(None, alias="facilities")
    driver_ids: list[TraceRef] = Field([], alias="drivers", max_length=10)
    vehicle_ids: list[TraceRef] = Field([], alias="vehicles", max_length=10)
    is_layover: TraceBool = False
    layover_leg: Text | None = None
    phone_number: Text | None = None
    estimated_departure: TraceTimestamp | None = Field(None, alias="estimated_departure_timestamp")
    estimated_arrival: TraceTimestamp | None = Field(None, alias="estimated_arrival_timestamp")

    @field_validator("driver_ids", "vehicle_ids", mode="before")
    @classmethod
    def _listed(cls, value: Any) -> Any:
        return [value] if isinstance(value, dict) else value


def _legs(value: Any) -> Any:
    """One transporter object, or a list of legs."""
    return [value] if isinstance(value, dict) else value


class LotBody(TraceBody):
    command = service.TraceLot
    package: Annotated[TraceRef, Loads(Package, "lot")] = Field(alias="id")
    wholesale_price: TraceQuantity | None = None
    gross_weight: TraceQuantity | None = None
    gross_unit_of_weight: Text | None = Field(None, alias="gross_weight_uom")


class ShipmentBody(TraceBody):
    command = service.TraceShipment
    destination_id: TraceId | None = Field(None, alias="id")
    receiver_id: TraceRef | None = Field(None, validation_alias=AliasPath("receiver", "facilities"))
    receiver_license_number: Text | None = Field(
        None, validation_alias=AliasPath("receiver", "license_number")
    )
    transfer_type: Annotated[str, TYPES] | None = None
    invoice_number: Text | None = None
    planned_route: Note | None = Field(None, alias="route_detail")
    estimated_departure: TraceTimestamp | None = Field(None, alias="estimated_departure_timestamp")
    estimated_arrival: TraceTimestamp | None = Field(None, alias="estimated_arrival_timestamp")
    gross_weight: TraceQuantity | None = Field(
        None, validation_alias=AliasPath("totals", "shipped", "gross_weight")
    )
    gross_unit_of_weight: Text | None = Field(
        None, validation_alias=AliasPath("totals", "shipped", "gross_weight_uom")
    )
    legs: list[LegBody] | None = Field(None, alias="transporter", max_length=10)
    lots: list[LotBody] = Field([], max_length=500)

    @field_validator("legs", mode="before")
    @classmethod
    def _one_or_more(cls, value: Any) -> Any:
        return _legs(value)


class _PlanBody(TraceBody):
    not_kept: ClassVar[tuple[str, ...]] = ("totals", "master_manifest")
    shipper_id: TraceRef | None = Field(None, validation_alias=AliasPath("shipper", "facilities"))
    shipments: list[ShipmentBody] = Field([], alias="transfers", max_length=20)
    legs: list[LegBody] = Field([], alias="transporter", max_length=10)

    @field_validator("legs", mode="before")
    @classmethod
    def _one_or_more(cls, value: Any) -> Any:
        return _legs(value)


class NewTransferBody(_PlanBody):
    command = service.NewTraceTransfer
    not_kept = ("name", "totals", "master_manifest")
    template: Annotated[TraceRef | None, Loads(Transfer, "transfer template")] = None


class NewTemplateBody(_PlanBody):
    command = service.NewTraceTemplate
    name: Text | None = None


class TemplateChangeBody(_PlanBody):
    command = service.TraceTemplateChange
    not_kept = ("totals", "master_manifest", "action")
    name: Text | None = None
    standing: list[StateChange] = Field([], alias="entity_state", max_length=100)

    def to_command(
        self, loaded: Mapping[str, Any], nested: Callable[[WireBody], Any] | None = None
    ) -> service.TraceTemplateChange:
        command: service.TraceTemplateChange = super().to_command(loaded, nested)
        archive = wanted_state(self.standing) in ("inactive", "archived", "deleted")
        return replace(command, archive=archive)


class LotReceiptBody(TraceBody):
    command = service.TraceLotReceipt
    package_id: TraceRef = Field(alias="id")
    state: Text | None = None
    received_quantity: TraceQuantity | None = Field(
        None, validation_alias=AliasChoices("received_quantity", "quantity")
    )
    received_unit: Text | None = Field(
        None, validation_alias=AliasChoices("unit_of_measure", "received_unit_of_measure")
    )
    location: Annotated[TraceRef | None, Loads(Location, "location")] = None
    receiver_wholesale_price: TraceQuantity | None = Field(None, alias="wholesale_price")
    rejection_reason: Note | None = Field(None, alias="reason")


class TransferActionBody(TraceBody):
    command = service.TransferAction
    action: Annotated[str, ACTIONS]
    received_at: TraceTimestamp | None = Field(None, alias="received_timestamp")
    lots: list[LotReceiptBody] = Field([], max_length=500)


# --- rendering


def _at(value: datetime | None) -> str | None:
    """An instant of the ledger (UTC, naive as SQLite returns it) as Trace writes it."""
    if value is None:
        return None
    return trace_time(value if value.tzinfo is not None else value.replace(tzinfo=UTC))


_LOT_STATES = {"Shipped": "in_transit", "Accepted": "accepted", "Rejected": "rejected"}


def _facility(facility_id: int, name: str, license_number: str) -> dict[str, Any]:
    return {"facilities": {"id": str(facility_id), "name": name, "license_number": license_number}}


def _leg(leg: ManifestLeg) -> dict[str, Any]:
    return {
        **_facility(
            leg.transporter_facility_id, leg.transporter_name, leg.transporter_license_number
        ),
        "is_layover": leg.is_layover,
        "phone_number": leg.phone_number,
        _DEPARTURE: _at(leg.estimated_departure_at),
        _ARRIVAL: _at(leg.estimated_arrival_at),
        "drivers": [
            {
                "name": d.name,
                "employee_id": d.employee_id,
                "drivers_license_number": d.drivers_license_number,
                "layover_leg": d.layover_leg,
            }
            for d in leg.drivers
        ],
        "vehicles": [
            {
                "make": d.vehicle_make,
                "model": d.vehicle_model,
                "license_plate": d.license_plate_number,
            }
            for d in leg.drivers
        ],
    }


def _shipment(state: str, stop: ManifestStop) -> dict[str, Any]:
    accepted = sum(1 for lot in stop.packages if lot.state == "Accepted")
    rejected = sum(1 for lot in stop.packages if lot.state == "Rejected")
    return {
        "id": str(stop.delivery_id),
        "stop_num": stop.number,
        "transfer_type": TYPES.ref(state, stop.transfer_type),
        "receiver": _facility(
            stop.recipient_facility_id, stop.recipient_name, stop.recipient_license_number
        ),
        "invoice_number": stop.invoice_number,
        "route_detail": stop.planned_route,
        _DEPARTURE: _at(stop.estimated_departure_at),
        _ARRIVAL: _at(stop.estimated_arrival_at),
        "departure_timestamp": _at(stop.departed_at),
        "received_timestamp": _at(stop.received_at),
        "totals": {
            "shipped": {
                "count": len(stop.packages),
                "lot_count": len(stop.packages),
                "gross_weight": amount(stop.gross_weight),
                "gross_weight_uom": stop.gross_unit,
            },
            "received": {"accepted": accepted, "rejected": rejected},
        },
        "transporter": [_leg(leg) for leg in stop.legs],
        "lots": [
            {
                "id": str(lot.package_id),
                "barcode": lot.label,
                "product": {"id": str(lot.item_id), "name": lot.item_name},
                "quantity": amount(lot.quantity),
                "unit_of_measure": lot.unit,
                "lab_testing_state": LAB_STATES.get(lot.lab_testing_state),
                "state": _LOT_STATES.get(lot.state or ""),
                "received_quantity": amount(lot.received_quantity),
                "received_unit_of_measure": lot.received_unit,
                "shortage": amount(lot.shortage),
                "rejection_reason": lot.rejection_reason,
                "gross_weight": amount(lot.gross_weight),
                "gross_weight_uom": lot.gross_unit,
            }
            for lot in stop.packages
        ],
    }


def render(viewed: Viewed) -> dict[str, Any]:
    found: Manifest = viewed.record
    template = found.kind == TEMPLATE
    return {
        "license": licence_of(viewed.facility),
        "id": str(found.transfer_id),
        "name": found.name,
        "type": found.kind.lower(),
        "master_manifest": {
            "number": found.manifest_number,
            "created_timestamp": _at(found.created_at),
            "created_by": {"employees": {"name": found.created_by}},
        },
        "shipper": {
            "facilities": {
                "id": None if found.kind == EXTERNAL else str(found.facility_id),
                "name": found.shipper_name,
                "license_number": found.shipper_license_number,
            }
        },
        "totals": {"shipment_count": len(found.stops), "lot_count": len(found.packages)},
        "departure_timestamp": _at(found.departed_at),
        "transfers": [_shipment(viewed.state, stop) for stop in found.stops],
        "additional": {
            "template_id": None if found.template_id is None else str(found.template_id),
            "is_template": template,
            "voided_timestamp": _at(found.voided_at),
        },
        "entity_state": viewed.entity_state,
    }


# --- loading and handlers

KIND = Kind(Transfer.__tablename__, "transfer", TRANSFERS, read_model=TransferRow)


def _for(call: Call) -> Kind:
    """The transfers' kind as the licence reads them (a recipient: its own shipments)."""
    return replace(KIND, complete=manifests.completing(call.facility.id))


def _scoped(make: Callable[[Kind], Handler]) -> Handler:
    def handler(call: Call) -> Any:
        return make(_for(call))(call)

    return handler


def visible_transfer(call: Call) -> TransferRow:
    """The loader of /transfers/{id}: a transfer the licence ships or receives."""
    transfer_id = int(call.path_params["id"])
    row = call.session.get(TransferRow, transfer_id) if fits(Transfer.id, transfer_id) else None
    if row is None or row.kind == TEMPLATE:
        raise NotFound(f"No transfer {transfer_id} was found.")
    if not manifests.is_party(call.session, row, call.facility.id):
        raise Unauthenticated(
            f"The transfer {transfer_id} is not one licence {call.facility.license_number} "
            "ships or receives."
        )
    return row


TEMPLATE_TO_CHANGE = ById(Transfer, "transfer template")


def _shipper_is_licence(handler: Handler) -> Handler:
    """`handler`, once the body's shipper (when it names one) is the licence's facility."""

    def checked(call: Call) -> Any:
        named = call.command.shipper_id if hasattr(call.command, "shipper_id") else None
        if named is not None and named != call.facility.id:
            raise RuleViolation(
                f"The shipper ({named}) must be the licence's facility ({call.facility.id})."
            )
        return handler(call)

    return checked


def _directed(call: Call) -> Any:
    direction = (call.query.get("direction") or "").strip().lower() or None
    if direction not in (None, manifests.OUTGOING, manifests.INCOMING):
        raise RuleViolation(f"direction must be outgoing or incoming; got {direction!r}.")
    standing = (call.query.get("entity_state") or "").strip().lower() or None
    if standing not in (None, *manifests.STANDINGS):
        raise RuleViolation(
            f"entity_state must be one of {', '.join(manifests.STANDINGS)}; got {standing!r}."
        )
    return manifests.transfers_of(call.facility, direction=direction, standing=standing)


list_transfers = listing(_directed, render, KIND)
get_transfer = _scoped(lambda kind: show(render, kind))
create_transfer = _shipper_is_licence(
    _scoped(lambda kind: write(service.create_transfer, render, kind))
)
update_transfer = _scoped(
    lambda kind: change(service.act_on_transfer, render, kind, actions=ACTIONS)
)
create_template = _shipper_is_licence(
    _scoped(lambda kind: write(service.create_template, render, kind))
)
update_template = _scoped(lambda kind: change(service.change_template, render, kind))
