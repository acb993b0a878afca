"""Processing jobs and job types, v1 and v2: every row of the catalogue's Processing Job part.

- Job types: POST/PUT /processing/v2/jobtypes, DELETE /processing/v2/jobtypes/{id} (archive),
  the active and inactive lists, the fixed categories list and the facility's attributes. A
  job type renders with the keys of Metrc's example, its category's flags beside its category
  name and its attributes as records (Id, Name, LastModified).
- Jobs: POST /processing/v2/start, POST /processing/v2/adjust, POST
  /processing/v2/createpackages, PUT /processing/v2/finish and /unfinish, DELETE
  /processing/v2/{id} (archive), GET /processing/v2/{id}, the active and inactive lists. A job
  renders with the keys of Metrc's example. Its totals (TotalCount, TotalVolume, TotalWeight)
  are what it took in of each type, in the unit it is shown in; its wastes are what finishing
  recorded, in the unit each was stated in; TotalQuantity is the total of its main type
  (weight, then volume, then count). `Packages`, an empty list in every example Metrc gives,
  lists what the job holds from each source package (PackageId, PackageLabel, Quantity and
  its unit, in the package's unit). Unit ids are Metrc's (the position of the unit in its
  units list: Each 1, Ounces 2, ... Fluid Ounces 7, as its examples number them).

The rules are in domain/services/processing.py and processing_types.py, the reads in
domain/queries/processing.py. v2 writes answer the ids touched (createpackages: the new
packages'), v1 writes an empty 200.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from leafledger.dialects.kit.bodies import Loads
from leafledger.dialects.kit.factories import at_facility, bulk, fixed, listing, remove, show
from leafledger.dialects.kit.loaders import ById
from leafledger.dialects.metrc.bodies import MetrcBody
from leafledger.dialects.metrc.render import pascal_record
from leafledger.dialects.metrc.resources.packages import _PackageFields
from leafledger.dialects.metrc.wire import (
    BatchNumber,
    Name,
    Note,
    UnsetDate,
    WireBool,
    WireDate,
    WireId,
    WireQuantity,
    choice,
)
from leafledger.domain import queries
from leafledger.domain.models import ProcessingJob, ProcessingJobAttribute, ProcessingJobType
from leafledger.domain.queries.processing import JobRecord, JobRow, JobTypeRecord, Measured
from leafledger.domain.services import processing as service
from leafledger.domain.services import processing_types as types
from leafledger.domain.units import UNITS, QuantityType, UnitOfMeasure, find_unit

CATEGORY_NAMES = tuple(category.name for category in types.CATEGORIES)

# --- bodies: job types -----------------------------------------------------------------------


class _JobTypeFields(MetrcBody):
    name: Name | None = None
    description: Note | None = None
    processing_steps: Note | None = None
    attributes: list[Name] | None = None


class JobTypeBody(_JobTypeFields):
    command = types.JobTypeFields
    category: Name | None = choice(CATEGORY_NAMES, default=None, alias="Category")


class JobTypeChangeBody(_JobTypeFields):
    command = types.JobTypeChange
    job_type: Annotated[WireId, Loads(ProcessingJobType, "processing job type")] = Field(alias="Id")
    category: Name | None = choice(CATEGORY_NAMES, default=None, alias="CategoryName")


# --- bodies: jobs ----------------------------------------------------------------------------


class JobPackageBody(MetrcBody):
    command = service.JobPackage
    label: Name | None = None
    quantity: WireQuantity
    unit_of_measure: Name | None = None


class _JobHolding(MetrcBody):
    packages: tuple[JobPackageBody, ...] = ()


class StartBody(_JobHolding):
    command = service.JobStart
    name: Name | None = Field(None, alias="JobName")
    job_type: Name | None = None
    count_unit: Name | None = Field(None, alias="CountUnitOfMeasure")
    volume_unit: Name | None = Field(None, alias="VolumeUnitOfMeasure")
    weight_unit: Name | None = Field(None, alias="WeightUnitOfMeasure")
    start_date: UnsetDate = None


class _JobById(MetrcBody):
    job: Annotated[WireId, Loads(ProcessingJob, "processing job")] = Field(alias="Id")


class AdjustBody(_JobById, _JobHolding):
    command = service.JobAdjustment
    reason: Name | None = Field(None, alias="AdjustmentReason")
    adjustment_date: UnsetDate = None
    note: Note | None = Field(None, alias="AdjustmentNote")
    count_unit: Name | None = Field(None, alias="CountUnitOfMeasureName")
    volume_unit: Name | None = Field(None, alias="VolumeUnitOfMeasureName")
    weight_unit: Name | None = Field(None, alias="WeightUnitOfMeasureName")


class FinishBody(_JobById):
    command = service.JobFinish
    finish_date: WireDate | None = None
    finish_note: Note | None = None
    waste_count: WireQuantity | None = Field(None, alias="TotalCountWaste")
    waste_count_unit: Name | None = Field(None, alias="WasteCountUnitOfMeasureName")
    waste_volume: WireQuantity | None = Field(None, alias="TotalVolumeWaste")
    waste_volume_unit: Name | None = Field(None, alias="WasteVolumeUnitOfMeasureName")
    waste_weight: WireQuantity | None = Field(None, alias="TotalWeightWaste")
    waste_weight_unit: Name | None = Field(None, alias="WasteWeightUnitOfMeasureName")


class UnfinishBody(_JobById):
    command = service.JobNamed


class JobPackagesBody(_PackageFields):
    """A package made from a job (what every new package states, its date as PackageDate),
    and optionally the job's finish."""

    command = service.JobOutput
    job_name: Name | None = None
    item: Name | None = None
    quantity: WireQuantity
    unit_of_measure: Name | None = None
    is_finished_good: WireBool = False
    production_batch_number: BatchNumber | None = None
    actual_date: WireDate | None = Field(None, alias="PackageDate")
    finish_job: WireBool = Field(False, alias="FinishProcessingJob")
    finish_date: WireDate | None = None
    finish_note: Note | None = None
    waste_count: WireQuantity | None = Field(None, alias="WasteCountQuantity")
    waste_count_unit: Name | None = Field(None, alias="WasteCountUnitOfMeasureName")
    waste_volume: WireQuantity | None = Field(None, alias="WasteVolumeQuantity")
    waste_volume_unit: Name | None = Field(None, alias="WasteVolumeUnitOfMeasureName")
    waste_weight: WireQuantity | None = Field(None, alias="WasteWeightQuantity")
    waste_weight_unit: Name | None = Field(None, alias="WasteWeightUnitOfMeasureName")


# --- rendering -------------------------------------------------------------------------------


def _unit_id(unit: UnitOfMeasure | None) -> int | None:
    """Metrc's id of a unit: its place in Metrc's list of units, from 1."""
    return None if unit is None else UNITS.index(unit) + 1


def _measured(total_key: str, unit_key: str, measured: Measured | None) -> dict[str, Any]:
    """A total and its unit, as the four keys Metrc gives them (`unit_key`: CountUnitOfMeasure,
    WasteCountUnitOfMeasure...)."""
    unit = None if measured is None else measured.unit
    return {
        total_key: None if measured is None else measured.quantity,
        f"{unit_key}Id": _unit_id(unit),
        f"{unit_key}Name": None if unit is None else unit.name,
        f"{unit_key}Abbreviation": None if unit is None else unit.abbreviation,
    }


_KINDS = (
    (QuantityType.COUNT, "Count"),
    (QuantityType.VOLUME, "Volume"),
    (QuantityType.WEIGHT, "Weight"),
)


def render_job(record: JobRecord) -> dict[str, Any]:
    job: JobRow = record.job
    taken: dict[str, Any] = {}
    for kind, word in _KINDS:
        # A type the job has no unit for yet took nothing in: none of it, in no unit.
        total = record.taken_in(kind)
        taken.update(_measured(f"Total{word}", f"{word}UnitOfMeasure", total))
        if total is None:
            taken[f"Total{word}"] = 0
    wastes: dict[str, Any] = {}
    for kind, word in _KINDS:
        wastes.update(
            _measured(f"Total{word}Waste", f"Waste{word}UnitOfMeasure", record.waste(kind))
        )
    main = record.main_total
    return {
        "Id": job.id,
        "Name": job.name,
        "Number": record.number,
        "JobTypeId": job.job_type_id,
        "JobTypeName": job.job_type_name,
        "StartDate": job.start_date.isoformat(),
        **taken,
        **wastes,
        "Packages": [
            {
                "PackageId": held.package_id,
                "PackageLabel": held.label,
                "Quantity": held.quantity,
                "UnitOfMeasureName": held.unit_of_measure_name,
                "UnitOfMeasureAbbreviation": _abbreviation(held.unit_of_measure_name),
            }
            for held in record.holdings
        ],
        "IsFinished": job.finished_date is not None,
        "FinishNote": job.finish_note,
        "FinishedDate": None if job.finished_date is None else job.finished_date.isoformat(),
        "TotalUnitOfMeasureId": None if main is None else _unit_id(main.unit),
        "TotalQuantity": None if main is None else main.quantity,
    }


def _abbreviation(unit_name: str) -> str | None:
    unit = find_unit(unit_name)
    return None if unit is None else unit.abbreviation


def render_attribute(attribute: ProcessingJobAttribute) -> dict[str, Any]:
    return {
        "Id": attribute.id,
        "Name": attribute.name,
        "LastModified": attribute.last_modified.isoformat(),
    }


def render_job_type(record: JobTypeRecord) -> dict[str, Any]:
    job_type = record.job_type
    category = types.category_of(job_type.category_name)
    return {
        "Id": job_type.id,
        "Name": job_type.name,
        "Description": job_type.description,
        "CategoryName": job_type.category_name,
        "ForItems": category is not None and category.for_items,
        "ForProcessingJobs": category is not None and category.for_processing_jobs,
        "RequiresProcessingJobAttributes": (
            category is not None and category.requires_processing_job_attributes
        ),
        "ProcessingSteps": job_type.processing_steps,
        "Attributes": [render_attribute(attribute) for attribute in record.attributes],
    }


# --- handlers --------------------------------------------------------------------------------

JOB = ById(JobRow, "processing job", complete=queries.processing.complete_jobs)
JOB_ITSELF = ById(ProcessingJob, "processing job")
JOB_TYPE = ById(ProcessingJobType, "processing job type")

create_job_types = bulk(types.create_job_type)
update_job_types = bulk(types.update_job_type)
archive_job_type = remove(types.archive_job_type)
active_job_types = listing(at_facility(queries.processing.job_types, active=True), render_job_type)
inactive_job_types = listing(
    at_facility(queries.processing.job_types, active=False), render_job_type
)
categories = fixed(types.CATEGORIES, pascal_record, "job_type_categories")
attributes = listing(at_facility(queries.processing.attributes), render_attribute)

start = bulk(service.start_job)
adjust = bulk(service.adjust_job)
create_packages = bulk(service.create_job_package)
finish = bulk(service.finish_job)
unfinish = bulk(service.unfinish_job)
archive = remove(service.archive_job)
get = show(render_job)
active = listing(at_facility(queries.processing.jobs, active=True), render_job)
inactive = listing(at_facility(queries.processing.jobs, active=False), render_job)
