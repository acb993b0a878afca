"""Trace plants: views of the same Plant rows the Metrc dialect lists.

A plant's `id` is the ledger's plant id and its `name` and `barcode` its tag; its
`growth_phase` (`/plants/growth_phases`, ids `<STATE>PGP<nnnn>`) is vegetative, flowering or
mother (`is_mother_plant`), with the date the plant entered it. `quantity` is how many plants
its tag stands for (more than 1 for a plant group).

- `POST /plants`: tags `quantity` untracked plants of the batch `origin.plant_batch` into the
  growth phase, from `barcode` on (consecutive tags); answers the plants made, in tag order,
  as an array. They are of the batch's strain (a body naming another is refused); `name` is
  not kept, the tag names a plant.
- `PUT /plants/{id}`: one action (`actions.id`, `/plants/actions`): update (a new `barcode`:
  the tag is replaced; or another `strain`), move, additives, destroy (one destruction),
  waste or growth_phase. The answer names the action done.
- `GET /plants`: `entity_state` active (every growing plant, the default), vegetative,
  flowering, mother, harvested, destroyed or inactive (harvested, destroyed or merged);
  `expand=additives|manicure|harvest|waste|lots|all` adds the plant's additives, the
  manicures and the harvest it went to (with their wet weights), its waste and the lots made
  from it; `barcode` finds the plant of one tag.

Every rule is the plant and batch services' (`services/trace_plants.py` composes them).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AliasChoices, AliasPath, Field

from leafledger.dialects.kit.bodies import Loads
from leafledger.dialects.kit.factories import at_facility
from leafledger.dialects.kit.loaders import ById
from leafledger.dialects.trace.bodies import TraceBody
from leafledger.dialects.trace.codes import CodeList, Entry, actions
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
from leafledger.dialects.trace.resources.cultivation import (
    Expansion,
    LocationRef,
    StrainRef,
    UpdateParts,
    by_id,
    expansions,
    location_field,
    patient_field,
    render_additive,
    render_drawn,
    render_waste,
    shown,
)
from leafledger.dialects.trace.shapes import additional, amount, licence_of, ref
from leafledger.dialects.trace.wire import TraceBool, TraceDate, TraceInt, TraceRef
from leafledger.domain import queries
from leafledger.domain.models import Plant, PlantBatch
from leafledger.domain.queries import companions
from leafledger.domain.queries.history import PLANTS
from leafledger.domain.queries.plants import PlantList, PlantRow
from leafledger.domain.services import trace_plants as service
from leafledger.domain.services.harvests import PRODUCT, WHOLE_PLANT

PHASES = CodeList(
    "growth phase",
    "PGP",
    (
        Entry("vegetative", "Vegetative"),
        Entry("flowering", "Flowering"),
        Entry("mother", "Mother"),
    ),
)
ACTIONS = CodeList(
    "plant action",
    "PLUD",
    actions(
        ("update", "replace the plant's tag (barcode) or change its strain"),
        ("move", "move the plant to another location (locations, move_date)"),
        ("additives", "record additives applied to the plant (additives)"),
        ("destroy", "destroy the plant, and record its waste (destroy)"),
        ("waste", "record waste of the plant that destroys it not (waste)"),
        ("growth_phase", "move the plant to its next growth phase"),
    ),
)
KIND = Kind(Plant.__tablename__, "plant", PLANTS, read_model=PlantRow)
PLANT = ById(PlantRow, "plant")
PLANT_TO_CHANGE = ById(Plant, "plant")

# --- bodies


def _growth_date() -> Any:
    return Field(
        None,
        validation_alias=AliasChoices(AliasPath("growth_phase", "growth_date"), "growth_date"),
    )


class NewPlantsBody(TraceBody):
    command = service.NewPlants
    not_kept = ("name",)
    batch: Annotated[TraceRef, Loads(PlantBatch, "plant batch")] = Field(
        validation_alias=AliasChoices(
            AliasPath("origin", "plant_batch"), AliasPath("origin", "plant_batches", 0)
        )
    )
    count: TraceInt = Field(1, alias="quantity")
    starting_tag: str = Field(alias="barcode")
    growth_phase: Annotated[str, PHASES]
    growth_date: TraceDate | None = _growth_date()
    is_mother_plant: TraceBool = False
    strain: StrainRef = None
    location: LocationRef = location_field()
    patient_license_number: str | None = patient_field()


class PlantUpdateBody(UpdateParts):
    command = service.PlantUpdate
    action: Annotated[str, ACTIONS] = Field(validation_alias=AliasChoices("actions", "action"))
    barcode: str | None = None
    strain: StrainRef = None
    location: LocationRef = location_field()
    growth_phase: Annotated[str, PHASES] | None = None
    growth_date: TraceDate | None = _growth_date()
    is_mother_plant: TraceBool = False


# --- rendering


def _phase_date(plant: Any) -> Any:
    if plant.growth_phase == "Mother":
        return plant.mother_plant_date
    if plant.growth_phase == "Flowering":
        return plant.flowering_date
    return plant.vegetative_date


def _cut(cut: companions.Cut) -> dict[str, Any]:
    return {
        "harvest": ref(cut.harvest_id, cut.harvest_name),
        "quantity": amount(cut.wet_weight),
        "unit_of_measure": cut.unit_of_weight_name,
        "date": trace_date(cut.harvested_date),
    }


def render(viewed: Viewed) -> dict[str, Any]:
    """One plant, from a PlantRow or a record of the same columns (lists)."""
    plant = viewed.record
    state, more = viewed.state, viewed.companions
    destroyed = plant.destroyed_date
    return {
        "license": licence_of(viewed.facility),
        "actions": None,
        "id": str(plant.id),
        "name": plant.label,
        "barcode": plant.label,
        "is_mother_plant": plant.growth_phase == "Mother",
        "quantity": amount(plant.plant_count),
        "growth_phase": {
            **(PHASES.ref(state, plant.growth_phase) or {"id": None, "name": None}),
            "growth_date": trace_date(_phase_date(plant)),
        },
        "strain": ref(plant.strain_id, plant.strain_name),
        "origin": {"plant_batch": ref(plant.plant_batch_id, plant.plant_batch_name)},
        "locations": ref(plant.location_id, plant.location_name),
        "planted_date": trace_date(plant.planted_date),
        "harvested_date": trace_date(plant.harvested_date),
        "destroyed": None
        if destroyed is None
        else {
            "date": trace_date(destroyed),
            "note": plant.destroyed_note,
            "actioned_by": plant.destroyed_by_user_name,
        },
        "additional": additional(plant.patient_license_number),
        "additives": shown(more, "additives", lambda a: render_additive(state, a)),
        "manicure": shown(more, "manicure", _cut),
        "harvest": shown(more, "harvest", _cut),
        "waste": shown(more, "waste", render_waste),
        "lots": shown(more, "lots", render_drawn),
        "entity_state": viewed.entity_state,
    }


# --- handlers


def _cuts(harvest_type: str) -> Expansion:
    """The plants' cuts into harvests of one type (manicures, or whole harvests)."""

    def expansion(session: Any, rows: list[Any]) -> list[Any]:
        found = companions.plant_cuts(session, [row.id for row in rows])
        return [[c for c in found[row.id] if c.harvest_type == harvest_type] for row in rows]

    return expansion


def _waste(session: Any, rows: list[Any]) -> list[Any]:
    if not rows:
        return []
    found = companions.plant_waste(session, rows[0].facility_id, [row.label for row in rows])
    return [found[row.label] for row in rows]


EXPAND = expansions(
    {
        "additives": by_id(companions.plant_additives),
        "manicure": _cuts(PRODUCT),
        "harvest": _cuts(WHOLE_PLANT),
        "waste": _waste,
        "lots": by_id(companions.plant_packages),
    }
)


def _plants(selection: PlantList) -> Any:
    return at_facility(queries.plants.plants, selection=selection)


_listed = by_entity_state(
    {
        "active": _plants(queries.plants.ACTIVE),
        "vegetative": _plants(queries.plants.VEGETATIVE),
        "flowering": _plants(queries.plants.FLOWERING),
        "mother": _plants(queries.plants.MOTHER),
        "harvested": _plants(queries.plants.HARVESTED),
        "destroyed": _plants(queries.plants.DESTROYED),
        "inactive": _plants(queries.plants.EVERY_INACTIVE),
    }
)

list_plants = listing(matching(_listed, "barcode", Plant.label), render, KIND, EXPAND)
get_plant = show(render, KIND, EXPAND)
create_plants = write(service.create_plants, render, KIND, EXPAND)
update_plant = change(service.update_plant, render, KIND, EXPAND, ACTIONS)
