"""Items (products), their brands, and the photos and documents attached to them.

An item's category (`reference.ITEM_CATEGORIES`) decides its quantity type, so the unit of
measure must be of that type (grams or ounces for a weight-based item, "Each" for a count-based
one), and which details it must state: a strain, a brand, a unit weight or volume, THC or CBD
content, doses, ingredients, photos... Each missing detail is refused, naming the field.

Names are unique among a facility's active items (and brands); an archived item, strain or brand
cannot be used. Photos are BMP, GIF, JPEG or PNG images; files are those images or PDF
documents; either is at most 5 MB once decoded, and its type is read from its first bytes, not
from its name. The category-dependent details are kept in `Item.details` under snake_case keys
(decimals as strings, attachment ids as lists), e.g. `details["unit_weight"]` and
`details["unit_weight_unit_of_measure"]`.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import NotFound, RuleViolation
from leafledger.domain.models import Facility, Item, ItemAttachment, ItemBrand, Package
from leafledger.domain.models.base import fits
from leafledger.domain.reference import ITEM_CATEGORIES, ItemCategory, find_named
from leafledger.domain.services import catalogue
from leafledger.domain.services.audit import record_new
from leafledger.domain.services.catalogue import bounded, check_percent, clean_name
from leafledger.domain.services.lookups import refuse_taken_name, strain_named
from leafledger.domain.units import QuantityType, UnitOfMeasure, find_unit

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_FILE_NAME = 255
# Bounds that keep amounts and texts sensible (and inside what JSON numbers carry exactly).
MAX_AMOUNT = Decimal(10) ** 12
MAX_DAYS = 36_500
MAX_TEXT = 4000

# --- brands ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewBrand:
    name: str | None


@dataclass(frozen=True, kw_only=True)
class BrandChange(NewBrand):
    brand: ItemBrand


def brand_named(session: Session, facility: Facility, name: Any) -> ItemBrand:
    """An active brand of the facility by name; an archived one is refused."""
    wanted = clean_name(name, "brand", field="item_brand")
    found = session.scalars(
        select(ItemBrand)
        .where(ItemBrand.facility_id == facility.id, ItemBrand.name == wanted)
        .order_by(ItemBrand.active.desc(), ItemBrand.id.desc())
        .limit(1)
    ).first()
    if found is None:
        raise NotFound(f"No brand named {wanted!r} at this facility.")
    if not found.active:
        raise RuleViolation(f"The brand {found.name!r} is archived and cannot be used.")
    return found


def _apply_brand(session: Session, facility: Facility, brand: ItemBrand, fields: NewBrand) -> None:
    name = clean_name(fields.name, "brand")
    refuse_taken_name(session, ItemBrand, facility, name, "brand", exclude_id=brand.id)
    brand.name = name


BRANDS = catalogue.Kind[ItemBrand, NewBrand, BrandChange](
    ItemBrand, "brand", _apply_brand, lambda change: change.brand
)
create_brand, rename_brand, archive_brand = BRANDS.services


# --- photos and files -----------------------------------------------------------------------

AttachmentKind = Literal["photo", "file"]


@dataclass(frozen=True)
class FileKind:
    name: str
    content_type: str
    extensions: tuple[str, ...]
    is_image: bool


BMP = FileKind("BMP", "image/bmp", (".bmp",), True)
GIF = FileKind("GIF", "image/gif", (".gif",), True)
JPEG = FileKind("JPEG", "image/jpeg", (".jpg", ".jpeg"), True)
PNG = FileKind("PNG", "image/png", (".png",), True)
PDF = FileKind("PDF", "application/pdf", (".pdf",), False)

# Leading bytes of each accepted format.
_SIGNATURES: tuple[tuple[bytes, FileKind], ...] = (
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
    (b"BM", BMP),
    (b"%PDF-", PDF),
)


@dataclass(frozen=True)
class NewAttachment:
    """A photo (BMP, GIF, JPEG, PNG) or a file (those images or a PDF), base64-encoded."""

    kind: AttachmentKind
    file_name: str | None
    encoded: str | None


def sniff(content: bytes) -> FileKind | None:
    """The accepted format `content` starts like, or None."""
    return next((kind for magic, kind in _SIGNATURES if content.startswith(magic)), None)


def decode_upload(encoded: Any, field: str = "encoded") -> bytes:
    """The bytes of an uploaded file sent as base64 (or a data URL) in `field`: at most 5 MB
    once decoded, refused before decoding when its text is already too long."""
    if not isinstance(encoded, str) or not encoded.strip():
        raise RuleViolation("{field} is required.", field=field)
    text = encoded.strip()
    if text.startswith("data:") and "," in text:  # a data URL: keep what follows the comma
        text = text.split(",", 1)[1]
    text = "".join(text.split())
    # Checked before decoding, so an oversized body is refused without decoding it.
    if len(text) > (MAX_ATTACHMENT_BYTES + 2) // 3 * 4:
        raise RuleViolation("The file is larger than 5 MB.")
    try:
        content = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise RuleViolation("{field} is not valid base64.", field=field) from None
    if not content:
        raise RuleViolation("The file is empty.")
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise RuleViolation("The file is larger than 5 MB.")
    return content


def upload_name(file_name: Any, field: str = "file_name") -> str:
    """The name an uploaded file is stored under (`field`: where the request gives it)."""
    if not isinstance(file_name, str) or not file_name.strip():
        raise RuleViolation("{field} is required.", field=field)
    return bounded(file_name.strip(), field, MAX_FILE_NAME)


def add_attachment(
    session: Session, actor: Actor, facility: Facility, command: NewAttachment
) -> ItemAttachment:
    """Store a photo or a file; its type is read from its content, which its name must match."""
    name = upload_name(command.file_name)
    content = decode_upload(command.encoded)
    found = sniff(content)
    photo = command.kind == "photo"
    allowed = "BMP, GIF, JPG or PNG" if photo else "BMP, GIF, JPG, PNG or PDF"
    if found is None or (photo and not found.is_image):
        raise RuleViolation(f"The content of {name!r} is not a {allowed} file.")
    if not name.lower().endswith(found.extensions):
        raise RuleViolation(
            f"{name!r} holds a {found.name} file; its name must end in "
            f"{' or '.join(found.extensions)}."
        )
    attachment = ItemAttachment(
        facility_id=facility.id,
        kind=command.kind,
        file_name=name,
        content_type=found.content_type,
        size=len(content),
        content=content,
    )
    record_new(
        session, actor, attachment, facility.id, action="upload", exclude=frozenset({"content"})
    )
    return attachment


def image_only(attachment: ItemAttachment) -> ItemAttachment:
    """The attachment, if it is an image: a PDF is a file, never a photo."""
    if not attachment.content_type.startswith("image/"):
        raise NotFound(f"File {attachment.id} is not an image; fetch it as a file.")
    return attachment


def _attachments(
    session: Session, facility: Facility, ids: tuple[int, ...] | None, field: str, *, pdf: bool
) -> list[int]:
    """The attachment ids an item refers to: this facility's images (or PDF documents)."""
    if not ids:
        return []
    wanted = "a PDF document" if pdf else "an image"
    for attachment_id in ids:
        found = (
            session.get(ItemAttachment, attachment_id)
            if fits(ItemAttachment.id, attachment_id)
            else None
        )
        if found is None or found.facility_id != facility.id:
            raise RuleViolation(
                f"no file {attachment_id} was uploaded at this facility.", field=field
            )
        if (found.content_type == PDF.content_type) != pdf:
            raise RuleViolation(f"file {attachment_id} is not {wanted}.", field=field)
    return list(dict.fromkeys(ids))


# --- items ----------------------------------------------------------------------------------

# Each cannabinoid has a percent, a content and a content per dose (with their units); the
# category's requires_unit_<name>_<part> flags say which are needed.
_CANNABINOIDS = ("cbd", "thc", "cbd_a", "thc_a")


@dataclass(frozen=True)
class ItemFields:
    """What a request states about an item. A dialect's body schema is derived from these
    fields (its wire names mapped onto them), so the list is written once, here."""

    name: str | None = None
    item_category: str | None = None
    unit_of_measure: str | None = None
    strain: str | None = None
    item_brand: str | None = None
    global_product_name: str | None = None
    administration_method: str | None = None
    unit_cbd_percent: Decimal | None = None
    unit_cbd_content: Decimal | None = None
    unit_cbd_content_unit_of_measure: str | None = None
    unit_cbd_content_dose: Decimal | None = None
    unit_cbd_content_dose_unit_of_measure: str | None = None
    unit_thc_percent: Decimal | None = None
    unit_thc_content: Decimal | None = None
    unit_thc_content_unit_of_measure: str | None = None
    unit_thc_content_dose: Decimal | None = None
    unit_thc_content_dose_unit_of_measure: str | None = None
    unit_cbd_a_percent: Decimal | None = None
    unit_cbd_a_content: Decimal | None = None
    unit_cbd_a_content_unit_of_measure: str | None = None
    unit_cbd_a_content_dose: Decimal | None = None
    unit_cbd_a_content_dose_unit_of_measure: str | None = None
    unit_thc_a_percent: Decimal | None = None
    unit_thc_a_content: Decimal | None = None
    unit_thc_a_content_unit_of_measure: str | None = None
    unit_thc_a_content_dose: Decimal | None = None
    unit_thc_a_content_dose_unit_of_measure: str | None = None
    unit_volume: Decimal | None = None
    unit_volume_unit_of_measure: str | None = None
    unit_weight: Decimal | None = None
    unit_weight_unit_of_measure: str | None = None
    serving_size: str | None = None
    supply_duration_days: int | None = None
    number_of_doses: Decimal | None = None
    public_ingredients: str | None = None
    item_ingredients: str | None = None
    description: str | None = None
    allergens: str | None = None
    product_image_file_system_ids: tuple[int, ...] | None = None
    product_photo_description: str | None = None
    label_image_file_system_ids: tuple[int, ...] | None = None
    label_photo_description: str | None = None
    packaging_image_file_system_ids: tuple[int, ...] | None = None
    packaging_photo_description: str | None = None
    product_pdf_file_system_ids: tuple[int, ...] | None = None
    processing_job_category_name: str | None = None
    processing_job_type_name: str | None = None


@dataclass(frozen=True, kw_only=True)
class ItemChange(ItemFields):
    """The new fields of an existing item."""

    item: Item


def category_named(name: Any) -> ItemCategory:
    if not isinstance(name, str) or not name.strip():
        raise RuleViolation("{field} is required.", field="item_category")
    category = find_named(ITEM_CATEGORIES, name)
    if category is None:
        raise RuleViolation(f"Unknown item category {name.strip()!r}.", field="item_category")
    return category


def _required(category: ItemCategory, field: str, article: str = "") -> RuleViolation:
    return RuleViolation(
        f"Items of category {category.name!r} require {article}{{field}}.", field=field
    )


def _unit(value: str | None, field: str, quantity_type: QuantityType) -> UnitOfMeasure:
    if value is None or not value.strip():
        raise RuleViolation("{field} is required.", field=field)
    unit = find_unit(value)
    if unit is None or not unit.active:
        raise RuleViolation(f"unknown unit of measure {value.strip()!r}.", field=field)
    if unit.quantity_type is not quantity_type:
        raise RuleViolation(
            f"{unit.name} is {unit.quantity_type.value}; a {quantity_type.value} unit is needed.",
            field=field,
        )
    return unit


def _amount(value: Decimal, field: str) -> Decimal:
    if not value.is_finite() or value < 0 or value > MAX_AMOUNT:
        raise RuleViolation(
            f"{{field}} must be zero or more (and below {MAX_AMOUNT}), got {value}.", field=field
        )
    return value


def _measure(
    fields: ItemFields,
    amount_field: str,
    quantity_type: QuantityType,
    *,
    required: bool,
    category: ItemCategory,
) -> tuple[Decimal | None, str | None]:
    """An amount and its unit, both present or both absent; required ones must be present."""
    unit_field = f"{amount_field}_unit_of_measure"
    amount: Decimal | None = getattr(fields, amount_field)
    unit_name: str | None = getattr(fields, unit_field)
    if amount is None:
        if required:
            raise _required(category, amount_field)
        if unit_name:
            raise RuleViolation("A unit is given without {field}.", field=amount_field)
        return None, None
    return _amount(amount, amount_field), _unit(unit_name, unit_field, quantity_type).name


def _text(fields: ItemFields, field: str, *, required: bool, category: ItemCategory) -> str | None:
    value: str | None = getattr(fields, field)
    if value is not None and not value.strip():
        value = None
    if value is None and required:
        raise _required(category, field)
    return None if value is None else bounded(value.strip(), field, MAX_TEXT)


def _cannabinoids(fields: ItemFields, category: ItemCategory) -> dict[str, Any]:
    """Each cannabinoid's percent, content and content per dose, as the category needs them."""
    details: dict[str, Any] = {}
    for name in _CANNABINOIDS:
        percent_field = f"unit_{name}_percent"
        percent = check_percent(getattr(fields, percent_field), percent_field)
        if percent is None and getattr(category, f"requires_{percent_field}"):
            raise _required(category, percent_field)
        details[percent_field] = percent
        for part in ("content", "content_dose"):
            amount_field = f"unit_{name}_{part}"
            required = getattr(category, f"requires_{amount_field}")
            details[amount_field], details[f"{amount_field}_unit_of_measure"] = _measure(
                fields, amount_field, QuantityType.WEIGHT, required=required, category=category
            )
    return details


def _sizes(fields: ItemFields, category: ItemCategory) -> dict[str, Any]:
    """The unit volume and weight, each with its unit."""
    details: dict[str, Any] = {}
    for amount_field, quantity_type, required in (
        ("unit_volume", QuantityType.VOLUME, category.requires_unit_volume),
        ("unit_weight", QuantityType.WEIGHT, category.requires_unit_weight),
    ):
        details[amount_field], details[f"{amount_field}_unit_of_measure"] = _measure(
            fields, amount_field, quantity_type, required=required, category=category
        )
    return details


def _doses(fields: ItemFields, category: ItemCategory) -> dict[str, Any]:
    """How many days a unit lasts and how many doses it holds."""
    days = fields.supply_duration_days
    if days is None and category.requires_supply_duration_days:
        raise _required(category, "supply_duration_days")
    if days is not None and not 0 <= days <= MAX_DAYS:
        raise RuleViolation(
            f"{{field}} must be between 0 and {MAX_DAYS}, got {days}.",
            field="supply_duration_days",
        )
    doses = fields.number_of_doses
    if doses is None and category.requires_number_of_doses:
        raise _required(category, "number_of_doses")
    return {
        "supply_duration_days": days,
        "number_of_doses": None if doses is None else _amount(doses, "number_of_doses"),
    }


def _texts(fields: ItemFields, category: ItemCategory) -> dict[str, Any]:
    return {
        field: _text(fields, field, required=required, category=category)
        for field, required in (
            ("global_product_name", False),
            ("administration_method", category.requires_administration_method),
            ("serving_size", category.requires_serving_size),
            ("public_ingredients", category.requires_public_ingredients),
            ("item_ingredients", False),
            ("description", category.requires_description),
            ("allergens", category.requires_allergens),
            ("product_photo_description", category.requires_product_photo_description),
            ("label_photo_description", category.requires_label_photo_description),
            ("packaging_photo_description", category.requires_packaging_photo_description),
            ("processing_job_category_name", False),
            ("processing_job_type_name", False),
        )
    }


def _files(
    session: Session, facility: Facility, fields: ItemFields, category: ItemCategory
) -> dict[str, Any]:
    details: dict[str, Any] = {}
    for field, needed, pdf in (
        ("product_image_file_system_ids", category.requires_product_photos, False),
        ("label_image_file_system_ids", category.requires_label_photos, False),
        ("packaging_image_file_system_ids", category.requires_packaging_photos, False),
        ("product_pdf_file_system_ids", category.requires_product_pdf_documents, True),
    ):
        ids = _attachments(session, facility, getattr(fields, field), field, pdf=pdf)
        if len(ids) < needed:
            raise RuleViolation(
                f"Items of category {category.name!r} require at least {needed} "
                "file(s) in {field}.",
                field=field,
            )
        details[field] = ids
    return details


def _details(
    session: Session, facility: Facility, fields: ItemFields, category: ItemCategory
) -> dict[str, Any]:
    """The category-dependent details of an item, checked against the category's needs
    (decimals kept as exact text)."""
    details = {
        **_cannabinoids(fields, category),
        **_sizes(fields, category),
        **_texts(fields, category),
        **_doses(fields, category),
        **_files(session, facility, fields, category),
    }
    return {key: str(v) if isinstance(v, Decimal) else v for key, v in details.items()}


def _apply(session: Session, facility: Facility, item: Item, fields: ItemFields) -> None:
    name = clean_name(fields.name, "item")
    refuse_taken_name(session, Item, facility, name, "item", exclude_id=item.id)
    category = category_named(fields.item_category)
    unit = _unit(fields.unit_of_measure, "unit_of_measure", category.quantity_type)
    strain_id: int | None = None
    if fields.strain is not None and fields.strain.strip():
        strain_id = strain_named(session, facility, fields.strain).id
    elif category.requires_strain:
        raise _required(category, "strain", "a ")
    brand_id: int | None = None
    if fields.item_brand is not None and fields.item_brand.strip():
        brand_id = brand_named(session, facility, fields.item_brand).id
    elif category.requires_item_brand:
        raise _required(category, "item_brand", "an ")
    details = _details(session, facility, fields, category)
    if (
        item.id is not None
        and item.quantity_type != category.quantity_type.value
        and item_is_used(session, item)
    ):
        raise RuleViolation(
            f"The item {item.name!r} is used by packages; its quantity type "
            f"({item.quantity_type}) cannot change to {category.quantity_type.value}."
        )
    item.name = name
    item.category_name = category.name
    item.quantity_type = category.quantity_type.value
    item.unit_of_measure_name = unit.name
    item.strain_id = strain_id
    item.brand_id = brand_id
    item.details = details


ITEMS = catalogue.Kind[Item, ItemFields, ItemChange](
    Item, "item", _apply, lambda change: change.item
)
create_item, update_item, archive_item = ITEMS.services


def item_is_used(session: Session, item: Item) -> bool:
    """Whether any package holds the item."""
    return bool(session.scalar(select(exists().where(Package.item_id == item.id))))
