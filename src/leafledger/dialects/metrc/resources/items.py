"""Items, v1 and v2: products, their brands, and their photos and files.

The body fields are the item's wire fields; what a category requires, and every other rule, is
checked in `domain/services/items.py`. An item renders with every key of Metrc's example; the
category-dependent details come from `Item.details`, the rest from the item's columns.
"""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.factories import at_facility, show
from leafledger.dialects.kit.factories import listing as kit_listing
from leafledger.dialects.kit.loaders import ById, load_by_id
from leafledger.dialects.metrc.bodies import WireObject
from leafledger.dialects.metrc.factories import bulk, delete, path_id
from leafledger.dialects.metrc.resources.strains import parse
from leafledger.domain import queries
from leafledger.domain.errors import NotFound
from leafledger.domain.models import Item, ItemAttachment, ItemBrand
from leafledger.domain.queries.items import ItemRow
from leafledger.domain.reference import ITEM_CATEGORIES, find_named
from leafledger.domain.services import items as service
from leafledger.domain.services.strains import check_id

# --- bodies ---------------------------------------------------------------------------------


class ItemBody(WireObject, service.ItemFields):
    """The item fields of the domain, read from their PascalCase wire names."""


class ItemUpdateBody(ItemBody):
    id: int


class BrandBody(WireObject):
    name: str | None = None


class BrandUpdateBody(BrandBody):
    id: int


class UploadBody(WireObject):
    file_name: str | None = None
    encoded_image_base64: str | None = None


def _fields(body: ItemBody) -> service.ItemFields:
    return service.ItemFields(**body.model_dump(exclude={"id"}))


# --- rendering ------------------------------------------------------------------------------


def _decimal(details: dict[str, Any], key: str) -> Decimal | None:
    value = details.get(key)
    return None if value is None else Decimal(str(value))


def _files(details: dict[str, Any], key: str) -> list[dict[str, int]]:
    return [{"FileSystemId": file_id} for file_id in details.get(key) or []]


def render(item: ItemRow) -> dict[str, Any]:
    """An item as Metrc shows it, alone or nested in a package (the same keys)."""
    details = item.details or {}
    category = find_named(ITEM_CATEGORIES, item.category_name)
    brand_name = item.brand_name
    text = details.get
    result: dict[str, Any] = {
        "Id": item.id,
        "Name": item.name,
        "GlobalProductName": text("global_product_name"),
        "GlobalProductNumber": None,
        "ProductCategoryName": item.category_name,
        "ProductCategoryType": category.product_category_type if category else None,
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
        "StrainName": item.strain_name,
        "ItemBrandId": item.brand_id or 0,
        "ItemBrandName": brand_name,
        "AdministrationMethod": text("administration_method"),
    }
    # Metrc lists CBD, CBDA, THCA, then THC; dose unit ids exist for THC and THCA only.
    for name, wire in (("cbd", "Cbd"), ("cbd_a", "CbdA"), ("thc_a", "ThcA"), ("thc", "Thc")):
        result[f"Unit{wire}Percent"] = _decimal(details, f"unit_{name}_percent")
        result[f"Unit{wire}Content"] = _decimal(details, f"unit_{name}_content")
        result[f"Unit{wire}ContentUnitOfMeasureName"] = text(f"unit_{name}_content_unit_of_measure")
        result[f"Unit{wire}ContentDose"] = _decimal(details, f"unit_{name}_content_dose")
        if name in ("thc", "thc_a"):
            result[f"Unit{wire}ContentDoseUnitOfMeasureId"] = None
        result[f"Unit{wire}ContentDoseUnitOfMeasureName"] = text(
            f"unit_{name}_content_dose_unit_of_measure"
        )
    result.update(
        {
            "UnitVolume": _decimal(details, "unit_volume"),
            "UnitVolumeUnitOfMeasureName": text("unit_volume_unit_of_measure"),
            "UnitWeight": _decimal(details, "unit_weight"),
            "UnitWeightUnitOfMeasureName": text("unit_weight_unit_of_measure"),
            "ServingSize": text("serving_size"),
            "NumberOfDoses": _decimal(details, "number_of_doses"),
            "UnitQuantity": None,
            "UnitQuantityUnitOfMeasureName": None,
            "PublicIngredients": text("public_ingredients"),
            "Description": text("description"),
            "Allergens": text("allergens"),
            "ProductImages": _files(details, "product_image_file_system_ids"),
            "ProductPhotoDescription": text("product_photo_description"),
            "LabelImages": _files(details, "label_image_file_system_ids"),
            "LabelPhotoDescription": text("label_photo_description"),
            "PackagingImages": _files(details, "packaging_image_file_system_ids"),
            "PackagingPhotoDescription": text("packaging_photo_description"),
            "ProductPDFDocuments": _files(details, "product_pdf_file_system_ids"),
            "IsUsed": item.is_used,
            "LabTestBatchNames": [],
            "ProcessingJobCategoryName": text("processing_job_category_name"),
            "ProcessingJobTypeName": text("processing_job_type_name"),
            "ProductBrandName": brand_name,
        }
    )
    return result


def render_brand(brand: ItemBrand) -> dict[str, Any]:
    # leafledger charges no brand fees, so there is never anything outstanding.
    return {"Id": brand.id, "Name": brand.name, "Status": "Paid"}


def render_attachment(attachment: ItemAttachment) -> dict[str, Any]:
    return {
        "FileContents": base64.b64encode(attachment.content).decode("ascii"),
        "ContentType": attachment.content_type,
        "FileDownloadName": attachment.file_name,
    }


# --- loaders --------------------------------------------------------------------------------


def load(call: Call, item_id: int) -> Item:
    check_id(item_id, "item")
    return load_by_id(call.session, Item, item_id, call.facility, "item")


def load_brand(call: Call, brand_id: int) -> ItemBrand:
    check_id(brand_id, "brand")
    return load_by_id(call.session, ItemBrand, brand_id, call.facility, "brand")


def load_attachment(call: Call, attachment_id: int) -> ItemAttachment:
    check_id(attachment_id, "file")
    return load_by_id(call.session, ItemAttachment, attachment_id, call.facility, "file")


# --- items ----------------------------------------------------------------------------------


def _create(call: Call, obj: dict[str, Any]) -> int:
    body = parse(ItemBody, obj)
    return service.create_item(call.session, call.actor, call.facility, _fields(body)).id


def _update(call: Call, obj: dict[str, Any]) -> int:
    body = parse(ItemUpdateBody, obj)
    item = load(call, body.id)
    return service.update_item(call.session, call.actor, call.facility, item, _fields(body)).id


create = bulk(_create)
update = bulk(_update)


ITEM = ById(ItemRow, "item")
get = show(render)


def _archive(call: Call, item_id: int) -> int:
    return service.archive_item(call.session, call.actor, load(call, item_id)).id


archive = delete(_archive)


active = kit_listing(at_facility(queries.items.items, active=True), render)
inactive = kit_listing(at_facility(queries.items.items, active=False), render)


# --- brands ---------------------------------------------------------------------------------


def _create_brand(call: Call, obj: dict[str, Any]) -> int:
    body = parse(BrandBody, obj)
    return service.create_brand(call.session, call.actor, call.facility, body.name).id


def _update_brand(call: Call, obj: dict[str, Any]) -> int:
    body = parse(BrandUpdateBody, obj)
    brand = load_brand(call, body.id)
    return service.rename_brand(call.session, call.actor, call.facility, brand, body.name).id


create_brand = bulk(_create_brand)
update_brand = bulk(_update_brand)


def _archive_brand(call: Call, brand_id: int) -> int:
    return service.archive_brand(call.session, call.actor, load_brand(call, brand_id)).id


archive_brand = delete(_archive_brand)


brands = kit_listing(at_facility(queries.items.brands), render_brand)


# --- photos and files -----------------------------------------------------------------------


def _uploader(kind: str) -> Any:
    def upload(call: Call, obj: dict[str, Any]) -> int:
        body = parse(UploadBody, obj)
        return service.add_attachment(
            call.session,
            call.actor,
            call.facility,
            kind=kind,
            file_name=body.file_name,
            encoded=body.encoded_image_base64,
        ).id

    return upload


upload_photo = bulk(_uploader("photo"))
upload_file = bulk(_uploader("file"))


def get_photo(call: Call) -> dict[str, Any]:
    attachment = load_attachment(call, path_id(call))
    if not attachment.content_type.startswith("image/"):
        raise NotFound(f"File {attachment.id} is not an image; fetch it as a file.")
    return render_attachment(attachment)


def get_file(call: Call) -> dict[str, Any]:
    return render_attachment(load_attachment(call, path_id(call)))
