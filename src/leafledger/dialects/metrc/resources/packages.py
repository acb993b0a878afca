"""Package reads (by id, by label, active, inactive; v1 and v2) and packages from plant batches.

A package renders with exactly the keys of the v2 example, its item nested as the example
nests it: the object GET /items/v2/{id} answers (`items.render`). Values come from the ledger;
what the ledger does not track yet (investigations, recalls, retailer deliveries, processing
jobs) is the neutral value the example shows. v1 has no example of its own and answers the
same object. The lists and the completed records are domain/queries/packages.py's.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.factories import at_facility, bulk, listing, show
from leafledger.dialects.kit.loaders import ById, ByKey
from leafledger.dialects.metrc.bodies import MetrcBody
from leafledger.dialects.metrc.resources import items
from leafledger.dialects.metrc.wire import Licence, Note, WireBool, WireDate, WireId, WireInt
from leafledger.domain import queries
from leafledger.domain.queries.packages import PackageRecord, PackageRow
from leafledger.domain.services import packages as service
from leafledger.domain.units import find_unit

# --- bodies ----------------------------------------------------------------------------------


class NewPackageBody(MetrcBody):
    """What every new package states (PackageDetails), whatever it is made from."""

    tag: str
    item: str
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


class BatchPackageBody(NewPackageBody):
    command = service.BatchPackage
    plant_batch_id: WireId | None = Field(default=None, alias="Id")
    plant_batch_name: str | None = Field(default=None, alias="PlantBatch")
    count: WireInt


# --- rendering -------------------------------------------------------------------------------


def _iso(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())


def render_package(record: PackageRecord) -> dict[str, Any]:
    package: PackageRow = record.package
    harvests, labels = record.sources.harvest_names, record.sources.package_labels
    unit = find_unit(package.unit_of_measure_name)
    return {
        "Id": package.id,
        "Label": package.label,
        "ExternalId": None,
        "PackageType": package.package_type,
        "SourceHarvestCount": len(harvests),
        "SourcePackageCount": len(labels),
        "SourceProcessingJobCount": 0,
        "SourceHarvestNames": ", ".join(harvests) or None,
        "SourcePackageLabels": ", ".join(labels) or None,
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
        "ContainsRemediatedProduct": False,
        "RemediationDate": None,
        "ProductRequiresDecontamination": False,
        "ContainsDecontaminatedProduct": False,
        "DecontaminationDate": None,
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
        "IsFinishedGood": False,
        "IsOnRetailerDelivery": False,
        "PackageForProductDestruction": None,
        "LabelsLastGeneratedDateTime": None,
        "LastModified": package.last_modified.isoformat(),
        "Item": None if record.item is None else items.render(record.item),
        "ProductLabel": {
            "QrCount": 1,
            "IsChildFromParentWithLabel": False,
            "OriginalSourcePackageId": None,
            "OriginalSourcePackageLabel": None,
            "LabelSource": None,
            "QrCodeRanges": None,
            "LastLabelGenerationDate": None,
            "IsActive": package.finished_date is None and package.archived_date is None,
        },
    }


# --- reads -----------------------------------------------------------------------------------

PACKAGE = ById(PackageRow, "package", complete=queries.packages.complete)
PACKAGE_BY_LABEL = ByKey(PackageRow, "label", "package", complete=queries.packages.complete)

get = show(render_package)
active = listing(at_facility(queries.packages.packages, finished=False), render_package)
inactive = listing(at_facility(queries.packages.packages, finished=True), render_package)


# --- packages from plant batches -------------------------------------------------------------

from_mother_plant = bulk(service.create_package_from_mother_plant)
_from_batch = bulk(service.create_package_from_plant_batch)


def from_plant_batch(call: Call) -> Any:
    """POST /plantbatches/v2/packages (and v1 createpackages): `isFromMotherPlant=true` makes
    it the endpoint for packages from a mother plant, as Metrc documents."""
    from_mother = (call.query.get("isFromMotherPlant") or "").strip().lower() == "true"
    return (from_mother_plant if from_mother else _from_batch)(call)
