"""Trace lots: views of the same Package rows the Metrc dialect lists. A lot's id is its
package's id (as a string), its `barcode` the package's tag, its `product` the package's item.

- `POST /lots`: a lot made from the sources its `origin` names by id (`harvest[]`, `lots[]` or
  one `plant_batch[]`, each `{"id", "quantity", "unit_of_measure"}`: what is drawn from it; a
  single source may leave both out to give the lot's own), of `product` (`{"id"}`), with
  `barcode`, `quantity`, `unit_of_measure`, `date` (the day it was packaged), `location`
  (`{"id"}`; else the package services' default) and `type` (`/lots/types`: when given, the
  type the product makes). `action`, when given, is `create`.
- `PUT /lots/{id}`: what the body gives: `product` (another item), `location` (with
  `move_date`), `adjustment[]` (`{"quantity"` (signed), `"unit_of_measure"`, `"reason"`
  (`/lots/adjustment_reasons`: `{"id"}`, `{"name"}` or the name), `"note"`, `"date"}`),
  `remediation[]` (`{"method", "date", "steps"}`) and `entity_state[]`, whose last entry
  asks the lot to be `finished` (its `date` the finish date), `unfinished` (or `active`) or
  `discontinued`; naming the hold or lab testing state the lot has changes nothing. `action`
  (`/lots/actions`), when given, names what the change is for, and the body must give what it
  needs. The services apply it in that order (`services/trace_lots.py`).
- `GET /lots`, `GET /lots/{id}`: `entity_state` picks the list (`LISTS`, `active` by default),
  `barcode` finds one lot, `start_date`/`end_date` filter on the last change.

A lot answers the last of its package's changes that is a lot action as `action`, its
direct sources under `origin`, its product and strain under `contents`, and what else the
ledger knows of it under `additional`. Its `entity_state` history lists the changes of its
life (active, finished, unfinished, discontinued), its hold (onhold) and its lab testing state
(`LAB_STATES`), from the audit log. Quantities are JSON numbers, as the samples show them.
The ledger keeps no lot names: a lot is named by its barcode, and a body's `name` (with its
`additional`) is answered with a warning that it was not kept.

Beyond the row's own permissions, a lot from harvests needs those Metrc asks for packages
from harvests (View Harvests, Manage Harvests), one from a plant batch those of packages from
plant batches (View Immature Plants, Manage Immature Plants Inventory), and a change of
product or location, or a discontinuation, Create/Submit/Discontinue Packages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import partial
from typing import Annotated, Any

from pydantic import AliasChoices, BeforeValidator, Field, PlainValidator, StringConstraints
from pydantic import WithJsonSchema as Schema
from sqlalchemy.orm import Session

from leafledger.dialects.kit.bodies import Loads
from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.endpoint import Handler
from leafledger.dialects.kit.loaders import ById
from leafledger.dialects.trace.bodies import TraceBody
from leafledger.dialects.trace.factories import (
    History,
    Viewed,
    change,
    listing,
    show,
    with_warnings,
    write,
)
from leafledger.dialects.trace.history import SYSTEM, trace_time
from leafledger.dialects.trace.resources.locations import type_id
from leafledger.dialects.trace.wire import TraceDate, TraceId, TraceQuantity, TraceRef
from leafledger.domain import queries, reference
from leafledger.domain.actor import Actor
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import Facility, Item, Location, Package
from leafledger.domain.queries import trace_lots
from leafledger.domain.queries.base import Listed
from leafledger.domain.queries.history import FacetChange, PackageHistory
from leafledger.domain.queries.packages import PackageRow
from leafledger.domain.queries.trace_lots import LotRecord
from leafledger.domain.services import trace_lots as service

# --- reference ids


@dataclass(frozen=True)
class Code:
    name: str  # its Trace name
    value: str  # what it stands for in the ledger
    description: str | None = None


@dataclass(frozen=True)
class Codes:
    """A list of reference ids `<prefix><nnnn>`, the same in every state (`KOMLT0001`), the
    number an entry's place in its list, from 1. A body names an entry by `{"id"}` (or the
    bare number), by `{"name"}`, or by the name alone."""

    what: str
    prefix: str
    codes: tuple[Code, ...]

    def id_of(self, number: int) -> str:
        return f"{self.prefix}{number:04d}"

    def ref(self, value: str | None) -> dict[str, str] | None:
        for number, code in enumerate(self.codes, 1):
            if code.value == value:
                return {"id": self.id_of(number), "name": code.name}
        return None

    def listing(self) -> list[dict[str, str]]:
        listed = []
        for number, code in enumerate(self.codes, 1):
            entry = {"id": self.id_of(number), "name": code.name}
            if code.description is not None:
                entry["description"] = code.description
            listed.append(entry)
        return listed

    def value_of(self, ref: Any) -> str:
        """What the entry a body names stands for; a ValueError names the known ids."""
        raw_id, raw_name = (ref.get("id"), ref.get("name")) if isinstance(ref, dict) else (ref, ref)
        known = ", ".join(f"{self.id_of(n)} ({c.name})" for n, c in enumerate(self.codes, 1))
        text = "" if raw_id is None or isinstance(raw_id, bool) else str(raw_id).strip()
        number = text.upper().removeprefix(self.prefix)
        if number.isascii() and number.isdigit() and 1 <= int(number) <= len(self.codes):
            return self.codes[int(number) - 1].value
        if isinstance(raw_name, str):
            wanted = raw_name.strip().casefold()
            for code in self.codes:
                if wanted in (code.name.casefold(), code.value.casefold()):
                    return code.value
        raise ValueError(f"unknown {self.what} {text or raw_name!r}; use one of: {known}")


# A body field naming an entry of a list: `{"id"}`, `{"name"}` or the name alone.
_NAMED = Schema(
    {
        "type": ["object", "string"],
        "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
    }
)

TYPES = Codes("lot type", "KOMLT", tuple(Code(name, name) for name in reference.PACKAGE_TYPES))
ACTIONS = Codes(
    "lot action",
    "KOMLA",
    (
        Code("create", "create", "make a lot from harvests, other lots or a plant batch (POST)"),
        Code("move", "move", "move the lot to another location (location)"),
        Code("change_product", "change_item", "give the lot another product (product)"),
        Code("adjustment", "adjust", "adjust the lot's quantity for a listed reason (adjustment)"),
        Code("remediation", "remediation", "remediate the lot (remediation)"),
        Code("finish", "finish", "finish an empty lot"),
        Code("unfinish", "unfinish", "take a finished lot up again"),
        Code("discontinue", "discontinue", "discontinue a lot made by mistake"),
    ),
)
REASONS = Codes(
    "adjustment reason",
    "KOMLAR",
    tuple(Code(reason.name, reason.name) for reason in reference.PACKAGE_ADJUSTMENT_REASONS),
)


LotType = Annotated[str, PlainValidator(TYPES.value_of), _NAMED]
LotAction = Annotated[str, PlainValidator(ACTIONS.value_of), _NAMED]
Reason = Annotated[str, PlainValidator(REASONS.value_of), _NAMED]


def lot_types(call: Call) -> list[dict[str, str]]:
    return TYPES.listing()


def lot_actions(call: Call) -> list[dict[str, str]]:
    return ACTIONS.listing()


def adjustment_reasons(call: Call) -> list[dict[str, Any]]:
    notes = {reason.name: reason.requires_note for reason in reference.PACKAGE_ADJUSTMENT_REASONS}
    return [{**entry, "requires_note": notes[entry["name"]]} for entry in REASONS.listing()]


# --- states

# Trace's lab testing words for the ledger's lab testing states (lot.md's where it has one,
# else the lab results' own; Decontaminated has none there, so it is worded like Remediated).
LAB_STATES = {
    "NotSubmitted": "lab_testing_not_submitted",
    "SubmittedForTesting": "lab_testing_submitted",
    "TestingInProgress": "lab_testing_in_progress",
    "AwaitingConfirmation": "lab_testing_awaiting_confirmation",
    "TestPassed": "lab_testing_passed",
    "TestFailed": "lab_testing_failed",
    "RetestPassed": "lab_retest_passed",
    "RetestFailed": "lab_retest_failed",
    "Remediated": "lab_testing_remediated_lot",
    "SelectedForRandomTesting": "lab_testing_random_selection",
    "NotRequired": "lab_testing_not_required",
    "ProcessValidated": "lab_testing_process_validation",
    "RandDCompleted": "lab_testing_completed",
    "Decontaminated": "lab_testing_decontaminated_lot",
}
LotList = Callable[[Facility], Listed]
# The list each `entity_state` selects.
LISTS: dict[str, LotList] = {
    "active": partial(queries.packages.packages, finished=False),
    "unfinished": partial(queries.packages.packages, finished=False),
    "inactive": trace_lots.ended,
    "finished": partial(queries.packages.packages, finished=True),
    "onhold": queries.packages.on_hold,
    "discontinued": trace_lots.discontinued,
    **{
        word: partial(trace_lots.in_lab_testing_state, state=state)
        for state, word in LAB_STATES.items()
    },
    "used": trace_lots.drawn_on,
    "in_transit": queries.packages.in_transit,
    "accepted": partial(trace_lots.shipment_ended, state="Accepted"),
    "rejected": partial(trace_lots.shipment_ended, state="Rejected"),
    "returned": partial(trace_lots.shipment_ended, state="Returned"),
    "lot_not_in_inventory": trace_lots.out_of_stock,
}
# Lot states Trace lists that the ledger has nothing to stand for (yet).
NOT_KEPT_STATES = (
    "lab_retesting_in_progress",
    "scheduled_for_transfer",
    "received",
    "partial_rejected",
    "partial_returned",
    "scheduled_for_destruction",
)
# What a body's `entity_state` may ask: a word -> (facet of the package's standing, value).
_ASKED = {
    "active": ("life", "active"),
    "unfinished": ("life", "active"),
    "finished": ("life", "finished"),
    "discontinued": ("life", "discontinued"),
    "onhold": ("hold", "on_hold"),
    **{word: ("lab_testing", state) for state, word in LAB_STATES.items()},
}


def _asked(value: Any) -> tuple[str, str]:
    word = value.strip().lower() if isinstance(value, str) else None
    if word is None or word not in _ASKED:
        raise ValueError(
            "a lot may be made active (unfinished), finished or discontinued; "
            f"{value!r} is not one of those (nor a hold or a lab testing state)"
        )
    return _ASKED[word]


# --- bodies

Text = Annotated[str, StringConstraints(max_length=200)]
Note = Annotated[str, StringConstraints(max_length=1000)]


def _none_as_empty(value: Any) -> Any:
    return [] if value is None else value


def _origin_field(name: str, *other: str) -> Any:
    return Field([], alias=name, validation_alias=AliasChoices(name, *other))


class LotSourceBody(TraceBody):
    command = service.LotSource
    source_id: TraceId = Field(alias="id")
    quantity: TraceQuantity | None = None
    unit_of_measure: Text | None = None


Sources = Annotated[list[LotSourceBody], BeforeValidator(_none_as_empty), Field(max_length=100)]


class LotOriginBody(TraceBody):
    command = service.LotOrigin
    harvests: Sources = _origin_field("harvest", "harvests")
    lots: Sources = _origin_field("lots", "lot")
    plant_batches: Sources = _origin_field("plant_batch", "plant_batches")
    plants: Sources = _origin_field("plant", "plants")


def _creating(value: Any) -> str:
    action = "create" if value is None else ACTIONS.value_of(value)
    if action != "create":
        raise ValueError(f"a lot is made with the action {ACTIONS.id_of(1)} (create)")
    return action


class NewLotBody(TraceBody):
    command = service.NewLot
    not_kept = ("name", "additional", "entity_state")
    action: Annotated[str | None, PlainValidator(_creating), _NAMED] = None
    name: Text | None = None
    item: Annotated[TraceRef, Loads(Item, "product")] = Field(alias="product")
    tag: Text = Field(alias="barcode")
    quantity: TraceQuantity
    unit_of_measure: Text
    actual_date: TraceDate | None = Field(None, alias="date")
    package_type: LotType | None = Field(None, alias="type")
    location: Annotated[TraceRef | None, Loads(Location, "location")] = None
    origin: LotOriginBody
    additional: dict[str, Any] | None = None
    entity_state: list[dict[str, Any]] | None = None


class LotAdjustmentBody(TraceBody):
    command = service.LotAdjustment
    quantity: TraceQuantity
    unit_of_measure: Text
    reason: Reason
    adjustment_date: TraceDate | None = Field(None, alias="date")
    note: Note | None = None


class LotRemediationBody(TraceBody):
    command = service.LotRemediation
    method: Text
    treatment_date: TraceDate | None = Field(None, alias="date")
    steps: Note | None = None


class LotStateBody(TraceBody):
    command = service.StandingAsked
    asked: Annotated[tuple[str, str], PlainValidator(_asked), Schema({"type": "string"})] = Field(
        alias="state"
    )
    day: TraceDate | None = Field(None, alias="date")
    reason: Text | None = None
    actioned_by: Text | None = None

    def to_command(self, loaded: Any) -> service.StandingAsked:
        facet, value = self.asked
        return service.StandingAsked(facet, value, self.day)


class LotChangeBody(TraceBody):
    command = service.LotChange
    not_kept = ("name", "additional")
    action: LotAction | None = None
    name: Text | None = None
    item: Annotated[TraceRef | None, Loads(Item, "product")] = Field(None, alias="product")
    location: Annotated[TraceRef | None, Loads(Location, "location")] = None
    move_date: TraceDate | None = None
    adjustments: list[LotAdjustmentBody] = Field([], alias="adjustment", max_length=100)
    remediations: list[LotRemediationBody] = Field([], alias="remediation", max_length=100)
    standing: list[LotStateBody] = Field([], alias="entity_state", max_length=1000)
    additional: dict[str, Any] | None = None


# --- rendering


def _day(value: date | None) -> str | None:
    """A ledger date (a calendar day) as a Trace timestamp: that day at midnight UTC."""
    return None if value is None else trace_time(datetime.combine(value, time(), UTC))


def _category_type(name: str | None) -> str | None:
    category = None if name is None else reference.find_named(reference.ITEM_CATEGORIES, name)
    return name if category is None else category.product_category_type


def _location(state: str, lot: LotRecord) -> dict[str, Any] | None:
    package = lot.package
    if package.location_id is None:
        return None
    name = package.location_type_name
    known = None if name is None else reference.find_named(reference.LOCATION_TYPES, name)
    return {
        "id": str(package.location_id),
        "name": package.location_name,
        "type": {"id": type_id(state, known) if known else None, "name": name},
    }


def _origin(lot: LotRecord) -> dict[str, list[dict[str, Any]]]:
    origin: dict[str, list[dict[str, Any]]] = {
        "plant": [],
        "plant_batch": [],
        "harvest": [],
        "lots": [],
    }
    for drawn in lot.drawn:
        entry: dict[str, Any] = {"id": str(drawn.source_id)}
        if drawn.kind == trace_lots.FROM_PACKAGE:
            bucket = "lots"
            entry |= {"barcode": drawn.name, "name": drawn.name}
            entry["type"] = _category_type(drawn.category)
        elif drawn.kind == trace_lots.FROM_PLANT:
            bucket, entry["barcode"] = "plant", drawn.name
        else:
            bucket = "harvest" if drawn.kind == trace_lots.FROM_HARVEST else "plant_batch"
            entry["name"] = drawn.name
        entry |= {"quantity": drawn.quantity, "unit_of_measure": drawn.unit_of_measure_name}
        origin[bucket].append(entry)
    return origin


def _contents(lot: LotRecord) -> dict[str, Any]:
    item = lot.item
    if item is None:
        return {"strain": None, "product": None}
    strain = None
    if item.strain_id is not None:
        strain = {"id": str(item.strain_id), "name": item.strain_name}
    return {
        "strain": strain,
        "product": {
            "id": str(item.id),
            "name": item.name,
            "category": {"name": item.category_name, "type": _category_type(item.category_name)},
            "characteristics": {
                "quantity_type": item.quantity_type,
                "unit_of_measure": item.unit_of_measure_name,
            },
        },
    }


def _last_action(history: PackageHistory) -> str | None:
    """The last change of the lot that is a lot action (a draw into another lot is not)."""
    for action in reversed(history.actions):
        if ACTIONS.ref(action) is not None:
            return action
    return None


def render(viewed: Viewed) -> dict[str, Any]:
    lot: LotRecord = viewed.record
    package, facility = lot.package, viewed.facility
    return {
        "license": {
            "license_number": facility.license_number,
            "type": {"name": facility.license_type},
        },
        "action": ACTIONS.ref(_last_action(lot.history)),
        "id": str(package.id),
        "name": package.label,
        "barcode": package.label,
        "quantity": package.quantity,
        "unit_of_measure": package.unit_of_measure_name,
        "date": _day(package.packaged_date),
        "type": TYPES.ref(package.package_type),
        "location": _location(viewed.state, lot),
        "origin": _origin(lot),
        "contents": _contents(lot),
        "additional": {
            "note": package.note,
            "patient_license": package.patient_license_number,
            "production_batch_number": package.production_batch_number,
            "expiration_date": _day(package.expiration_date),
            "sell_by_date": _day(package.sell_by_date),
            "use_by_date": _day(package.use_by_date),
            "is_testing_sample": package.is_testing_sample,
            "requires_remediation": package.product_requires_remediation,
            "lab_testing_state": LAB_STATES.get(package.lab_testing_state),
        },
        "entity_state": viewed.entity_state,
    }


# --- history


def _worded(change: FacetChange) -> tuple[str, str] | None:
    """A standing change as Trace words it: (state, reason); None for what goes unsaid (a
    lot made free of holds and untested)."""
    before, after = change.before, change.after
    if change.facet == "life":
        if before is None:
            return "active", "lot created"
        if after in ("finished", "discontinued"):
            return after, f"lot {after}"
        return (
            ("unfinished", "lot unfinished") if before == "finished" else ("active", "lot restored")
        )
    if change.facet == "hold":
        if after == "on_hold":
            return "onhold", "lot put on hold"
        return None if before is None else ("active", "lot released from hold")
    if before is None and after == "NotSubmitted":
        return None
    word = LAB_STATES.get(after, f"lab_testing_{after.lower()}")
    return word, f"lab testing state {after}"


def entity_state(history: PackageHistory) -> list[dict[str, Any]]:
    states = []
    for facet_change in history.changes:
        worded = _worded(facet_change)
        if worded is not None:
            when, by = trace_time(facet_change.at), facet_change.by or SYSTEM
            states.append(
                {"state": worded[0], "date": when, "reason": worded[1], "actioned_by": by}
            )
    return states


class LotHistory(History):
    """A lot's history comes with its record (`trace_lots.complete`)."""

    def of(self, session: Session, facility: Facility, records: list[Any]) -> list[Any]:
        return [entity_state(record.history) for record in records]


HISTORY = LotHistory(Package.__tablename__, "lot")
LOT = ById(PackageRow, "lot", complete=trace_lots.complete)
LOT_TO_CHANGE = ById(Package, "lot")


# --- handlers


def _listed(call: Call) -> Listed:
    wanted = (call.query.get("entity_state") or "active").strip().lower()
    if wanted in NOT_KEPT_STATES:
        raise RuleViolation(
            f"leafledger keeps no lot state {wanted!r}: no lot can be in it; use one of "
            f"{', '.join(LISTS)}."
        )
    if wanted not in LISTS:
        raise RuleViolation(f"entity_state must be one of {', '.join(LISTS)}; got {wanted!r}.")
    listed = trace_lots.as_lots(LISTS[wanted](call.facility))
    barcode = (call.query.get("barcode") or "").strip()
    return listed.where(PackageRow.label == barcode) if barcode else listed


def _create(session: Session, actor: Actor, facility: Facility, lot: service.NewLot) -> LotRecord:
    package = service.create_lot(session, actor, facility, lot)
    return trace_lots.lot(session, package.id)


def _change(
    session: Session, actor: Actor, facility: Facility, package: Package, lot: service.LotChange
) -> LotRecord:
    service.change_lot(session, actor, facility, package, lot)
    return trace_lots.lot(session, package.id)


# Permissions Metrc asks for what some bodies do, beyond the row's own.
HARVEST_PERMISSIONS = ("View Harvests", "Manage Harvests")
BATCH_PERMISSIONS = ("View Immature Plants", "Manage Immature Plants Inventory")
PACKAGE_PERMISSIONS = ("Create/Submit/Discontinue Packages",)


def _creating_needs(lot: service.NewLot) -> tuple[str, ...]:
    needs: tuple[str, ...] = ()
    if lot.origin.harvests:
        needs += HARVEST_PERMISSIONS
    if lot.origin.plant_batches:
        needs += BATCH_PERMISSIONS
    return needs


def _changing_needs(lot: service.LotChange) -> tuple[str, ...]:
    asked = [standing.value for standing in lot.standing[-1:]]
    discontinues = lot.action == "discontinue" or asked == ["discontinued"]
    return PACKAGE_PERMISSIONS if lot.item or lot.location or discontinues else ()


def _permitted(handler: Handler, needs: Callable[[Any], tuple[str, ...]]) -> Handler:
    """`handler`, once the caller holds what the body's command `needs`."""

    def checked(call: Call) -> Any:
        call.require(needs(call.command))
        return handler(call)

    return checked


list_lots = listing(_listed, render, HISTORY)
get_lot = show(render, HISTORY)
create_lot = _permitted(with_warnings(write(_create, render, HISTORY)), _creating_needs)
update_lot = _permitted(with_warnings(change(_change, render, HISTORY)), _changing_needs)
