"""Package reads (by id, by label, active, inactive; v1 and v2) and packages from plant batches.

A package renders with exactly the keys of the v2 example, its item nested as the example
nests it (the same keys as GET /items/v2/{id}). Values come from the ledger; what the ledger
does not track yet (investigations, recalls, retailer deliveries, processing jobs) is the
neutral value the example shows. v1 has no example of its own and answers the same object.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Select, select

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.loaders import load_by_key
from leafledger.dialects.metrc.bodies import WireObject, parse_object
from leafledger.dialects.metrc.factories import bulk, by_id, listing
from leafledger.dialects.metrc.render import session_of
from leafledger.dialects.metrc.resources.harvests import (
    Licence,
    Note,
    WireDate,
    _required,
    _row,
    owned,
)
from leafledger.domain.errors import NotFound, RuleViolation
from leafledger.domain.models import Item, ItemBrand, Location, Package, Strain, Sublocation
from leafledger.domain.services import packages as service
from leafledger.domain.units import find_unit

# --- rendering -------------------------------------------------------------------------------

# Item fields read from the item's category-dependent details (snake_case keys there).
_ITEM_DETAIL_FIELDS = (
    "GlobalProductName",
    "GlobalProductNumber",
    "AdministrationMethod",
    "UnitCbdPercent",
    "UnitCbdContent",
    "UnitCbdContentUnitOfMeasureName",
    "UnitCbdContentDose",
    "UnitCbdContentDoseUnitOfMeasureName",
    "UnitCbdAPercent",
    "UnitCbdAContent",
    "UnitCbdAContentUnitOfMeasureName",
    "UnitCbdAContentDose",
    "UnitCbdAContentDoseUnitOfMeasureName",
    "UnitThcAPercent",
    "UnitThcAContent",
    "UnitThcAContentUnitOfMeasureName",
    "UnitThcAContentDose",
    "UnitThcAContentDoseUnitOfMeasureId",
    "UnitThcAContentDoseUnitOfMeasureName",
    "UnitThcPercent",
    "UnitThcContent",
    "UnitThcContentUnitOfMeasureName",
    "UnitThcContentDose",
    "UnitThcContentDoseUnitOfMeasureId",
    "UnitThcContentDoseUnitOfMeasureName",
    "UnitVolume",
    "UnitVolumeUnitOfMeasureName",
    "UnitWeight",
    "UnitWeightUnitOfMeasureName",
    "ServingSize",
    "NumberOfDoses",
    "UnitQuantity",
    "UnitQuantityUnitOfMeasureName",
    "PublicIngredients",
    "Description",
    "Allergens",
    "ProductPhotoDescription",
    "LabelPhotoDescription",
    "PackagingPhotoDescription",
)
_TEXT_SUFFIXES = ("Name", "Number", "Method", "Ingredients", "Description", "Allergens")


def _snake(pascal: str) -> str:
    """UnitCbdAContentDose -> unit_cbd_a_content_dose (the inverse of render.pascal_name)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", pascal).lower()


def _detail(details: dict[str, Any], key: str) -> Any:
    value = details.get(_snake(key))
    if value is None or key.endswith(_TEXT_SUFFIXES):
        return value
    if isinstance(value, str):
        try:
            number = Decimal(value)
        except InvalidOperation:
            return value
        return number if number.is_finite() else value
    return value


def render_item(item: Item) -> dict[str, Any]:
    session = session_of(item)
    category = service.category_of(item)
    strain = session.get(Strain, item.strain_id) if item.strain_id is not None else None
    brand = session.get(ItemBrand, item.brand_id) if item.brand_id is not None else None
    details = dict(item.details or {})
    detail = {key: _detail(details, key) for key in _ITEM_DETAIL_FIELDS}
    return {
        "Id": item.id,
        "Name": item.name,
        "GlobalProductName": detail["GlobalProductName"],
        "GlobalProductNumber": detail["GlobalProductNumber"],
        "ProductCategoryName": item.category_name,
        "ProductCategoryType": None if category is None else category.product_category_type,
        "IsExpirationDateRequired": False,
        "HasExpirationDate": False,
        "IsSellByDateRequired": False,
        "HasSellByDate": False,
        "IsUseByDateRequired": False,
        "HasUseByDate": False,
        "QuantityType": item.quantity_type,
        "DefaultLabTestingState": "NotSubmitted",
        "UnitOfMeasureName": item.unit_of_measure_name,
        "ApprovalStatus": "Approved",
        "ApprovalStatusDateTime": item.created_at.isoformat(),
        "StrainId": item.strain_id,
        "StrainName": None if strain is None else strain.name,
        "ItemBrandId": 0 if brand is None else brand.id,
        "ItemBrandName": None if brand is None else brand.name,
        **{key: detail[key] for key in _ITEM_DETAIL_FIELDS[2:36]},
        "ProductImages": [],
        "ProductPhotoDescription": detail["ProductPhotoDescription"],
        "LabelImages": [],
        "LabelPhotoDescription": detail["LabelPhotoDescription"],
        "PackagingImages": [],
        "PackagingPhotoDescription": detail["PackagingPhotoDescription"],
        "ProductPDFDocuments": [],
        "IsUsed": True,
        "LabTestBatchNames": [],
        "ProcessingJobCategoryName": None,
        "ProcessingJobTypeName": None,
        "ProductBrandName": None if brand is None else brand.name,
    }


def _iso(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())


def render_package(package: Package) -> dict[str, Any]:
    session = session_of(package)
    location = session.get(Location, package.location_id) if package.location_id else None
    sublocation = (
        session.get(Sublocation, package.sublocation_id) if package.sublocation_id else None
    )
    item = session.get(Item, package.item_id)
    harvests = service.source_harvests(session, package)
    labels = service.source_package_labels(session, package)
    unit = find_unit(package.unit_of_measure_name)
    return {
        "Id": package.id,
        "Label": package.label,
        "ExternalId": None,
        "PackageType": package.package_type,
        "SourceHarvestCount": len(harvests),
        "SourcePackageCount": len(labels),
        "SourceProcessingJobCount": 0,
        "SourceHarvestNames": ", ".join(h.name for h in harvests) or None,
        "SourcePackageLabels": ", ".join(labels) or None,
        "LocationId": None if location is None else location.id,
        "LocationName": None if location is None else location.name,
        "SublocationId": None if sublocation is None else sublocation.id,
        "SublocationName": None if sublocation is None else sublocation.name,
        "LocationTypeName": None if location is None else location.location_type_name,
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
        "Item": None if item is None else render_item(item),
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


def _load(call: Call, package_id: int) -> Package:
    loaded: Package = owned(call, Package, package_id, "package")
    return loaded


def by_label(call: Call) -> dict[str, Any]:
    label = str(call.path_params["label"]).strip()
    package = load_by_key(call.session, Package, Package.label, label, call.facility, "package")
    return render_package(package)


def _own(call: Call) -> Select[Package]:
    return select(Package).where(
        Package.facility_id == call.facility.id, Package.archived_date.is_(None)
    )


def _active(call: Call) -> Select[Package]:
    return _own(call).where(Package.finished_date.is_(None)).order_by(Package.id)


def _inactive(call: Call) -> Select[Package]:
    return _own(call).where(Package.finished_date.is_not(None)).order_by(Package.id)


get_by_id = by_id(_load, render_package)
active = listing(_active, render_package, modified=Package.last_modified)
inactive = listing(_inactive, render_package, modified=Package.last_modified)


# --- packages from plant batches -------------------------------------------------------------


class BatchPackageBody(WireObject):
    id: int | None = None
    plant_batch: str | None = None
    count: int | None = None
    location: str | None = None
    sublocation: str | None = None
    item: str | None = None
    tag: str | None = None
    patient_license_number: Licence = None
    note: Note = None
    is_trade_sample: bool | None = None
    is_donation: bool | None = None
    actual_date: WireDate = None
    expiration_date: WireDate = None
    sell_by_date: WireDate = None
    use_by_date: WireDate = None


def _from_batch(call: Call, obj: dict[str, Any], *, mother: bool) -> int:
    body = parse_object(BatchPackageBody, obj, _row(call, obj))
    details = service.PackageDetails(
        tag=_required(body.tag, "Tag"),
        item=_required(body.item, "Item"),
        location=body.location,
        sublocation=body.sublocation,
        patient_license_number=body.patient_license_number,
        note=body.note,
        is_trade_sample=bool(body.is_trade_sample),
        is_donation=bool(body.is_donation),
        actual_date=body.actual_date,
        expiration_date=body.expiration_date,
        sell_by_date=body.sell_by_date,
        use_by_date=body.use_by_date,
    )
    request = service.BatchPackage(
        details=details,
        count=_required(body.count, "Count"),
        plant_batch_id=body.id,
        plant_batch_name=body.plant_batch,
        from_mother_plant=mother,
    )
    try:
        made = service.create_package_from_plant_batch(
            call.session, call.actor, call.facility, request
        )
    except NotFound as exc:
        raise RuleViolation(exc.message) from None
    return made.id


def _batch_package(call: Call, obj: dict[str, Any]) -> int:
    mother = (call.query.get("isFromMotherPlant") or "").strip().lower() == "true"
    return _from_batch(call, obj, mother=mother)


def _mother_package(call: Call, obj: dict[str, Any]) -> int:
    return _from_batch(call, obj, mother=True)


from_plant_batch = bulk(_batch_package)
from_mother_plant = bulk(_mother_package)
