"""What plants, plant batches and harvests share on the Trace wire: the parts of their updates
(additives, destructions, waste), how those records are shown, and their `expand` parameter.

An additive is named by the additive (template) it applies, `{"id": ...}`, and/or described
as it was applied: `type` (one of `/config/additives/types`), `name` (the product's trade
name), `epa_number`, `supplier`, `quantity` and `unit_of_measure` (the amount applied),
`content` (active ingredients, in percent) and `date`. A destruction counts the plants it
destroys (`quantity`) and the waste they leave (`waste_weight`, `unit_of_measure`, `method`,
`reason`, `material_mixed`, `note`); a waste entry weighs waste taken without destroying a
plant (`quantity`, `unit_of_measure`...). Methods and reasons are the ledger's names (the
Metrc lists: "Compost", "Male Plants"...).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, AliasChoices, AliasPath, BeforeValidator, Field

from leafledger.dialects.kit.bodies import Loads
from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.errors import bad_request
from leafledger.dialects.trace.bodies import TraceBody
from leafledger.dialects.trace.codes import CodeList, Entry
from leafledger.dialects.trace.factories import Companions
from leafledger.dialects.trace.history import trace_date
from leafledger.dialects.trace.shapes import amount, ref
from leafledger.dialects.trace.wire import TraceDate, TraceInt, TraceQuantity, TraceRef
from leafledger.domain.models import AdditivesTemplate, Location, PlantAdditive, PlantWaste, Strain
from leafledger.domain.services import additives, trace_cultivation

P = TypeVar("P")

ADDITIVE_TYPES = CodeList(
    "additive type",
    "PAT",
    (
        Entry("fertilizer", "Fertilizer"),
        Entry("pesticide", "Pesticide"),
        Entry("other", "Other"),
    ),
)


def _in_percent(unit: str | None) -> str | None:
    if unit is not None and unit.strip().lower() not in ("percent", "%", ""):
        raise ValueError("the ledger keeps an additive's content in percent")
    return unit


class ContentBody(TraceBody):
    """One active ingredient, as a share of the additive."""

    command = additives.Ingredient
    name: str | None = Field(None, alias="chemical_component")
    percentage: TraceQuantity | None = Field(None, alias="quantity")
    unit_of_measure: Annotated[str | None, AfterValidator(_in_percent)] = None


class AdditiveBody(TraceBody):
    command = trace_cultivation.AppliedAdditive
    template: Annotated[TraceRef | None, Loads(AdditivesTemplate, "additive")] = Field(
        None, alias="id"
    )
    additive_type: Annotated[str, ADDITIVE_TYPES] | None = Field(None, alias="type")
    product_trade_name: str | None = Field(None, alias="name")
    epa_registration_number: str | None = Field(None, alias="epa_number")
    product_supplier: str | None = Field(None, alias="supplier")
    application_device: str | None = None
    total_amount_applied: TraceQuantity | None = Field(None, alias="quantity")
    total_amount_unit_of_measure: str | None = Field(None, alias="unit_of_measure")
    active_ingredients: list[ContentBody] | None = Field(None, alias="content", max_length=100)
    rate: str | None = None
    volume: str | None = None
    actual_date: TraceDate | None = Field(None, alias="date")


class _WasteFields(TraceBody):
    method: str | None = None
    reason: str | None = None
    material_mixed: str | None = None
    note: str | None = None
    unit: str | None = Field(None, alias="unit_of_measure")


class DestructionBody(_WasteFields):
    command = trace_cultivation.Destruction
    count: TraceInt = Field(1, alias="quantity")
    weight: TraceQuantity | None = Field(None, alias="waste_weight")
    actual_date: TraceDate | None = Field(None, alias="date")


class WasteBody(_WasteFields):
    command = trace_cultivation.WasteEntry
    weight: TraceQuantity | None = Field(None, alias="quantity")
    waste_date: TraceDate | None = Field(None, alias="date")


def _none_as_empty(value: Any) -> Any:
    return [] if value is None else value


# How many parts of one kind a body may carry (plants cut into a harvest, lots drawn from it):
# each is a service call of its own, and a request is one transaction.
MAX_PARTS = 100

# A list of parts; null is no part (Trace sends `"plant_batches": null`).
Parts = Annotated[list[P], BeforeValidator(_none_as_empty), Field(max_length=MAX_PARTS)]
LocationRef = Annotated[TraceRef | None, Loads(Location, "location")]
StrainRef = Annotated[TraceRef | None, Loads(Strain, "strain")]


def location_field() -> Any:
    """Where a body names a location: `locations` (as Trace's samples) or `location`."""
    return Field(None, validation_alias=AliasChoices("locations", "location"))


def patient_field() -> Any:
    """The patient a body's plants are grown for: `additional.patient_license`."""
    return Field(None, validation_alias=AliasPath("additional", "patient_license"))


class UpdateParts(TraceBody):
    """The parts a plant's or a plant batch's update may carry."""

    additives: Parts[AdditiveBody] = []
    destructions: Parts[DestructionBody] = Field([], alias="destroy")
    waste: Parts[WasteBody] = []
    move_date: TraceDate | None = None


# --- rendering


def render_additive(state: str, applied: PlantAdditive) -> dict[str, Any]:
    details = applied.details
    return {
        "id": None if applied.template_id is None else str(applied.template_id),
        "type": ADDITIVE_TYPES.ref(state, details.get("additive_type")),
        "name": details.get("product_trade_name"),
        "epa_number": details.get("epa_registration_number"),
        "supplier": details.get("product_supplier"),
        "quantity": amount(details.get("total_amount_applied")),
        "unit_of_measure": details.get("total_amount_unit_of_measure"),
        "content": [
            {
                "chemical_component": ingredient.get("name"),
                "quantity": amount(ingredient.get("percentage")),
                "unit_of_measure": "percent",
            }
            for ingredient in details.get("active_ingredients") or []
        ],
        "plants": amount(applied.plant_count),
        "date": trace_date(applied.applied_date),
    }


def render_waste(waste: PlantWaste) -> dict[str, Any]:
    return {
        "id": str(waste.id),
        "quantity": amount(waste.weight),
        "unit_of_measure": waste.unit_of_measure_name,
        "method": waste.waste_method_name,
        "reason": waste.waste_reason_name,
        "material_mixed": waste.waste_material_mixed,
        "note": waste.note,
        "plants": amount(waste.plant_count),
        "date": trace_date(waste.waste_date),
    }


def render_drawn(drawn: Any) -> dict[str, Any]:
    """A lot made from a plant or a harvest (`queries.companions.Drawn`)."""
    return {
        **(ref(drawn.package_id, drawn.item_name) or {}),
        "barcode": drawn.label,
        "quantity": amount(drawn.quantity),
        "unit_of_measure": drawn.unit_of_measure_name,
        "drawn": {"quantity": amount(drawn.drawn), "unit_of_measure": drawn.drawn_unit_name},
        "date": trace_date(drawn.packaged_date),
    }


# --- expand


# What one expansion reads for a page: (session, the page's rows) -> one value per row.
Expansion = Callable[[Any, list[Any]], list[Any]]


def expansions(choices: dict[str, Expansion]) -> Callable[[Call], Companions | None]:
    """The `expand` parameter of a list or an object: a comma-separated choice of `choices`'
    names, or `all`; its companions are a `{name: value}` per row (one statement per name)."""

    def asked(call: Call) -> Companions | None:
        raw = (call.query.get("expand") or "").strip().lower()
        if not raw:
            return None
        names = [name.strip() for name in raw.split(",") if name.strip()]
        if "all" in names:
            names = list(choices)
        unknown = [name for name in names if name not in choices]
        if unknown:
            raise bad_request(
                f"expand may name {', '.join(choices)} or all; got {', '.join(unknown)}."
            )
        chosen = {name: choices[name] for name in dict.fromkeys(names)}

        def companions(session: Any, rows: list[Any]) -> list[Any]:
            found = {name: read(session, rows) for name, read in chosen.items()}
            return [{name: found[name][index] for name in chosen} for index in range(len(rows))]

        return companions

    return asked


def by_id(read: Callable[[Any, list[int]], dict[int, list[Any]]]) -> Expansion:
    """An expansion read by the rows' ids."""

    def expansion(session: Any, rows: list[Any]) -> list[Any]:
        found = read(session, [row.id for row in rows])
        return [found[row.id] for row in rows]

    return expansion


def shown(companions: Any, name: str, render: Callable[[Any], Any]) -> list[Any] | None:
    """The companions `name` of a viewed object, rendered; null when not asked for."""
    if not companions or name not in companions:
        return None
    return [render(item) for item in companions[name]]
