"""Harvest rows (v1 and v2), the plant rows that make harvests, and packages from harvests.

Each write row names its body schema below; the rules live in `domain/services/harvests.py`
and `domain/services/packages.py`, the lists in `domain/queries/harvests.py`. v2 objects carry
the three investigation flags of the v2 examples; v1 objects are the same without them, as the
v1 documentation shows.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.factories import at_facility, bulk, listing, remove, show
from leafledger.dialects.kit.loaders import ById, load_by_id
from leafledger.dialects.kit.paging import parse_positive_int
from leafledger.dialects.metrc.bodies import MetrcBody
from leafledger.dialects.metrc.resources.packages import NewPackageBody
from leafledger.dialects.metrc.wire import (
    HARVEST_WASTE_TYPES,
    WEIGHT_UNITS,
    BatchNumber,
    Licence,
    Name,
    WireBool,
    WireDate,
    WireId,
    WireQuantity,
    choice,
)
from leafledger.domain import queries
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import Harvest, HarvestWaste
from leafledger.domain.queries.base import Listed
from leafledger.domain.queries.harvests import HarvestRecord, HarvestRow, WasteRecord
from leafledger.domain.services import harvests as service
from leafledger.domain.services import packages as package_service

# --- bodies ----------------------------------------------------------------------------------


class PlantCutBody(MetrcBody):
    command = service.PlantCut
    plant: str
    weight: WireQuantity
    unit_of_weight: str = choice(WEIGHT_UNITS)
    drying_location: str
    drying_sublocation: str | None = None
    harvest_name: Name | None = None
    patient_license_number: Licence | None = None
    actual_date: WireDate | None = None


class _HarvestById(MetrcBody):
    harvest_id: WireId = Field(alias="Id")


class WasteBody(_HarvestById):
    command = service.RecordWaste
    waste_type: str = choice(HARVEST_WASTE_TYPES)
    weight: WireQuantity = Field(alias="WasteWeight")
    unit_of_weight: str = choice(WEIGHT_UNITS)
    actual_date: WireDate | None = None


class FinishBody(_HarvestById):
    command = service.FinishHarvest
    actual_date: WireDate | None = None


class UnfinishBody(_HarvestById):
    command = service.UnfinishHarvest


class MoveBody(MetrcBody):
    command = service.MoveHarvest
    harvest_id: WireId | None = Field(default=None, alias="Id")
    harvest_name: str | None = None
    drying_location: str
    drying_sublocation: str | None = None
    actual_date: WireDate | None = None


class RenameBody(MetrcBody):
    command = service.RenameHarvest
    harvest_id: WireId | None = Field(default=None, alias="Id")
    old_name: str | None = None
    new_name: Name


class RestoreBody(MetrcBody):
    command = service.RestorePlants
    harvest_id: WireId
    plant_tags: tuple[str, ...]


class IngredientBody(MetrcBody):
    command = package_service.Ingredient
    harvest_id: WireId | None = None
    harvest_name: str | None = None
    weight: WireQuantity
    unit_of_weight: str = choice(WEIGHT_UNITS)


class HarvestPackageBody(NewPackageBody):
    command = package_service.HarvestPackage
    unit_of_weight: str = choice(WEIGHT_UNITS)
    is_production_batch: WireBool = False
    production_batch_number: BatchNumber | None = None
    product_requires_remediation: WireBool = False
    ingredients: tuple[IngredientBody, ...] = ()


# --- rendering -------------------------------------------------------------------------------


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def render_harvest_v1(record: HarvestRecord) -> dict[str, Any]:
    harvest: HarvestRow = record.harvest
    strains = record.strains
    return {
        "Id": harvest.id,
        "Name": harvest.name,
        "HarvestType": harvest.harvest_type,
        "SourceStrainCount": len(strains),
        "SourceStrainNames": ", ".join(s.name for s in strains) or None,
        "Strains": [{"Id": s.id, "Name": s.name} for s in strains],
        "DryingLocationId": harvest.drying_location_id,
        "DryingLocationName": harvest.drying_location_name,
        "DryingSublocationId": harvest.drying_sublocation_id or 0,
        "DryingSublocationName": harvest.drying_sublocation_name,
        "DryingLocationTypeName": harvest.drying_location_type_name,
        "PatientLicenseNumber": harvest.patient_license_number,
        "CurrentWeight": harvest.current_weight,
        "TotalWasteWeight": harvest.total_waste_weight,
        "PlantCount": harvest.plant_count,
        "TotalWetWeight": harvest.total_wet_weight,
        "TotalRestoredWeight": harvest.total_restored_weight,
        "PackageCount": harvest.package_count,
        "TotalPackagedWeight": harvest.total_packaged_weight,
        "UnitOfWeightName": harvest.unit_of_weight_name,
        "LabTestingState": harvest.lab_testing_state,
        "LabTestingStateDate": None,
        "IsOnHold": harvest.is_on_hold,
        "HarvestStartDate": harvest.harvest_start_date.isoformat(),
        "FinishedDate": _iso(harvest.finished_date),
        "ArchivedDate": _iso(harvest.archived_date),
        "LastModified": harvest.last_modified.isoformat(),
    }


_INVESTIGATION = [
    ("IsOnInvestigation", False),
    ("IsOnInvestigationHold", False),
    ("IsOnInvestigationRecall", False),
]


def render_harvest_v2(record: HarvestRecord) -> dict[str, Any]:
    """The v1 object with the investigation flags right after IsOnHold, as the v2 example."""
    fields = list(render_harvest_v1(record).items())
    held = [key for key, _ in fields].index("IsOnHold") + 1
    return dict([*fields[:held], *_INVESTIGATION, *fields[held:]])


def render_waste(record: WasteRecord) -> dict[str, Any]:
    waste = record.waste
    return {
        "Id": waste.id,
        "WasteTypeName": waste.waste_type_name,
        "WasteWeight": waste.weight,
        "UnitOfWeightName": record.unit_of_weight_name,
        "ActualDate": waste.waste_date.isoformat(),
    }


# --- loaders ---------------------------------------------------------------------------------

HARVEST = ById(HarvestRow, "harvest", complete=queries.harvests.complete)
WASTE = ById(HarvestWaste, "harvest waste")


def asked_harvest(call: Call) -> Harvest:
    """GET /harvests/v2/waste?harvestId=: the harvest the query names, loaded as a path id is
    (a harvest of another facility answers 401)."""
    harvest_id = parse_positive_int("harvestId", call.query.get("harvestId"))
    if harvest_id is None:
        raise RuleViolation("harvestId (a harvest's Id) is required.")
    return load_by_id(call.session, Harvest, harvest_id, call.facility, "harvest")


# --- handlers --------------------------------------------------------------------------------


def _waste_of_target(call: Call) -> Listed:
    harvest: Harvest = call.target
    return queries.harvests.waste(harvest)


active_v2 = listing(at_facility(queries.harvests.harvests, finished=False), render_harvest_v2)
active_v1 = listing(at_facility(queries.harvests.harvests, finished=False), render_harvest_v1)
inactive_v2 = listing(at_facility(queries.harvests.harvests, finished=True), render_harvest_v2)
inactive_v1 = listing(at_facility(queries.harvests.harvests, finished=True), render_harvest_v1)
onhold_v2 = listing(at_facility(queries.harvests.on_hold), render_harvest_v2)
onhold_v1 = listing(at_facility(queries.harvests.on_hold), render_harvest_v1)
get_v2 = show(render_harvest_v2)
get_v1 = show(render_harvest_v1)
waste_list = listing(_waste_of_target, render_waste)

harvest_plants = bulk(service.harvest_plant)
manicure_plants = bulk(service.manicure_plant)
record_waste = bulk(service.record_waste)
discontinue_waste = remove(service.discontinue_waste)
finish = bulk(service.finish_harvest)
unfinish = bulk(service.unfinish_harvest)
move = bulk(service.move_harvest)
rename = bulk(service.rename_harvest)
restore_harvested_plants = bulk(service.restore_harvested_plants)

create_packages = bulk(
    package_service.create_package_from_harvests, package_service.lock_harvest_packages
)
create_testing_packages = bulk(
    package_service.create_testing_package_from_harvests, package_service.lock_harvest_packages
)
