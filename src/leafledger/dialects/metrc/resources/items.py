"""Items, v1 and v2: products, their brands, and their photos and files.

The item body is derived from the domain's `ItemFields`: each field under its PascalCase wire
name, with the wire value type of its domain type, so the field list is written once. What a
category requires, and every other rule, is checked in `domain/services/items.py`; the lists are
`domain/queries/items.py`. An item renders with every key of Metrc's example; the
category-dependent details come from `Item.details`, the rest from the item's columns.
"""

from __future__ import annotations

import base64
import dataclasses
import typing
from decimal import Decimal
from functools import partial
from typing import Annotated, Any

from pydantic import Field, create_model

from leafledger.dialects.kit.bodies import Loads
from leafledger.dialects.kit.factories import at_facility, bulk, listing, remove, show
from leafledger.dialects.kit.loaders import ById
from leafledger.dialects.metrc.bodies import MetrcBody
from leafledger.dialects.metrc.wire import Name, WireId, WireInt, WireQuantity
from leafledger.domain import queries
from leafledger.domain.models import Item, ItemAttachment, ItemBrand
from leafledger.domain.queries.items import ItemRow
from leafledger.domain.reference import ITEM_CATEGORIES, find_named
from leafledger.domain.services import items as service

# --- bodies ---------------------------------------------------------------------------------

# The wire value type of each domain type an item field has.
_WIRE_TYPES: dict[Any, Any] = {
    str | None: str | None,
    Decimal | None: WireQuantity | None,
    int | None: WireInt | None,
    tuple[int, ...] | None: tuple[WireId, ...] | None,
}


def _wire_fields(command: type[Any]) -> dict[str, Any]:
    """The schema fields of a command dataclass: every one optional, typed for the wire."""
    hints = typing.get_type_hints(command)
    return {f.name: (_WIRE_TYPES[hints[f.name]], None) for f in dataclasses.fields(command)}


class _ItemTarget(MetrcBody):
    item: Annotated[WireId, Loads(Item, "item")] = Field(alias="Id")


def _item_schema(name: str, command: type[Any], base: type[MetrcBody]) -> type[MetrcBody]:
    """`base` with every item field, making `command`."""
    schema = create_model(
        name, __base__=base, __module__=__name__, **_wire_fields(service.ItemFields)
    )
    schema.command = command
    return schema


ItemBody = _item_schema("ItemBody", service.ItemFields, MetrcBody)
ItemChangeBody = _item_schema("ItemChangeBody", service.ItemChange, _ItemTarget)


class _BrandName(MetrcBody):
    name: Name | None = None


class NewBrandBody(_BrandName):
    command = service.NewBrand


class BrandChangeBody(_BrandName):
    command = service.BrandChange
    brand: Annotated[WireId, Loads(ItemBrand, "brand")] = Field(alias="Id")


class _UploadBody(MetrcBody):
    file_name: str | None = None
    encoded: str | None = Field(default=None, alias="EncodedImageBase64")


class PhotoBody(_UploadBody):
    command = partial(service.NewAttachment, "photo")


class FileBody(_UploadBody):
    command = partial(service.NewAttachment, "file")


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


def render_photo(attachment: ItemAttachment) -> dict[str, Any]:
    return render_attachment(service.image_only(attachment))


# --- handlers -------------------------------------------------------------------------------

ITEM = ById(ItemRow, "item")
ITEM_TO_ARCHIVE = ById(Item, "item")
BRAND = ById(ItemBrand, "brand")
ATTACHMENT = ById(ItemAttachment, "file")

create = bulk(service.create_item)
update = bulk(service.update_item)
archive = remove(service.archive_item)
get = show(render)
active = listing(at_facility(queries.items.items, active=True), render)
inactive = listing(at_facility(queries.items.items, active=False), render)

create_brand = bulk(service.create_brand)
update_brand = bulk(service.rename_brand)
archive_brand = remove(service.archive_brand)
brands = listing(at_facility(queries.items.brands), render_brand)

upload = bulk(service.add_attachment)  # a photo or a file, as the row's schema says
get_photo = show(render_photo)
get_file = show(render_attachment)
