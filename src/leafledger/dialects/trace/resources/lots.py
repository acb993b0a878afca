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
ledger knows of it under `additional`. Its `entity_state` history, read from the audit log as
every Trace object's is (`KIND`), lists the changes of the package's facets
(`queries.history.PACKAGES`): its life (active, finished, unfinished, discontinued), its hold
(onhold) and its lab testing state (`LAB_STATES`). Quantities are JSON numbers, as the
samples show them. The ledger keeps no lot names: a lot is named by its barcode, and a body's
`name` (with its `additional`) is answered with a warning that it was not kept.

Beyond the row's own permissions, a lot from harvests needs those Metrc asks for packages
from harvests (View Harvests, Manage Harvests), one from a plant batch those of packages from
plant batches (View Immature Plants, Manage Immature Plants Inventory), and a change of
product or location, or a discontinuation, Create/Submit/Discontinue Packages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any

from pydantic import AliasChoices, Field, PlainValidator, StringConstraints, field_validator
from pydantic import WithJsonSchema as Schema

from leafledger.dialects.kit.bodies import Loads, WireBody
from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.endpoint import Handler
from leafledger.dialects.kit.factories import Query, at_facility
from leafledger.dialects.kit.loaders import ById
from leafledger.dialects.trace.bodies import TraceBody
from leafledger.dialects.trace.codes import CodeList, Entry, entries
from leafledger.dialects.trace.factories import (
    Kind,
    Viewed,
    by_entity_state,
    change,
    listing,
    matching,
    show,
    write,
)
from leafledger.dialects.trace.history import trace_date
from leafledger.dialects.trace.resources.cultivation import LocationRef, Parts
from leafledger.dialects.trace.resources.locations import type_id
from leafledger.dialects.trace.shapes import licence_of
from leafledger.dialects.trace.states import path_state
from leafledger.dialects.trace.wire import TraceDate, TraceId, TraceQuantity, TraceRef
from leafledger.domain import queries, reference
from leafledger.domain.models import Item, Package
from leafledger.domain.queries import trace_lots
from leafledger.domain.queries.base import Listed
from leafledger.domain.queries.history import PACKAGES, StandingChange
from leafledger.domain.queries.packages import PackageRow
from leafledger.domain.queries.trace_lots import LotRecord
from leafledger.domain.services import trace_lots as service

# --- reference ids (the same in every state: `KOMLT0001`)

TYPES = CodeList("lot type", "KOMLT", entries(*reference.PACKAGE_TYPES), per_state=False)
ACTIONS = CodeList(
    "lot action",
    "KOMLA",
    (
        Entry("create", "create", "make a lot from harvests, other lots or a plant batch (POST)"),
        Entry("move", "move", "move the lot to another location (location)"),
        Entry("change_product", "change_item", "give the lot another product (product)"),
        Entry("adjustment", "adjust", "adjust the lot's quantity for a listed reason (adjustment)"),
        Entry("remediation", "remediation", "remediate the lot (remediation)"),
        Entry("finish", "finish", "finish an empty lot"),
        Entry("unfinish", "unfinish", "take a finished lot up again"),
        Entry("discontinue", "discontinue", "discontinue a lot made by mistake"),
    ),
    per_state=False,
)
REASONS = CodeList(
    "adjustment reason",
    "KOMLAR",
    entries(*(reason.name for reason in reference.PACKAGE_ADJUSTMENT_REASONS)),
    per_state=False,
)


def adjustment_reasons(call: Call) -> list[dict[str, Any]]:
    """The adjustment reasons, each saying whether an adjustment for it needs a note."""
    notes = {reason.name: reason.requires_note for reason in reference.PACKAGE_ADJUSTMENT_REASONS}
    listed = REASONS.listing(path_state(call))
    return [{**entry, "requires_note": notes[entry["name"]]} for entry in listed]


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


def _lots(query: Callable[..., Listed], **options: Any) -> Query:
    """A package list of the licence's facility (`queries.packages`), read as lots."""
    of_call = at_facility(query, **options)

    def as_lots(call: Call) -> Listed:
        return trace_lots.as_lots(of_call(call))

    return as_lots


# The list each `entity_state` selects.
LISTS: dict[str, Query] = {
    "active": _lots(queries.packages.packages, finished=False),
    "unfinished": _lots(queries.packages.packages, finished=False),
    "inactive": _lots(trace_lots.ended),
    "finished": _lots(queries.packages.packages, finished=True),
    "onhold": _lots(queries.packages.on_hold),
    "discontinued": _lots(trace_lots.discontinued),
    **{
        word: _lots(trace_lots.in_lab_testing_state, state=state)
        for state, word in LAB_STATES.items()
    },
    "used": _lots(trace_lots.drawn_on),
    "in_transit": _lots(queries.packages.in_transit),
    "accepted": _lots(trace_lots.shipment_ended, state="Accepted"),
    "rejected": _lots(trace_lots.shipment_ended, state="Rejected"),
    "returned": _lots(trace_lots.shipment_ended, state="Returned"),
    "lot_not_in_inventory": _lots(trace_lots.out_of_stock),
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


def _lot_state(change: StandingChange) -> str:
    """The Trace state a change leaves a lot in: Trace has its own for a lot taken up again
    (`unfinished`), for its hold and for its lab testing states."""
    if change.change == "unfinished":
        return "unfinished"
    if change.facet == "lab_testing":
        return LAB_STATES.get(change.after, f"lab_testing_{change.after.lower()}")
    return {"on_hold": "onhold", "not_on_hold": "active"}.get(change.after, change.after)


KIND = Kind(
    Package.__tablename__,
    "lot",
    PACKAGES,
    read_model=PackageRow,
    complete=trace_lots.complete,
    nouns={"lab_testing": "lab testing state"},
    states=_lot_state,
)
LOT = ById(PackageRow, "lot")
LOT_TO_CHANGE = ById(Package, "lot")

# --- bodies

Text = Annotated[str, StringConstraints(max_length=200)]
Note = Annotated[str, StringConstraints(max_length=1000)]


def _origin_field(name: str, *other: str) -> Any:
    return Field([], alias=name, validation_alias=AliasChoices(name, *other))


class LotSourceBody(TraceBody):
    command = service.LotSource
    source_id: TraceId = Field(alias="id")
    quantity: TraceQuantity | None = None
    unit_of_measure: Text | None = None


class LotOriginBody(TraceBody):
    command = service.LotOrigin
    harvests: Parts[LotSourceBody] = _origin_field("harvest", "harvests")
    lots: Parts[LotSourceBody] = _origin_field("lots", "lot")
    plant_batches: Parts[LotSourceBody] = _origin_field("plant_batch", "plant_batches")
    plants: Parts[LotSourceBody] = _origin_field("plant", "plants")


class NewLotBody(TraceBody):
    command = service.NewLot
    not_kept = ("name", "additional", "entity_state")
    action: Annotated[str, ACTIONS] | None = None
    name: Text | None = None
    item: Annotated[TraceRef, Loads(Item, "product")] = Field(alias="product")
    tag: Text = Field(alias="barcode")
    quantity: TraceQuantity
    unit_of_measure: Text
    actual_date: TraceDate | None = Field(None, alias="date")
    package_type: Annotated[str, TYPES] | None = Field(None, alias="type")
    location: LocationRef = None
    origin: LotOriginBody
    additional: dict[str, Any] | None = None
    entity_state: list[dict[str, Any]] | None = None

    @field_validator("action")
    @classmethod
    def _creating(cls, action: str | None) -> str | None:
        if action not in (None, "create"):
            raise ValueError(f"a lot is made with the action {ACTIONS.id_of(None, 1)} (create)")
        return action


class LotAdjustmentBody(TraceBody):
    command = service.LotAdjustment
    quantity: TraceQuantity
    unit_of_measure: Text
    reason: Annotated[str, REASONS]
    adjustment_date: TraceDate | None = Field(None, alias="date")
    note: Note | None = None


class LotRemediationBody(TraceBody):
    command = service.LotRemediation
    method: Text
    treatment_date: TraceDate | None = Field(None, alias="date")
    steps: Note | None = None


class LotStateBody(TraceBody):
    """An `entity_state` entry of a change: the standing it asks of the lot."""

    command = service.StandingAsked
    asked: Annotated[tuple[str, str], PlainValidator(_asked), Schema({"type": "string"})] = Field(
        alias="state"
    )
    day: TraceDate | None = Field(None, alias="date")
    reason: Text | None = None
    actioned_by: Text | None = None

    def to_command(
        self, loaded: Mapping[str, Any], nested: Callable[[WireBody], Any] | None = None
    ) -> service.StandingAsked:
        facet, value = self.asked
        return service.StandingAsked(facet, value, self.day)


class LotChangeBody(TraceBody):
    command = service.LotChange
    not_kept = ("name", "additional")
    action: Annotated[str, ACTIONS] | None = None
    name: Text | None = None
    item: Annotated[TraceRef | None, Loads(Item, "product")] = Field(None, alias="product")
    location: LocationRef = None
    move_date: TraceDate | None = None
    adjustments: Parts[LotAdjustmentBody] = Field([], alias="adjustment")
    remediations: Parts[LotRemediationBody] = Field([], alias="remediation")
    standing: list[LotStateBody] = Field([], alias="entity_state", max_length=1000)
    additional: dict[str, Any] | None = None


# --- rendering


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


def _last_action(viewed: Viewed) -> dict[str, str] | None:
    """The last change of the lot that is a lot action (a draw into another lot is not)."""
    for action in reversed(viewed.actions):
        named = ACTIONS.ref(viewed.state, action)
        if named is not None:
            return named
    return None


def render(viewed: Viewed) -> dict[str, Any]:
    lot: LotRecord = viewed.record
    package = lot.package
    return {
        "license": licence_of(viewed.facility),
        "action": _last_action(viewed),
        "id": str(package.id),
        "name": package.label,
        "barcode": package.label,
        "quantity": package.quantity,
        "unit_of_measure": package.unit_of_measure_name,
        "date": trace_date(package.packaged_date),
        "type": TYPES.ref(viewed.state, package.package_type),
        "location": _location(viewed.state, lot),
        "origin": _origin(lot),
        "contents": _contents(lot),
        "additional": {
            "note": package.note,
            "patient_license": package.patient_license_number,
            "production_batch_number": package.production_batch_number,
            "expiration_date": trace_date(package.expiration_date),
            "sell_by_date": trace_date(package.sell_by_date),
            "use_by_date": trace_date(package.use_by_date),
            "is_testing_sample": package.is_testing_sample,
            "requires_remediation": package.product_requires_remediation,
            "lab_testing_state": LAB_STATES.get(package.lab_testing_state),
        },
        "entity_state": viewed.entity_state,
    }


# --- handlers

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


_listed = by_entity_state(LISTS, unkept=NOT_KEPT_STATES, noun="lot")

list_lots = listing(matching(_listed, "barcode", PackageRow.label), render, KIND)
get_lot = show(render, KIND)
create_lot = _permitted(write(service.create_lot, render, KIND), _creating_needs)
update_lot = _permitted(change(service.change_lot, render, KIND), _changing_needs)
