"""Trace harvests: views of the same Harvest rows the Metrc dialect lists.

A harvest's `type` (`/harvests/types`, ids `<STATE>HHT<nnnn>`) is harvest (whole plants) or
manicure_harvest; its `strain` lists the strains of the plants cut into it; its `totals` count
its plants and lots and keep its books in its unit of weight: `wet` (all plants cut in),
`waste`, `packaged` (drawn into lots), `restored` (plants taken back), and `current`, what
is left. `harvest_date.end` is the date it was finished.

- `POST /harvests`: cuts the `plants` (each `{"id", "quantity", "unit_of_measure"}`: its wet
  weight) into a new harvest drying at `locations`. The `strain` and `weights` the harvest
  answers are the ledger's own sums of its plants; `products` are made with an update.
- `PUT /harvests/{id}`: one action (`action.id`, `/harvests/actions`, ids `KMHAN<nnnn>`):
  add_plants (`plants`), waste (`waste`: `type` such as "Plant Material", `quantity`,
  `unit_of_measure`), create_lots (`products`: each `{"product": {"id"}, "barcode": <package
  tag>, "quantity", "unit_of_measure", "locations"}`, drawn from the harvest), finish,
  unfinish, move (`locations`), rename (`name`) or restore_plants (`plants`). `date` (or
  `move_date`) dates it. The ledger records no curing: a `cure` is not kept.
- `DELETE /harvests/{id}`: deactivates a harvest made by mistake: its plants are restored and
  it is archived; once anything was drawn from it, it must be finished instead.
- `GET /harvests`: `entity_state` active (the default), finished, onhold, inactive or deleted
  (deactivated); `expand=waste|lots|all` adds its waste records and the lots drawn from it;
  `name` finds the harvest of that name.
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
    remove,
    show,
    write,
)
from leafledger.dialects.trace.history import trace_date
from leafledger.dialects.trace.resources.cultivation import (
    LocationRef,
    Parts,
    by_id,
    expansions,
    location_field,
    patient_field,
    render_drawn,
    shown,
)
from leafledger.dialects.trace.shapes import additional, amount, licence_of, ref
from leafledger.dialects.trace.wire import TraceDate, TraceQuantity, TraceRef
from leafledger.domain import queries
from leafledger.domain.models import Harvest, HarvestWaste, Item, Location, Plant
from leafledger.domain.queries import companions
from leafledger.domain.queries.harvests import HarvestRecord, HarvestRow
from leafledger.domain.queries.history import HARVESTS
from leafledger.domain.services import trace_harvests as service
from leafledger.domain.services.harvests import PRODUCT, WHOLE_PLANT

TYPES = CodeList(
    "harvest type",
    "HHT",
    (Entry("harvest", WHOLE_PLANT), Entry("manicure_harvest", PRODUCT)),
)
ACTIONS = CodeList(
    "harvest action",
    "KMHAN",
    actions(
        ("add_plants", "cut more plants into the harvest (plants)"),
        ("waste", "record waste weighed out of the harvest (waste)"),
        ("create_lots", "make lots drawn from the harvest (products)"),
        ("finish", "finish the harvest (date)"),
        ("unfinish", "take a finished harvest up again"),
        ("move", "move the harvest to another drying location (locations)"),
        ("rename", "give the harvest a new name (name)"),
        ("restore_plants", "undo the harvest of some plants (plants)"),
    ),
    per_state=False,
)
KIND = Kind(
    Harvest.__tablename__,
    "harvest",
    HARVESTS,
    read_model=HarvestRow,
    complete=queries.harvests.complete,
)
HARVEST = ById(HarvestRow, "harvest")
HARVEST_TO_CHANGE = ById(Harvest, "harvest")

# --- bodies


class CutPlantBody(TraceBody):
    command = service.CutPlant
    plant: Annotated[TraceRef, Loads(Plant, "plant")] = Field(alias="id")
    weight: TraceQuantity | None = Field(None, alias="quantity")
    unit_of_weight: str | None = Field(None, alias="unit_of_measure")


def _dated() -> Any:
    return Field(None, validation_alias=AliasChoices("date", "move_date"))


class NewHarvestBody(TraceBody):
    command = service.NewHarvest
    not_kept = ("strain", "weights", "products", "cure")
    name: str
    harvest_type: Annotated[str, TYPES] = Field(alias="type")
    location: Annotated[TraceRef, Loads(Location, "location")] = Field(
        validation_alias=AliasChoices("locations", "location")
    )
    plants: Parts[CutPlantBody] = []
    harvest_date: TraceDate | None = Field(
        None, validation_alias=AliasChoices(AliasPath("harvest_date", "start"), "harvest_date")
    )
    patient_license_number: str | None = patient_field()


class WasteWeightBody(TraceBody):
    command = service.HarvestWasteEntry
    waste_type: str = Field(validation_alias=AliasChoices(AliasPath("type", "name"), "type"))
    weight: TraceQuantity = Field(alias="quantity")
    unit_of_weight: str = Field(alias="unit_of_measure")
    actual_date: TraceDate | None = Field(None, alias="date")


class LotBody(TraceBody):
    command = service.Lot
    tag: str = Field(alias="barcode")
    item: Annotated[TraceRef, Loads(Item, "product")] = Field(alias="product")
    weight: TraceQuantity = Field(alias="quantity")
    unit_of_weight: str = Field(alias="unit_of_measure")
    location: LocationRef = location_field()
    actual_date: TraceDate | None = Field(None, alias="date")


class HarvestUpdateBody(TraceBody):
    command = service.HarvestUpdate
    not_kept = ("cure",)
    action: Annotated[str, ACTIONS] = Field(validation_alias=AliasChoices("action", "actions"))
    name: str | None = None
    location: LocationRef = location_field()
    action_date: TraceDate | None = _dated()
    plants: Parts[CutPlantBody] = []
    waste: Parts[WasteWeightBody] = Field([], validation_alias=AliasChoices("waste", "weights"))
    lots: Parts[LotBody] = Field([], validation_alias=AliasChoices("products", "lots"))


# --- rendering


def _waste(waste: HarvestWaste) -> dict[str, Any]:
    return {
        "id": str(waste.id),
        "type": waste.waste_type_name,
        "quantity": amount(waste.weight),
        "entered": {
            "quantity": amount(waste.entered_weight),
            "unit_of_measure": waste.entered_unit,
        },
        "date": trace_date(waste.waste_date),
    }


def render(viewed: Viewed) -> dict[str, Any]:
    record: HarvestRecord = viewed.record
    harvest = record.harvest
    unit = harvest.unit_of_weight_name
    return {
        "license": licence_of(viewed.facility),
        "actions": None,
        "id": str(harvest.id),
        "name": harvest.name,
        "harvest_date": {
            "start": trace_date(harvest.harvest_start_date),
            "end": trace_date(harvest.finished_date),
        },
        "type": TYPES.ref(viewed.state, harvest.harvest_type),
        "strain": {
            "number": amount(len(record.strains)),
            "unit_of_measure": "Each",
            "strains": [{"id": str(s.id), "name": s.name} for s in record.strains],
        },
        "totals": {
            "plants": {"number": amount(harvest.plant_count), "unit_of_measure": "Each"},
            "lots": {"number": amount(harvest.package_count)},
            "weights": {
                "unit_of_measure": unit,
                "wet": amount(harvest.total_wet_weight),
                "current": amount(harvest.current_weight),
                "waste": amount(harvest.total_waste_weight),
                "packaged": amount(harvest.total_packaged_weight),
                "restored": amount(harvest.total_restored_weight),
            },
        },
        "locations": ref(harvest.drying_location_id, harvest.drying_location_name),
        "is_on_hold": harvest.is_on_hold,
        "additional": additional(harvest.patient_license_number),
        "waste": shown(viewed.companions, "waste", _waste),
        "lots": shown(viewed.companions, "lots", render_drawn),
        "entity_state": viewed.entity_state,
    }


# --- handlers

EXPAND = expansions(
    {
        "waste": by_id(companions.harvest_waste),
        "lots": by_id(companions.harvest_packages),
    }
)
_listed = by_entity_state(
    {
        "active": at_facility(queries.harvests.harvests, finished=False),
        "finished": at_facility(queries.harvests.harvests, finished=True),
        "onhold": at_facility(queries.harvests.on_hold),
        "inactive": at_facility(queries.harvests.archived),
        "deleted": at_facility(queries.harvests.archived),
    }
)

list_harvests = listing(matching(_listed, "name", HarvestRow.name), render, KIND, EXPAND)
get_harvest = show(render, KIND, EXPAND)
create_harvest = write(service.create_harvest, render, KIND, EXPAND)
update_harvest = change(service.update_harvest, render, KIND, EXPAND, ACTIONS)
delete_harvest = remove(service.deactivate_harvest)
