"""Plants as both dialects read them: the plant lists, one plant, plant waste and additives.

A plant reads through `PlantRow`, a read-only mapping of one joined query (plant, batch, strain,
location, sublocation, the user who destroyed it), so a page of plants is one SELECT with no
query per plant.

The plant lists (`plants`, with one of the `PlantList`s below) are the busiest reads. Each
selects only plant ids, in id order, by the columns of the (facility, growth phase, id) index,
so a page needs no sort and the pages before it cost index entries only; `expand` joins the
page's ids to their rows. Their Totals come from the plant counters (services/plant_counts.py)
rather than from counting a million rows. Their statements are built once per facility and
kept, so that kit/paging.py reuses the page statement it made from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, func, select
from sqlalchemy.orm import Mapped

from leafledger.domain.models import (
    Facility,
    Location,
    Plant,
    PlantBatch,
    Strain,
    Sublocation,
    User,
)
from leafledger.domain.models.additive import PlantAdditive
from leafledger.domain.models.base import among
from leafledger.domain.models.plant import PlantWaste
from leafledger.domain.queries.base import Listed, ReadModel, of_facility
from leafledger.domain.services.cultivation import ACTIVE_STATES, INACTIVE_STATES, TAGGED_PHASES
from leafledger.domain.services.plant_counts import plant_count

# --- what plants and batches read alike ----------------------------------------------------


def strain_and_place(model: type[Plant] | type[PlantBatch]) -> tuple[Any, ...]:
    """The columns naming the strain and place of a plant or a batch (and the patient it is
    grown for), from the tables `joined_to_place` joins."""
    return (
        model.strain_id,
        Strain.name.label("strain_name"),
        model.location_id,
        Location.name.label("location_name"),
        Location.location_type_name,
        model.sublocation_id,
        Sublocation.name.label("sublocation_name"),
        model.patient_license_number,
    )


def joined_to_place(query: Select[Any], model: type[Plant] | type[PlantBatch]) -> Select[Any]:
    """`query` joined to the strain, location and sublocation of `model`'s rows."""
    return (
        query.join(Strain, Strain.id == model.strain_id)
        .outerjoin(Location, Location.id == model.location_id)
        .outerjoin(Sublocation, Sublocation.id == model.sublocation_id)
    )


class StrainAndPlace:
    """The columns of `strain_and_place`, as the read models over them map them."""

    strain_id: Mapped[int]
    strain_name: Mapped[str]
    location_id: Mapped[int | None]
    location_name: Mapped[str | None]
    location_type_name: Mapped[str | None]
    sublocation_id: Mapped[int | None]
    sublocation_name: Mapped[str | None]
    patient_license_number: Mapped[str | None]


# --- one plant -----------------------------------------------------------------------------

_PLANT_ROWS = (
    joined_to_place(
        select(
            Plant.id,
            Plant.facility_id,
            Plant.label,
            Plant.state,
            Plant.growth_phase,
            Plant.plant_batch_id,
            PlantBatch.name.label("plant_batch_name"),
            PlantBatch.batch_type.label("plant_batch_type"),
            *strain_and_place(Plant),
            Plant.last_harvest_id,
            Plant.harvested_unit_of_weight,
            Plant.harvested_wet_weight,
            Plant.harvest_count,
            Plant.plant_count,
            Plant.is_on_hold,
            Plant.planted_date,
            Plant.vegetative_date,
            Plant.flowering_date,
            Plant.harvested_date,
            Plant.destroyed_date,
            Plant.destroyed_note,
            User.full_name.label("destroyed_by_user_name"),
            Plant.mother_plant_date,
            Plant.last_modified,
        )
        .select_from(Plant)
        .join(PlantBatch, PlantBatch.id == Plant.plant_batch_id),
        Plant,
    )
    .outerjoin(User, User.id == Plant.destroyed_by_user_id)
    .subquery("plant_rows")
)


class PlantRow(StrainAndPlace, ReadModel):
    __table__ = _PLANT_ROWS

    id: Mapped[int]
    facility_id: Mapped[int]
    label: Mapped[str]
    state: Mapped[str]
    growth_phase: Mapped[str]
    plant_batch_id: Mapped[int]
    plant_batch_name: Mapped[str]
    plant_batch_type: Mapped[str]
    last_harvest_id: Mapped[int | None]
    harvested_unit_of_weight: Mapped[str | None]
    harvested_wet_weight: Mapped[Decimal | None]
    harvest_count: Mapped[int]
    plant_count: Mapped[int]
    is_on_hold: Mapped[bool]
    planted_date: Mapped[date]
    vegetative_date: Mapped[date | None]
    flowering_date: Mapped[date | None]
    harvested_date: Mapped[date | None]
    destroyed_date: Mapped[date | None]
    destroyed_note: Mapped[str | None]
    destroyed_by_user_name: Mapped[str | None]
    mother_plant_date: Mapped[date | None]
    last_modified: Mapped[datetime]


# --- the plant lists -----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PlantList:
    """Which of a facility's plants a list holds (`conditions` on the plants table) and, when
    the counters know its size, the (phases, states) its Total adds up."""

    conditions: tuple[ColumnElement[bool], ...]
    counted: tuple[tuple[str, ...], tuple[str, ...]] | None = None


_ACTIVE = among(Plant.state, ACTIVE_STATES)
_INACTIVE = among(Plant.state, INACTIVE_STATES)
_HELD = Plant.is_on_hold.is_(True)
_MOTHER = Plant.growth_phase == "Mother"
_NOT_MOTHER = Plant.growth_phase != "Mother"
_GROWING = ("Vegetative", "Flowering")

VEGETATIVE = PlantList(
    (Plant.growth_phase == "Vegetative", _ACTIVE), (("Vegetative",), ACTIVE_STATES)
)
FLOWERING = PlantList((Plant.growth_phase == "Flowering", _ACTIVE), (("Flowering",), ACTIVE_STATES))
INACTIVE = PlantList((_NOT_MOTHER, _INACTIVE), (_GROWING, INACTIVE_STATES))
ON_HOLD = PlantList((_NOT_MOTHER, _ACTIVE, _HELD))
MOTHER = PlantList((_MOTHER, _ACTIVE), (("Mother",), ACTIVE_STATES))
MOTHER_INACTIVE = PlantList((_MOTHER, _INACTIVE), (("Mother",), INACTIVE_STATES))
MOTHER_ON_HOLD = PlantList((_MOTHER, _ACTIVE, _HELD))
# Every phase at once (Trace lists plants by standing, mothers among them).
ACTIVE = PlantList((_ACTIVE,), (TAGGED_PHASES, ACTIVE_STATES))
EVERY_INACTIVE = PlantList((_INACTIVE,), (TAGGED_PHASES, INACTIVE_STATES))
HARVESTED = PlantList((Plant.state == "HarvestedFully",), (TAGGED_PHASES, ("HarvestedFully",)))
DESTROYED = PlantList((Plant.state == "Destroyed",), (TAGGED_PHASES, ("Destroyed",)))

# The lists' statements of this many facilities are kept (eleven lists each).
FACILITIES_KEPT = 1024


def plants(facility: Facility, selection: PlantList) -> Listed:
    """The facility's plants of one list, in id order."""
    return _kept(selection, facility.id)


@lru_cache(maxsize=11 * FACILITIES_KEPT)
def _kept(selection: PlantList, facility_id: int) -> Listed:
    source = (
        select(Plant.id)
        .where(Plant.facility_id == facility_id, *selection.conditions)
        .order_by(Plant.id)
    )
    total = None
    if selection.counted is not None:
        phases, states = selection.counted
        total = plant_count(facility_id, list(phases), list(states))
    return Listed(source, modified=Plant.last_modified, total=total, expand=_page_of_plants)


def _page_of_plants(page_ids: Subquery) -> Select[Any]:
    """The plants of one page of ids, joined to their names: plain rows, which renderers read
    like PlantRow objects at a fraction of the cost of building objects."""
    rows = _PLANT_ROWS
    return select(rows).where(rows.c.id.in_(select(page_ids.c.id))).order_by(rows.c.id)


# --- plant waste ---------------------------------------------------------------------------


class PlantWasteRow(ReadModel):
    """A plant waste record with the name of the batch it concerns, if any."""

    __table__ = (
        select(
            PlantWaste.id,
            PlantWaste.facility_id,
            PlantWaste.waste_method_name,
            PlantWaste.weight,
            PlantWaste.unit_of_measure_name,
            PlantWaste.waste_reason_name,
            PlantWaste.plant_batch_id,
            PlantBatch.name.label("plant_batch_name"),
            PlantWaste.plant_count,
            PlantWaste.waste_date,
        )
        .outerjoin(PlantBatch, PlantBatch.id == PlantWaste.plant_batch_id)
        .subquery("plant_waste_rows")
    )

    id: Mapped[int]
    facility_id: Mapped[int]
    waste_method_name: Mapped[str]
    weight: Mapped[Decimal]
    unit_of_measure_name: Mapped[str]
    waste_reason_name: Mapped[str | None]
    plant_batch_id: Mapped[int | None]
    plant_batch_name: Mapped[str | None]
    plant_count: Mapped[int]
    waste_date: Mapped[date]


def waste(facility: Facility) -> Listed:
    """Every plant waste record of the facility (of plants, batches or locations), oldest first."""
    source = (
        select(PlantWasteRow).where(of_facility(PlantWasteRow, facility)).order_by(PlantWasteRow.id)
    )
    return Listed(source)


_WASTE_PLANT_COLUMNS: tuple[Any, ...] = (
    PlantRow.id,
    PlantRow.label,
    PlantRow.state,
    PlantRow.growth_phase,
    PlantRow.location_id,
    PlantRow.location_name,
    PlantRow.sublocation_id,
    PlantRow.sublocation_name,
    PlantWaste.id.label("plant_waste_id"),
    PlantWaste.weight.label("waste_weight"),
    PlantWaste.unit_of_measure_name.label("waste_unit_of_measure_name"),
    func.count().over().label("plants_named"),
)


def waste_plants(facility: Facility, record: PlantWaste) -> Listed:
    """The plants a waste record names, each with the record and the number of plants found
    (`plants_named`: a plant's share of the weight is the weight over that number)."""
    labels = [label for label in (record.plant_labels or "").split(",") if label]
    source = (
        select(*_WASTE_PLANT_COLUMNS)
        .join(PlantWaste, PlantWaste.id == record.id)
        .where(of_facility(PlantRow, facility), PlantRow.label.in_(labels))
        .order_by(PlantRow.id)
    )
    return Listed(source)


# --- additives -----------------------------------------------------------------------------


class PlantAdditiveRow(ReadModel):
    """An additive record (of plants or of a batch) with the name of its batch."""

    __table__ = (
        select(
            PlantAdditive.id,
            PlantAdditive.facility_id,
            PlantAdditive.details,
            PlantAdditive.plant_batch_id,
            PlantBatch.name.label("plant_batch_name"),
            PlantAdditive.plant_count,
            PlantAdditive.last_modified,
        )
        .outerjoin(PlantBatch, PlantBatch.id == PlantAdditive.plant_batch_id)
        .subquery("plant_additive_rows")
    )

    id: Mapped[int]
    facility_id: Mapped[int]
    details: Mapped[dict[str, Any]]
    plant_batch_id: Mapped[int | None]
    plant_batch_name: Mapped[str | None]
    plant_count: Mapped[int]
    last_modified: Mapped[datetime]


def additives(facility: Facility) -> Listed:
    """Every additive applied at the facility, to plants or to batches, oldest first."""
    source = (
        select(PlantAdditiveRow)
        .where(of_facility(PlantAdditiveRow, facility))
        .order_by(PlantAdditiveRow.id)
    )
    return Listed(source, modified=PlantAdditiveRow.last_modified)
