"""Plant endpoints, v1 and v2: reads by id, label and growth phase, changes, waste, additives.

Lists read `PlantRow`, a read-only mapping of one joined query (plant, batch, strain, location,
sublocation, the user who destroyed it), filtered by the columns of the plants index
(facility, growth phase, state, id): one SELECT per page, no query per plant. Harvest, manicure
and package rows live with the harvests and packages.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, Select, Subquery, select
from sqlalchemy.orm import Mapped

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.loaders import load_by_id, load_by_key
from leafledger.dialects.metrc.bodies import WireObject
from leafledger.dialects.metrc.factories import bulk, by_id, listing, path_id
from leafledger.dialects.metrc.resources.plant_batches import (
    BATCH_TYPE_IDS,
    AdditiveBody,
    ReadModel,
    WasteRecordBody,
    WireDate,
    parse,
    wire_date,
)
from leafledger.dialects.metrc.results import Listing, legacy_listing
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import Location, Plant, PlantBatch, Strain, Sublocation, User
from leafledger.domain.models.additive import PlantAdditive
from leafledger.domain.models.base import among
from leafledger.domain.models.plant import PlantWaste
from leafledger.domain.services import plants as service
from leafledger.domain.services.plant_batches import Waste
from leafledger.domain.services.plant_counts import plant_count
from leafledger.domain.services.plants import ACTIVE_STATES, INACTIVE_STATES, PhaseChange
from leafledger.domain.units import find_unit

# --- the read model ------------------------------------------------------------------------

_PLANT_ROWS = (
    select(
        Plant.id,
        Plant.facility_id,
        Plant.label,
        Plant.state,
        Plant.growth_phase,
        Plant.plant_batch_id,
        PlantBatch.name.label("plant_batch_name"),
        PlantBatch.batch_type.label("plant_batch_type"),
        Plant.strain_id,
        Strain.name.label("strain_name"),
        Plant.location_id,
        Location.name.label("location_name"),
        Location.location_type_name,
        Plant.sublocation_id,
        Sublocation.name.label("sublocation_name"),
        Plant.patient_license_number,
        Plant.last_harvest_id,
        Plant.harvested_unit_of_weight,
        Plant.harvested_wet_weight,
        Plant.harvest_count,
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
    .join(PlantBatch, PlantBatch.id == Plant.plant_batch_id)
    .join(Strain, Strain.id == Plant.strain_id)
    .outerjoin(Location, Location.id == Plant.location_id)
    .outerjoin(Sublocation, Sublocation.id == Plant.sublocation_id)
    .outerjoin(User, User.id == Plant.destroyed_by_user_id)
    .subquery("plant_rows")
)


class PlantRow(ReadModel):
    __table__ = _PLANT_ROWS

    id: Mapped[int]
    facility_id: Mapped[int]
    label: Mapped[str]
    state: Mapped[str]
    growth_phase: Mapped[str]
    plant_batch_id: Mapped[int]
    plant_batch_name: Mapped[str]
    plant_batch_type: Mapped[str]
    strain_id: Mapped[int]
    strain_name: Mapped[str]
    location_id: Mapped[int | None]
    location_name: Mapped[str | None]
    location_type_name: Mapped[str | None]
    sublocation_id: Mapped[int | None]
    sublocation_name: Mapped[str | None]
    patient_license_number: Mapped[str | None]
    last_harvest_id: Mapped[int | None]
    harvested_unit_of_weight: Mapped[str | None]
    harvested_wet_weight: Mapped[Decimal | None]
    harvest_count: Mapped[int]
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


def render(plant: Any) -> dict[str, Any]:
    """One plant, from a PlantRow or a record of the same columns (lists)."""
    unit = find_unit(plant.harvested_unit_of_weight) if plant.harvested_unit_of_weight else None
    return {
        "Id": plant.id,
        "Label": plant.label,
        "State": plant.state,
        "GrowthPhase": plant.growth_phase,
        "GroupTagTypeMax": 0,
        "TagTypeMax": 0,
        "PlantBatchId": plant.plant_batch_id,
        "PlantBatchName": plant.plant_batch_name,
        "PlantBatchTypeId": BATCH_TYPE_IDS.get(plant.plant_batch_type),
        "PlantBatchTypeName": plant.plant_batch_type,
        "StrainId": plant.strain_id,
        "StrainName": plant.strain_name,
        "LocationId": plant.location_id,
        "LocationName": plant.location_name,
        "LocationTypeName": plant.location_type_name,
        "SublocationId": plant.sublocation_id,
        "SublocationName": plant.sublocation_name,
        "PatientLicenseNumber": plant.patient_license_number,
        "HarvestId": plant.last_harvest_id,
        "HarvestedUnitOfWeightName": None if unit is None else unit.name,
        "HarvestedUnitOfWeightAbbreviation": None if unit is None else unit.abbreviation,
        "HarvestedWetWeight": plant.harvested_wet_weight,
        "HarvestCount": plant.harvest_count,
        "IsOnHold": plant.is_on_hold,
        "IsOnInvestigation": False,
        "IsOnInvestigationHold": False,
        "IsOnInvestigationRecall": False,
        "PlantedDate": plant.planted_date.isoformat(),
        "VegetativeDate": wire_date(plant.vegetative_date),
        "FloweringDate": wire_date(plant.flowering_date),
        "HarvestedDate": wire_date(plant.harvested_date),
        "DestroyedDate": wire_date(plant.destroyed_date),
        "DestroyedNote": plant.destroyed_note,
        "DestroyedByUserName": plant.destroyed_by_user_name,
        "MotherPlantDate": wire_date(plant.mother_plant_date),
        "ClonedCount": None,
        "SurvivedCount": None,
        "DescendedCount": None,
        "LastModified": plant.last_modified.isoformat(),
    }


# Plant lists are the busiest reads: their statements are built once per facility and kept
# (kit/paging.py then reuses the page statement made from them).
STATEMENTS_KEPT = 1024


def _plants(*conditions: Callable[[], ColumnElement[bool]]) -> Callable[[Call], Select[Any]]:
    """The ids of a list's plants, in id order: the order of the (facility, phase, id) index,
    so a page needs no sort and the pages before it cost index entries only."""

    @lru_cache(maxsize=STATEMENTS_KEPT)
    def of_facility(facility_id: int) -> Select[int]:
        return (
            select(Plant.id)
            .where(Plant.facility_id == facility_id, *(c() for c in conditions))
            .order_by(Plant.id)
        )

    return lambda call: of_facility(call.facility.id)


def _plant_rows(page_ids: Subquery) -> Select[Any]:
    """The plants of one page of ids, joined to their names for rendering: plain rows, which
    `render` reads like PlantRow objects at a fraction of the cost of building objects."""
    rows = _PLANT_ROWS
    return select(rows).where(rows.c.id.in_(select(page_ids.c.id))).order_by(rows.c.id)


def _phase(phase: str) -> Callable[[], ColumnElement[bool]]:
    return lambda: Plant.growth_phase == phase


def _states(states: tuple[str, ...]) -> Callable[[], ColumnElement[bool]]:
    return lambda: among(Plant.state, states)


def _held() -> ColumnElement[bool]:
    return Plant.is_on_hold.is_(True)


def _not_mother() -> ColumnElement[bool]:
    return Plant.growth_phase != "Mother"


def _mother() -> ColumnElement[bool]:
    return Plant.growth_phase == "Mother"


MODIFIED = Plant.last_modified
GROWING = ("Vegetative", "Flowering")


def _counted(
    phases: tuple[str, ...], states: tuple[str, ...]
) -> Callable[[Call], ScalarSelect[int]]:
    """The list's Total from the plant counters: no count over a million rows per page."""

    @lru_cache(maxsize=STATEMENTS_KEPT)
    def of_facility(facility_id: int) -> ScalarSelect[int]:
        return plant_count(facility_id, list(phases), list(states))

    return lambda call: of_facility(call.facility.id)


vegetative = listing(
    _plants(_phase("Vegetative"), _states(ACTIVE_STATES)),
    render,
    MODIFIED,
    expand=_plant_rows,
    total=_counted(("Vegetative",), ACTIVE_STATES),
)
flowering = listing(
    _plants(_phase("Flowering"), _states(ACTIVE_STATES)),
    render,
    MODIFIED,
    expand=_plant_rows,
    total=_counted(("Flowering",), ACTIVE_STATES),
)
inactive = listing(
    _plants(_not_mother, _states(INACTIVE_STATES)),
    render,
    MODIFIED,
    expand=_plant_rows,
    total=_counted(GROWING, INACTIVE_STATES),
)
onhold = listing(
    _plants(_not_mother, _states(ACTIVE_STATES), _held), render, MODIFIED, expand=_plant_rows
)
mother = listing(
    _plants(_mother, _states(ACTIVE_STATES)),
    render,
    MODIFIED,
    expand=_plant_rows,
    total=_counted(("Mother",), ACTIVE_STATES),
)
mother_inactive = listing(
    _plants(_mother, _states(INACTIVE_STATES)),
    render,
    MODIFIED,
    expand=_plant_rows,
    total=_counted(("Mother",), INACTIVE_STATES),
)
mother_onhold = listing(
    _plants(_mother, _states(ACTIVE_STATES), _held), render, MODIFIED, expand=_plant_rows
)


def _load(call: Call, plant_id: int) -> PlantRow:
    return load_by_id(call.session, PlantRow, plant_id, call.facility, "plant")


get_by_id = by_id(_load, render)


def get_by_label(call: Call) -> dict[str, Any]:
    label = str(call.path_params["label"])
    found = load_by_key(call.session, PlantRow, PlantRow.label, label, call.facility, "plant")
    return render(found)


# --- writes --------------------------------------------------------------------------------


class PhaseBody(WireObject):
    id: int | None = None
    label: str | None = None
    new_tag: str | None = None
    growth_phase: str
    new_location: str | None = None
    new_sublocation: str | None = None
    growth_date: WireDate | None = None


def _growth_phase(call: Call, obj: dict[str, Any]) -> int:
    body = parse(PhaseBody, obj)
    change = PhaseChange(
        plant_id=body.id,
        label=body.label,
        growth_phase=body.growth_phase,
        new_tag=body.new_tag,
        location=body.new_location,
        sublocation=body.new_sublocation,
        growth_date=body.growth_date,
    )
    return service.change_growth_phase(call.session, call.actor, call.facility, change).id


growth_phase = bulk(_growth_phase)


class MoveBody(WireObject):
    id: int | None = None
    label: str | None = None
    location: str
    sublocation: str | None = None
    actual_date: WireDate | None = None


def _move(call: Call, obj: dict[str, Any]) -> int:
    body = parse(MoveBody, obj)
    return service.move(
        call.session,
        call.actor,
        call.facility,
        plant_id=body.id,
        label=body.label,
        location=body.location,
        sublocation=body.sublocation,
        actual_date=body.actual_date,
    ).id


move = bulk(_move)


class TagBody(WireObject):
    id: int | None = None
    label: str | None = None
    new_tag: str | None = None
    replace_date: WireDate | None = None


def _tag(call: Call, obj: dict[str, Any]) -> int:
    body = parse(TagBody, obj)
    return service.replace_tag(
        call.session,
        call.actor,
        call.facility,
        plant_id=body.id,
        label=body.label,
        new_tag=body.new_tag,
        replace_date=body.replace_date,
    ).id


tag = bulk(_tag)


class StrainBody(WireObject):
    id: int | None = None
    label: str | None = None
    strain_id: int | None = None
    strain_name: str | None = None


def _strain(call: Call, obj: dict[str, Any]) -> int:
    body = parse(StrainBody, obj)
    return service.change_strain(
        call.session,
        call.actor,
        call.facility,
        plant_id=body.id,
        label=body.label,
        strain_id=body.strain_id,
        strain_name=body.strain_name,
    ).id


strain = bulk(_strain)


class DestroyBody(WireObject):
    id: int | None = None
    label: str | None = None
    waste_method_name: str | None = None
    waste_material_mixed: str | None = None
    waste_weight: Decimal | None = None
    waste_unit_of_measure_name: str | None = None
    waste_reason_name: str | None = None
    reason_note: str | None = None
    actual_date: WireDate | None = None


def _destroy(call: Call, obj: dict[str, Any]) -> int:
    body = parse(DestroyBody, obj)
    waste = Waste(
        method=body.waste_method_name,
        material_mixed=body.waste_material_mixed,
        reason=body.waste_reason_name,
        note=body.reason_note,
        weight=body.waste_weight,
        unit=body.waste_unit_of_measure_name,
    )
    return service.destroy(
        call.session,
        call.actor,
        call.facility,
        plant_id=body.id,
        label=body.label,
        waste=waste,
        actual_date=body.actual_date,
    ).id


destroy = bulk(_destroy)


class WasteBody(WasteRecordBody):
    location_name: str | None = None
    plant_labels: list[str] = []


def _waste(call: Call, obj: dict[str, Any]) -> int:
    body = parse(WasteBody, obj)
    return service.record_waste(
        call.session,
        call.actor,
        call.facility,
        waste=body.waste(),
        location=body.location_name,
        labels=body.plant_labels,
        waste_date=body.waste_date,
    ).id


waste = bulk(_waste)


class _WasteRow(ReadModel):
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


def _render_waste(item: _WasteRow) -> dict[str, Any]:
    return {
        "PlantWasteNumber": str(item.id),
        "WasteMethodName": item.waste_method_name,
        "WasteWeight": item.weight,
        "WasteUnitOfMeasureName": item.unit_of_measure_name,
        "WasteReasonName": item.waste_reason_name,
        "PlantBatchId": item.plant_batch_id,
        "PlantBatchName": item.plant_batch_name,
        "PlantCount": item.plant_count,
        "WasteDate": item.waste_date.isoformat(),
    }


def _waste_rows(call: Call) -> Select[_WasteRow]:
    return select(_WasteRow).where(_WasteRow.facility_id == call.facility.id).order_by(_WasteRow.id)


waste_list = listing(_waste_rows, _render_waste)


def waste_plants(call: Call) -> Listing:
    """GET /plants/v2/waste/{id}/plant: the plants one waste record names."""
    row = load_by_id(call.session, PlantWaste, path_id(call), call.facility, "plant waste")
    labels = [x for x in (row.plant_labels or "").split(",") if x]
    plants = list(
        call.session.scalars(
            select(PlantRow)
            .where(PlantRow.facility_id == call.facility.id, PlantRow.label.in_(labels))
            .order_by(PlantRow.id)
        )
    )
    share = row.weight / len(plants) if plants else row.weight
    unit = find_unit(row.unit_of_measure_name)

    def render_one(plant: PlantRow) -> dict[str, Any]:
        return {
            "PlantWasteId": row.id,
            "PlantId": plant.id,
            "Label": plant.label,
            "StateName": plant.state,
            "GrowthPhase": plant.growth_phase,
            "LocationId": plant.location_id,
            "LocationName": plant.location_name,
            "SublocationId": plant.sublocation_id,
            "SublocationName": plant.sublocation_name,
            "WasteAmount": share,
            "WasteUnitOfMeasureAbbreviation": None if unit is None else unit.abbreviation,
        }

    return legacy_listing(plants, render_one)


# --- additives -----------------------------------------------------------------------------


class PlantAdditiveBody(AdditiveBody):
    plant_labels: list[str] | None = None
    location_name: str | None = None
    sublocation_name: str | None = None


def _additives(by_location: bool, template: bool) -> Any:
    def apply(call: Call, obj: dict[str, Any]) -> int | None:
        body = parse(PlantAdditiveBody, obj)
        if template and not body.additives_template_name:
            raise RuleViolation("AdditivesTemplateName is required.")
        if not by_location and body.plant_labels is None:
            raise RuleViolation("PlantLabels is required.")
        rows = service.add_additive(
            call.session,
            call.actor,
            call.facility,
            labels=None if by_location else body.plant_labels,
            location=body.location_name,
            sublocation=body.sublocation_name,
            template_name=body.additives_template_name if template else None,
            details=body.details(),
            actual_date=body.actual_date,
        )
        return rows[0].id

    return bulk(apply)


additives = _additives(by_location=False, template=False)
additives_using_template = _additives(by_location=False, template=True)
additives_by_location = _additives(by_location=True, template=False)
additives_by_location_using_template = _additives(by_location=True, template=True)


class _AdditiveRow(ReadModel):
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


def _amount(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _render_additive(row: _AdditiveRow) -> dict[str, Any]:
    d = row.details
    return {
        "AdditiveTypeName": d.get("additive_type"),
        "ProductTradeName": d.get("product_trade_name"),
        "EpaRegistrationNumber": d.get("epa_registration_number"),
        "ProductSupplier": d.get("product_supplier"),
        "ApplicationDevice": d.get("application_device"),
        "AmountUnitOfMeasure": d.get("total_amount_unit_of_measure"),
        "TotalAmountApplied": _amount(d.get("total_amount_applied")),
        "PlantBatchId": row.plant_batch_id,
        "PlantBatchName": row.plant_batch_name,
        "PlantCount": row.plant_count,
        "RestrictiveEntryIntervalQuantityDescription": d.get("rei_quantity_description"),
        "RestrictiveEntryIntervalTimeDescription": d.get("rei_time_description"),
        "Rate": d.get("rate"),
        "Volume": d.get("volume"),
        "Note": d.get("note"),
    }


def _additive_rows(call: Call) -> Select[_AdditiveRow]:
    return (
        select(_AdditiveRow)
        .where(_AdditiveRow.facility_id == call.facility.id)
        .order_by(_AdditiveRow.id)
    )


additives_list = listing(_additive_rows, _render_additive, modified=_AdditiveRow.last_modified)
