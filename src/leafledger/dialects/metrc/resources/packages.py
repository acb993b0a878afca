"""Package reads and lists (v1 and v2), new packages from packages, plant batches and plants.

A package renders with exactly the keys of the v2 example, its item nested as the example
nests it: the object GET /items/v2/{id} answers (`items.render`). Values come from the ledger;
what the ledger does not track yet (investigations, recalls, retailer deliveries, processing
jobs, lab results) is the neutral value the example shows. v1 has no example of its own and
answers the same object. The lists and the completed records are domain/queries/packages.py's.

- POST /packages/v2/ and /packages/v2/testing (v1 /create, /create/testing): packages drawn
  from packages (`services/packages.py`). ProcessingJobTypeId and LabTestStageId are read and
  ignored: the ledger has no processing jobs or lab test stages yet.
- POST /plants/v2/plantbatch/packages (v1 /plants/v1/create/plantbatch/packages): a package
  of clones or seeds taken from a tagged plant.
- The lists: active, inactive, on hold, lab samples (each a package, the lab sample preceded
  by the fields of the results recorded for it, null until a lab records them), in transit (a
  package), transferred (a shipment line), adjustments, and a package's source harvests.
  In transit and transferred are empty until transfers ship packages (see the queries).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.factories import at_facility, bulk, listing, show
from leafledger.dialects.kit.loaders import ById, ByKey
from leafledger.dialects.metrc.bodies import MetrcBody
from leafledger.dialects.metrc.resources import items
from leafledger.dialects.metrc.wire import (
    BatchNumber,
    Licence,
    Name,
    Note,
    WireBool,
    WireDate,
    WireId,
    WireInt,
    WireQuantity,
)
from leafledger.domain import queries
from leafledger.domain.models import Package
from leafledger.domain.queries.base import Listed
from leafledger.domain.queries.lab_tests import SampleResult
from leafledger.domain.queries.packages import (
    AdjustmentRow,
    LabSampleRecord,
    PackageRecord,
    PackageRow,
    ShipmentRecord,
    SourceHarvestRow,
)
from leafledger.domain.services import packages as service
from leafledger.domain.units import find_unit

# --- bodies ----------------------------------------------------------------------------------


class _PackageFields(MetrcBody):
    """What every new package states (PackageDetails) but its item."""

    tag: str
    location: str | None = None
    sublocation: str | None = None
    patient_license_number: Licence | None = None
    note: Note | None = None
    is_trade_sample: WireBool = False
    is_donation: WireBool = False
    actual_date: WireDate | None = None
    expiration_date: WireDate | None = None
    sell_by_date: WireDate | None = None
    use_by_date: WireDate | None = None


class NewPackageBody(_PackageFields):
    """What every new package states (PackageDetails), whatever it is made from."""

    item: str


class BatchPackageBody(NewPackageBody):
    command = service.BatchPackage
    plant_batch_id: WireId | None = Field(default=None, alias="Id")
    plant_batch_name: str | None = Field(default=None, alias="PlantBatch")
    count: WireInt


class PackageIngredientBody(MetrcBody):
    command = service.PackageIngredient
    package: str
    quantity: WireQuantity
    unit_of_measure: str


class DerivedPackageBody(_PackageFields):
    command = service.DerivedPackage
    item: str | None = None
    quantity: WireQuantity
    unit_of_measure: str
    is_production_batch: WireBool = False
    production_batch_number: BatchNumber | None = None
    is_finished_good: WireBool = False
    product_requires_remediation: WireBool = False
    use_same_item: WireBool = False
    ingredients: tuple[PackageIngredientBody, ...] = ()
    lab_test_batches: list[Name] | None = Field(None, alias="RequiredLabTestBatches")


class PlantPackageBody(NewPackageBody):
    command = service.PlantPackage
    tag: str = Field(alias="PackageTag")
    plant_label: str
    batch_type: str = Field(alias="PlantBatchType")
    count: WireInt


# --- rendering -------------------------------------------------------------------------------


def _iso(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())


def _joined(names: tuple[str, ...]) -> str | None:
    """A list of names as Metrc writes them in one field ("A, B"), or null for none."""
    return ", ".join(names) or None


def render_package(record: PackageRecord) -> dict[str, Any]:
    package: PackageRow = record.package
    harvests, labels = record.sources.harvest_names, record.sources.package_labels
    unit = find_unit(package.unit_of_measure_name)
    return {
        "Id": package.id,
        "Label": package.label,
        "ExternalId": package.external_id,
        "PackageType": package.package_type,
        "SourceHarvestCount": len(harvests),
        "SourcePackageCount": len(labels),
        "SourceProcessingJobCount": len(record.sources.processing_job_ids),
        "SourceHarvestNames": _joined(harvests),
        "SourcePackageLabels": _joined(labels),
        "LocationId": package.location_id,
        "LocationName": package.location_name,
        "SublocationId": package.sublocation_id,
        "SublocationName": package.sublocation_name,
        "LocationTypeName": package.location_type_name,
        "Quantity": package.quantity,
        "OriginalPackageQuantity": package.original_quantity,
        "UnitOfMeasureName": package.unit_of_measure_name,
        "UnitOfMeasureAbbreviation": None if unit is None else unit.abbreviation,
        "PatientLicenseNumber": package.patient_license_number,
        "ItemFromFacilityLicenseNumber": None,
        "ItemFromFacilityName": None,
        "Note": package.note,
        "PackagedDate": package.packaged_date.isoformat(),
        "ExpirationDate": _iso(package.expiration_date),
        "SellByDate": _iso(package.sell_by_date),
        "UseByDate": _iso(package.use_by_date),
        "InitialLabTestingState": package.initial_lab_testing_state,
        "LabTestingState": package.lab_testing_state,
        "LabTestingStateDate": _iso(package.lab_testing_state_date),
        "LabTestingPerformedDate": None,
        "LabTestResultExpirationDateTime": None,
        "LabTestingRecordedDate": None,
        "LabTestStageId": None,
        "LabTestStage": None,
        "IsProductionBatch": package.is_production_batch,
        "ProductionBatchNumber": package.production_batch_number,
        "SourceProductionBatchNumbers": None,
        "IsTradeSample": package.is_trade_sample,
        "IsTradeSamplePersistent": False,
        "SourcePackageIsTradeSample": False,
        "IsDonation": package.is_donation,
        "IsDonationPersistent": False,
        "SourcePackageIsDonation": False,
        "IsTestingSample": package.is_testing_sample,
        "IsProcessValidationTestingSample": False,
        "ProductRequiresRemediation": package.product_requires_remediation,
        "ContainsRemediatedProduct": package.contains_remediated_product,
        "RemediationDate": _iso(package.remediation_date),
        "ProductRequiresDecontamination": package.product_requires_decontamination,
        "ContainsDecontaminatedProduct": package.contains_decontaminated_product,
        "DecontaminationDate": _iso(package.decontamination_date),
        "ReceivedDateTime": None,
        "ReceivedFromManifestNumber": None,
        "ReceivedFromFacilityLicenseNumber": None,
        "ReceivedFromFacilityName": None,
        "IsOnHold": package.is_on_hold,
        "IsOnHoldCombined": package.is_on_hold,
        "IsOnInvestigation": False,
        "IsOnInvestigationHold": False,
        "IsOnInvestigationRecall": False,
        "IsOnRecall": None,
        "IsOnRecallCombined": False,
        "ArchivedDate": _iso(package.archived_date),
        "IsFinished": package.finished_date is not None,
        "FinishedDate": _iso(package.finished_date),
        "IsFinishedGood": package.is_finished_good,
        "IsOnRetailerDelivery": False,
        "PackageForProductDestruction": None,
        "LabelsLastGeneratedDateTime": None,
        "LastModified": package.last_modified.isoformat(),
        "Item": None if record.item is None else items.render(record.item),
        "ProductLabel": product_label(package.finished_date, package.archived_date),
    }


def product_label(finished: date | None, archived: date | None) -> dict[str, Any]:
    """A package's label record: the ledger prints no labels, so only whether it is active."""
    return {
        "QrCount": 1,
        "IsChildFromParentWithLabel": False,
        "OriginalSourcePackageId": None,
        "OriginalSourcePackageLabel": None,
        "LabelSource": None,
        "QrCodeRanges": None,
        "LastLabelGenerationDate": None,
        "IsActive": finished is None and archived is None,
    }


def _lab_result(result: SampleResult | None) -> dict[str, Any]:
    """The results recorded for a lab sample, before the package (null before any). The
    fields of one test (TestTypeName...) stay null: a sample's tests are many, and GET
    /labtests/v2/results?packageId= lists each."""
    released = None if result is None else result.released_at
    return {
        "LabFacilityLicenseNumber": None if result is None else result.lab_license_number,
        "LabFacilityName": None if result is None else result.lab_name,
        "OverallPassed": None if result is None else result.overall_passed,
        "TestPerformedDate": None if result is None else result.result_date.isoformat(),
        "ResultReleased": None if result is None else released is not None,
        "ResultReleaseDateTime": _iso(released),
        "LabTestResultExpirationDateTime": None,
        "TestTypeName": None,
        "TestPassed": None,
        "TestResultLevel": None,
        "TestComment": None,
        "TestInformationalOnly": None,
    }


def render_lab_sample(record: LabSampleRecord) -> dict[str, Any]:
    return {**_lab_result(record.result), **render_package(record.sample)}


def _abbreviation(unit_name: str | None) -> str | None:
    unit = None if unit_name is None else find_unit(unit_name)
    return None if unit is None else unit.abbreviation


def render_adjustment(adjustment: AdjustmentRow) -> dict[str, Any]:
    return {
        "PackageId": adjustment.package_id,
        "PackageLabel": adjustment.package_label,
        "ItemName": adjustment.item_name,
        "ItemCategoryName": adjustment.item_category_name,
        "AdjustmentQuantity": adjustment.quantity,
        "AdjustmentUnitOfMeasureName": adjustment.unit_of_measure_name,
        "AdjustmentUnitOfMeasureAbbreviation": _abbreviation(adjustment.unit_of_measure_name),
        "AdjustmentReasonName": adjustment.reason_name,
        "AdjustmentNote": adjustment.note,
        "AdjustmentDate": adjustment.adjustment_date.isoformat(),
        "PackagedDate": adjustment.packaged_date.isoformat(),
        "AdjustedByUserName": adjustment.user_name,
        "PackageLabTestResultExpirationDateTime": None,
    }


def render_shipment(record: ShipmentRecord) -> dict[str, Any]:
    shipment = record.shipment
    harvests, labels = record.sources.harvest_names, record.sources.package_labels
    return {
        "Id": shipment.id,
        "PackageId": shipment.package_id,
        "RecipientFacilityLicenseNumber": shipment.recipient_license_number,
        "RecipientFacilityName": shipment.recipient_name,
        "ManifestNumber": shipment.manifest_number,
        "PackageLabel": shipment.package_label,
        "ExternalId": shipment.external_id,
        "SourceHarvestNames": _joined(harvests),
        "SourcePackageLabels": _joined(labels),
        "ProductName": shipment.item_name,
        "ProductCategoryName": shipment.item_category_name,
        "ItemStrainName": shipment.strain_name,
        "LabTestingStateName": shipment.lab_testing_state,
        "ShippedQuantity": shipment.shipped_quantity,
        "ShippedUnitOfMeasureAbbreviation": _abbreviation(shipment.shipped_unit),
        "GrossWeight": shipment.gross_weight,
        "GrossUnitOfWeightAbbreviation": _abbreviation(shipment.gross_unit),
        "ShipperWholesalePrice": shipment.shipper_wholesale_price,
        "ReceivedQuantity": shipment.received_quantity,
        "ReceivedUnitOfMeasureAbbreviation": _abbreviation(shipment.received_unit),
        "ReceiverWholesalePrice": shipment.receiver_wholesale_price,
        "ShipmentPackageStateName": shipment.state,
        "ActualDepartureDateTime": _iso(shipment.departed_at),
        "ReceivedDateTime": _iso(shipment.received_at),
        "ProcessingJobTypeName": None,
    }


def render_source_harvest(harvest: SourceHarvestRow) -> dict[str, Any]:
    return {
        "HarvestedByFacilityLicenseNumber": harvest.facility_license_number,
        "HarvestedByFacilityName": harvest.facility_name,
        "Name": harvest.name,
        "HarvestStartDate": harvest.harvest_start_date.isoformat(),
    }


# --- reads -----------------------------------------------------------------------------------

PACKAGE = ById(PackageRow, "package", complete=queries.packages.complete)
PACKAGE_BY_LABEL = ByKey(PackageRow, "label", "package", complete=queries.packages.complete)
# The package row itself, for rows that change it or read around it.
PACKAGE_ITSELF = ById(Package, "package")


def _source_harvests_of_target(call: Call) -> Listed:
    package: Package = call.target
    return queries.packages.source_harvests(package)


get = show(render_package)
active = listing(at_facility(queries.packages.packages, finished=False), render_package)
inactive = listing(at_facility(queries.packages.packages, finished=True), render_package)
on_hold = listing(at_facility(queries.packages.on_hold), render_package)
lab_samples = listing(at_facility(queries.packages.lab_samples), render_lab_sample)
in_transit = listing(at_facility(queries.packages.in_transit), render_package)
transferred = listing(at_facility(queries.packages.transferred), render_shipment)
adjustments = listing(at_facility(queries.packages.adjustments), render_adjustment)
source_harvests = listing(_source_harvests_of_target, render_source_harvest)


# --- packages from packages and from plants --------------------------------------------------

create = bulk(service.create_package_from_packages, service.lock_derived)
create_testing = bulk(service.create_testing_package_from_packages, service.lock_derived)
from_plant = bulk(service.create_package_from_plant)


# --- packages from plant batches -------------------------------------------------------------

from_mother_plant = bulk(service.create_package_from_mother_plant)
_from_batch = bulk(service.create_package_from_plant_batch)


def from_plant_batch(call: Call) -> Any:
    """POST /plantbatches/v2/packages (and v1 createpackages): `isFromMotherPlant=true` makes
    it the endpoint for packages from a mother plant, as Metrc documents."""
    from_mother = (call.query.get("isFromMotherPlant") or "").strip().lower() == "true"
    return (from_mother_plant if from_mother else _from_batch)(call)
