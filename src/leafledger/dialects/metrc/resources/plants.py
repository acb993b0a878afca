"""Plant endpoints, v1 and v2: reads by id, label and growth phase, changes, waste, additives.

Each write row names its body schema here; the kit turns every object into the command of
`domain/services/plants.py`. Reads come from `domain/queries/plants.py` (one SELECT per page,
no query per plant); the renderers only translate. Harvest, manicure and package rows live with
the harvests and packages. PUT /plants/v2/adjust (a row Metrc serves without listing it in
its catalogue) corrects a plant group's count (`services/plant_groups.py`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from pydantic import Field

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.endpoint import Handler
from leafledger.dialects.kit.factories import at_facility, bulk, listing, show
from leafledger.dialects.kit.loaders import ById, ByKey
from leafledger.dialects.metrc.resources.plant_batches import (
    BATCH_TYPE_IDS,
    AdditiveFields,
    Alternatives,
    DestructionWaste,
    Pairs,
    UsingTemplate,
    WasteRecordFields,
    render_waste,
    wire_date,
)
from leafledger.dialects.metrc.wire import PHASES, Name, Note, WireDate, WireId, WireInt, choice
from leafledger.domain import queries
from leafledger.domain.models.plant import PlantWaste
from leafledger.domain.queries.base import Listed
from leafledger.domain.queries.plants import PlantAdditiveRow, PlantList, PlantRow
from leafledger.domain.services import plant_groups
from leafledger.domain.services import plants as service
from leafledger.domain.units import find_unit

# --- bodies --------------------------------------------------------------------------------


class _PlantNamed(Alternatives):
    """A plant named by Id or, failing that, by Label."""

    alternatives: ClassVar[Pairs] = (("plant_id", "label", "Name the plant by {0} or by {1}."),)
    plant_id: WireId | None = Field(None, alias="Id")
    label: str | None = None


class PhaseBody(_PlantNamed):
    command = service.PhaseChange
    new_tag: str | None = None
    growth_phase: str = choice(PHASES)
    location: Name | None = Field(None, alias="NewLocation")
    sublocation: Name | None = Field(None, alias="NewSublocation")
    growth_date: WireDate | None = None


class MoveBody(_PlantNamed):
    command = service.PlantMove
    location: Name
    sublocation: Name | None = None
    actual_date: WireDate | None = None


class TagBody(_PlantNamed):
    command = service.TagReplacement
    new_tag: str
    replace_date: WireDate | None = None


class StrainBody(_PlantNamed):
    command = service.StrainChange
    strain_id: WireId | None = None
    strain_name: Name | None = None


class CountAdjustmentBody(_PlantNamed):
    command = plant_groups.CountAdjustment
    count: WireInt = Field(alias="AdjustCount")
    reason: str = Field(alias="AdjustReason")
    note: Note | None = Field(None, alias="ReasonNote")
    adjustment_date: WireDate | None = None


class DestroyBody(_PlantNamed, DestructionWaste):
    command = service.PlantDestruction


class WasteBody(WasteRecordFields):
    command = service.PlantWasteRecord
    location: Name | None = Field(None, alias="LocationName")
    labels: list[str] = Field([], alias="PlantLabels")


class AdditiveBody(AdditiveFields):
    command = service.PlantsAdditive
    labels: list[str] = Field(alias="PlantLabels")


class TemplateAdditiveBody(AdditiveBody, UsingTemplate):
    """The plants' additive, completed from a template."""


class LocationAdditiveBody(AdditiveFields):
    command = service.LocationAdditive
    location: Name = Field(alias="LocationName")
    sublocation: Name | None = Field(None, alias="SublocationName")


class LocationTemplateAdditiveBody(LocationAdditiveBody, UsingTemplate):
    """The location's additive, completed from a template."""


# --- rendering -----------------------------------------------------------------------------


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


def render_waste_plant(plant: Any) -> dict[str, Any]:
    """A plant of a waste record (queries.plants.waste_plants), with its share of the weight."""
    unit = find_unit(plant.waste_unit_of_measure_name)
    return {
        "PlantWasteId": plant.plant_waste_id,
        "PlantId": plant.id,
        "Label": plant.label,
        "StateName": plant.state,
        "GrowthPhase": plant.growth_phase,
        "LocationId": plant.location_id,
        "LocationName": plant.location_name,
        "SublocationId": plant.sublocation_id,
        "SublocationName": plant.sublocation_name,
        "WasteAmount": plant.waste_weight / plant.plants_named,
        "WasteUnitOfMeasureAbbreviation": None if unit is None else unit.abbreviation,
    }


def _amount(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def render_additive(row: PlantAdditiveRow) -> dict[str, Any]:
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


# --- handlers ------------------------------------------------------------------------------

PLANT = ById(PlantRow, "plant")
PLANT_BY_LABEL = ByKey(PlantRow, "label", "plant")
WASTE = ById(PlantWaste, "plant waste")


def _plants(selection: PlantList) -> Handler:
    return listing(at_facility(queries.plants.plants, selection=selection), render)


def _of_waste_record(call: Call) -> Listed:
    """The plants the waste record of the path names."""
    return queries.plants.waste_plants(call.facility, call.target)


get = show(render)
vegetative = _plants(queries.plants.VEGETATIVE)
flowering = _plants(queries.plants.FLOWERING)
inactive = _plants(queries.plants.INACTIVE)
onhold = _plants(queries.plants.ON_HOLD)
mother = _plants(queries.plants.MOTHER)
mother_inactive = _plants(queries.plants.MOTHER_INACTIVE)
mother_onhold = _plants(queries.plants.MOTHER_ON_HOLD)
waste_list = listing(at_facility(queries.plants.waste), render_waste)
waste_plants = listing(_of_waste_record, render_waste_plant)
additives_list = listing(at_facility(queries.plants.additives), render_additive)

growth_phase = bulk(service.change_growth_phase)
move = bulk(service.move)
tag = bulk(service.replace_tag)
strain = bulk(service.change_strain)
destroy = bulk(service.destroy)
waste = bulk(service.record_waste)
additives = bulk(service.add_additive)
additives_by_location = bulk(service.add_additive_by_location)
adjust_count = bulk(plant_groups.adjust_count)
