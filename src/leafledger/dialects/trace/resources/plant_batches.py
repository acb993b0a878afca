"""Trace plant batches: views of the same PlantBatch rows the Metrc dialect lists.

A batch's `type` is seed or clone (`/plant_batches/types`, ids `<STATE>PBT<nnnn>`); its
`quantity` counts its plants: `untracked` (still counted in the batch), `tracked` (tagged
into plants), `lots` (packaged), `wasted.number_wasted` (destroyed) and their `total`. Its
`barcode` is the plant tag the batch carries, if any.

- `POST /plant_batches`: plants `quantity.total` seeds or clones of a strain; with
  `origin.plants` (one mother plant) they are taken from that plant, with
  `origin.plant_batches` (one batch) split off it. Planting from lots is not served yet.
- `PUT /plant_batches/{id}`: one action (`actions.id`, `/plant_batches/actions`): update (a
  new `name` or `strain`), move (`locations`, `move_date`), additives, destroy (`destroy`:
  how many plants, and the waste) or waste. The answer names the action done (`actions`).
- `GET /plant_batches`: `entity_state` active (holding untracked plants; the default) or
  inactive; `expand=additives|waste|all` adds the batch's additives and waste records;
  `barcode` finds the batch carrying that tag.

Every rule is the batch services' (`services/trace_plant_batches.py` composes them).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, AliasChoices, AliasPath, Field

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
    LocationRef,
    Parts,
    StrainRef,
    UpdateParts,
    by_id,
    expansions,
    location_field,
    patient_field,
    render_additive,
    render_waste,
    shown,
)
from leafledger.dialects.trace.shapes import additional, amount, licence_of, ref
from leafledger.dialects.trace.wire import TraceDate, TraceInt, TraceQuantity, TraceRef
from leafledger.domain import queries
from leafledger.domain.models import Plant, PlantBatch, Strain
from leafledger.domain.queries import companions
from leafledger.domain.queries.history import PLANT_BATCHES
from leafledger.domain.queries.plant_batches import PlantBatchRow
from leafledger.domain.services import trace_plant_batches as service

TYPES = CodeList("plant batch type", "PBT", (Entry("seed", "Seed"), Entry("clone", "Clone")))
ACTIONS = CodeList(
    "plant batch action",
    "PBUD",
    actions(
        ("update", "rename the batch (name) or change its strain (strain)"),
        ("move", "move the batch to another location (locations, move_date)"),
        ("additives", "record additives applied to its plants (additives)"),
        ("destroy", "destroy some of its plants, and their waste (destroy)"),
        ("waste", "record waste of its plants that destroys none (waste)"),
    ),
)
KIND = Kind(PlantBatch.__tablename__, "plant batch", PLANT_BATCHES, read_model=PlantBatchRow)
BATCH = ById(PlantBatchRow, "plant batch")
BATCH_TO_CHANGE = ById(PlantBatch, "plant batch")

# --- bodies


def _the_row(*, row: Any, **_rest: Any) -> Any:
    """An origin part stands for the row it names."""
    return row


class _OriginPart(TraceBody):
    command = _the_row
    quantity: TraceQuantity | None = None
    unit_of_measure: str | None = None


class OriginPlantBody(_OriginPart):
    row: Annotated[TraceRef, Loads(Plant, "plant")] = Field(alias="id")


class OriginBatchBody(_OriginPart):
    row: Annotated[TraceRef, Loads(PlantBatch, "plant batch")] = Field(alias="id")


def _no_lots(lots: list[Any]) -> list[Any]:
    if lots:
        raise ValueError("planting from lots is not served yet; plant from seed or a plant")
    return lots


class NewBatchBody(TraceBody):
    command = service.NewBatch
    name: str
    batch_type: Annotated[str, TYPES] = Field(alias="type")
    count: TraceInt = Field(validation_alias=AliasPath("quantity", "total"))
    strain: Annotated[TraceRef, Loads(Strain, "strain")]
    location: LocationRef = location_field()
    planted_date: TraceDate | None = None
    patient_license_number: str | None = patient_field()
    barcode: str | None = None
    mother_plants: Parts[OriginPlantBody] = Field(
        [],
        validation_alias=AliasChoices(AliasPath("origin", "plants"), AliasPath("origin", "plant")),
    )
    source_batches: Parts[OriginBatchBody] = Field(
        [], validation_alias=AliasPath("origin", "plant_batches")
    )
    lots: Annotated[Parts[Any], AfterValidator(_no_lots)] = Field(
        [], validation_alias=AliasPath("origin", "lots")
    )


class BatchUpdateBody(UpdateParts):
    command = service.BatchUpdate
    action: Annotated[str, ACTIONS] = Field(validation_alias=AliasChoices("actions", "action"))
    name: str | None = None
    strain: StrainRef = None
    location: LocationRef = location_field()


# --- rendering


def render(viewed: Viewed) -> dict[str, Any]:
    batch: PlantBatchRow = viewed.record
    state = viewed.state
    counted = (batch.untracked_count, batch.tracked_count, batch.packaged_count)
    return {
        "license": licence_of(viewed.facility),
        "actions": None,
        "id": str(batch.id),
        "name": batch.name,
        "barcode": batch.tag_label,
        "type": TYPES.ref(state, batch.batch_type),
        "quantity": {
            "unit_of_measure": "Each",
            "total": amount(sum(counted) + batch.destroyed_count),
            "untracked": amount(batch.untracked_count),
            "tracked": amount(batch.tracked_count),
            "lots": amount(batch.packaged_count),
            "harvested": None,
            "wasted": {
                "number_scheduled_for_destruction": "0",
                "number_wasted": amount(batch.destroyed_count),
            },
        },
        "planted_date": trace_date(batch.planted_date),
        "strain": ref(batch.strain_id, batch.strain_name),
        "origin": {
            "plants": _origin(batch.source_plant_id, batch.source_plant_label),
            "plant_batches": None,
            "lots": _origin(batch.source_package_id, batch.source_package_label),
        },
        "additives": shown(viewed.companions, "additives", lambda a: render_additive(state, a)),
        "waste": shown(viewed.companions, "waste", render_waste),
        "locations": ref(batch.location_id, batch.location_name),
        "additional": additional(batch.patient_license_number),
        "entity_state": viewed.entity_state,
    }


def _origin(source_id: int | None, label: str | None) -> list[dict[str, Any]] | None:
    return None if source_id is None else [{"id": str(source_id), "barcode": label}]


# --- handlers

EXPAND = expansions(
    {
        "additives": by_id(companions.batch_additives),
        "waste": by_id(companions.batch_waste),
    }
)
_listed = by_entity_state(
    {
        "active": at_facility(queries.plant_batches.batches, active=True),
        "inactive": at_facility(queries.plant_batches.batches, active=False),
    }
)

list_batches = listing(matching(_listed, "barcode", PlantBatchRow.tag_label), render, KIND, EXPAND)
get_batch = show(render, KIND, EXPAND)
create_batch = write(service.create_batch, render, KIND, EXPAND)
update_batch = change(service.update_batch, render, KIND, EXPAND, ACTIONS)
