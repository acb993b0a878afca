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
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import NotFound, RuleViolation
from leafledger.domain.models import Facility, Item, ItemAttachment, ItemBrand, Package
from leafledger.domain.reference import ITEM_CATEGORIES, ItemCategory, find_named
from leafledger.domain.services.audit import record, snapshot
from leafledger.domain.services.lookups import strain_named
from leafledger.domain.services.strains import (
    MAX_ID,
    bounded,
    check_percent,
    clean_name,
    ensure_unique_active_name,
)
from leafledger.domain.units import QuantityType, UnitOfMeasure, find_unit

MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
# Bounds that keep amounts and texts sensible (and inside what JSON numbers carry exactly).
MAX_AMOUNT = Decimal(10) ** 12
MAX_DAYS = 36_500
MAX_TEXT = 4000

# --- brands ---------------------------------------------------------------------------------


def brand_named(session: Session, facility: Facility, name: Any) -> ItemBrand:
    """An active brand of the facility by name; an archived one is refused."""
    wanted = clean_name(name, "brand")
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


def create_brand(session: Session, actor: Actor, facility: Facility, name: Any) -> ItemBrand:
    cleaned = clean_name(name, "brand")
    ensure_unique_active_name(session, ItemBrand, facility, cleaned, "brand")
    brand = ItemBrand(facility_id=facility.id, name=cleaned, active=True)
    session.add(brand)
    session.flush()
    record(
        session,
        actor,
        entity=brand,
        action="create",
        facility_id=facility.id,
        after=snapshot(brand),
    )
    return brand


def rename_brand(
    session: Session, actor: Actor, facility: Facility, brand: ItemBrand, name: Any
) -> ItemBrand:
    if not brand.active:
        raise RuleViolation(f"The brand {brand.name!r} is archived and cannot be changed.")
    cleaned = clean_name(name, "brand")
    ensure_unique_active_name(session, ItemBrand, facility, cleaned, "brand", exclude_id=brand.id)
    before = snapshot(brand)
    brand.name = cleaned
    session.flush()
    record(
        session,
        actor,
        entity=brand,
        action="update",
        facility_id=facility.id,
        before=before,
        after=snapshot(brand),
    )
    return brand


def archive_brand(session: Session, actor: Actor, brand: ItemBrand) -> ItemBrand:
    if not brand.active:
        raise RuleViolation(f"The brand {brand.name!r} is already archived.")
    before = snapshot(brand)
    brand.active = False
    session.flush()
    record(
        session,
        actor,
        entity=brand,
        action="archive",
        facility_id=brand.facility_id,
        before=before,
        after=snapshot(brand),
    )
    return brand


# --- photos and files -----------------------------------------------------------------------


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


def sniff(content: bytes) -> FileKind | None:
    """The accepted format `content` starts like, or None."""
    return next((kind for magic, kind in _SIGNATURES if content.startswith(magic)), None)


def _decode(encoded: Any) -> bytes:
    if not isinstance(encoded, str) or not encoded.strip():
        raise RuleViolation("EncodedImageBase64 is required.")
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
        raise RuleViolation("EncodedImageBase64 is not valid base64.") from None
    if not content:
        raise RuleViolation("The file is empty.")
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise RuleViolation("The file is larger than 5 MB.")
    return content


def add_attachment(
    session: Session,
    actor: Actor,
    facility: Facility,
    *,
    kind: str,
    file_name: Any,
    encoded: Any,
) -> ItemAttachment:
    """Store a photo (`kind` "photo": BMP, GIF, JPEG, PNG) or a file (those images or PDF)."""
    if not isinstance(file_name, str) or not file_name.strip():
        raise RuleViolation("FileName is required.")
    name = file_name.strip()
    if len(name) > 255:
        raise RuleViolation("FileName may be at most 255 characters.")
    content = _decode(encoded)
    found = sniff(content)
    allowed = "BMP, GIF, JPG or PNG" if kind == "photo" else "BMP, GIF, JPG, PNG or PDF"
    if found is None or (kind == "photo" and not found.is_image):
        raise RuleViolation(f"The content of {name!r} is not a {allowed} file.")
    if not name.lower().endswith(found.extensions):
        raise RuleViolation(
            f"{name!r} holds a {found.name} file; its name must end in "
            f"{' or '.join(found.extensions)}."
        )
    attachment = ItemAttachment(
        facility_id=facility.id,
        kind=kind,
        file_name=name,
        content_type=found.content_type,
        size=len(content),
        content=content,
    )
    session.add(attachment)
    session.flush()
    record(
        session,
        actor,
        entity=attachment,
        action="upload",
        facility_id=facility.id,
        after=snapshot(attachment, exclude=frozenset({"content"})),
    )
    return attachment


def _attachments(
    session: Session, facility: Facility, ids: list[int] | None, field: str, *, pdf: bool
) -> list[int]:
    """The attachment ids an item refers to: this facility's images (or PDF documents)."""
    if not ids:
        return []
    wanted = "a PDF document" if pdf else "an image"
    for attachment_id in ids:
        found = session.get(ItemAttachment, attachment_id) if 0 < attachment_id <= MAX_ID else None
        if found is None or found.facility_id != facility.id:
            raise RuleViolation(f"{field}: no file {attachment_id} was uploaded at this facility.")
        if (found.content_type == PDF.content_type) != pdf:
            raise RuleViolation(f"{field}: file {attachment_id} is not {wanted}.")
    return list(dict.fromkeys(ids))


# --- items ----------------------------------------------------------------------------------

# Each cannabinoid has a percent, a content and a content per dose (with their units); the
# category's requires_unit_<name>_<part> flags say which are needed.
_CANNABINOIDS = ("cbd", "thc", "cbd_a", "thc_a")


class ItemFields(BaseModel):
    """What a request states about an item (the wire fields, snake_case). A dialect's body schema
    extends it with its own wire naming, so the field list is written once."""

    model_config = ConfigDict(frozen=True)

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
    product_image_file_system_ids: list[int] | None = None
    product_photo_description: str | None = None
    label_image_file_system_ids: list[int] | None = None
    label_photo_description: str | None = None
    packaging_image_file_system_ids: list[int] | None = None
    packaging_photo_description: str | None = None
    product_pdf_file_system_ids: list[int] | None = None
    processing_job_category_name: str | None = None
    processing_job_type_name: str | None = None


def wire(field: str) -> str:
    """A field's wire name for messages: unit_cbd_a_percent -> UnitCbdAPercent."""
    words = {"pdf": "PDF"}
    return "".join(words.get(w, w[:1].upper() + w[1:]) for w in field.split("_"))


def category_named(name: Any) -> ItemCategory:
    if not isinstance(name, str) or not name.strip():
        raise RuleViolation("ItemCategory is required.")
    category = find_named(ITEM_CATEGORIES, name)
    if category is None:
        raise RuleViolation(f"Unknown item category {name.strip()!r}.")
    return category


def _unit(value: str | None, field: str, quantity_type: QuantityType) -> UnitOfMeasure:
    if value is None or not value.strip():
        raise RuleViolation(f"{wire(field)} is required.")
    unit = find_unit(value)
    if unit is None or not unit.active:
        raise RuleViolation(f"{wire(field)}: unknown unit of measure {value.strip()!r}.")
    if unit.quantity_type is not quantity_type:
        raise RuleViolation(
            f"{wire(field)}: {unit.name} is {unit.quantity_type.value}; "
            f"a {quantity_type.value} unit is needed."
        )
    return unit


def _measure(
    fields: ItemFields,
    amount_field: str,
    unit_field: str,
    quantity_type: QuantityType,
    *,
    required: bool,
    category: ItemCategory,
) -> tuple[Decimal | None, str | None]:
    """An amount and its unit, both present or both absent; required ones must be present."""
    amount: Decimal | None = getattr(fields, amount_field)
    unit_name: str | None = getattr(fields, unit_field)
    if amount is None:
        if required:
            raise RuleViolation(
                f"Items of category {category.name!r} require {wire(amount_field)}."
            )
        if unit_name:
            raise RuleViolation(f"{wire(unit_field)} is given without {wire(amount_field)}.")
        return None, None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise RuleViolation(
            f"{wire(amount_field)} must be zero or more (and below {MAX_AMOUNT}), got {amount}."
        )
    return amount, _unit(unit_name, unit_field, quantity_type).name


def _text(fields: ItemFields, field: str, *, required: bool, category: ItemCategory) -> str | None:
    value: str | None = getattr(fields, field)
    if value is not None and not value.strip():
        value = None
    if value is None and required:
        raise RuleViolation(f"Items of category {category.name!r} require {wire(field)}.")
    return None if value is None else bounded(value.strip(), wire(field), MAX_TEXT)


def _details(
    session: Session, facility: Facility, fields: ItemFields, category: ItemCategory
) -> dict[str, Any]:
    """The category-dependent details of an item, checked against the category's needs."""
    details: dict[str, Any] = {}

    def keep(key: str, value: Any) -> None:
        details[key] = str(value) if isinstance(value, Decimal) else value

    weight = QuantityType.WEIGHT
    for name in _CANNABINOIDS:
        percent_field = f"unit_{name}_percent"
        percent = check_percent(getattr(fields, percent_field), wire(percent_field))
        if percent is None and getattr(category, f"requires_{percent_field}"):
            raise RuleViolation(
                f"Items of category {category.name!r} require {wire(percent_field)}."
            )
        keep(percent_field, percent)
        for part in ("content", "content_dose"):
            amount_field = f"unit_{name}_{part}"
            amount, unit = _measure(
                fields,
                amount_field,
                f"{amount_field}_unit_of_measure",
                weight,
                required=getattr(category, f"requires_{amount_field}"),
                category=category,
            )
            keep(amount_field, amount)
            keep(f"{amount_field}_unit_of_measure", unit)
    for amount_field, quantity_type, required in (
        ("unit_volume", QuantityType.VOLUME, category.requires_unit_volume),
        ("unit_weight", weight, category.requires_unit_weight),
    ):
        amount, unit = _measure(
            fields,
            amount_field,
            f"{amount_field}_unit_of_measure",
            quantity_type,
            required=required,
            category=category,
        )
        keep(amount_field, amount)
        keep(f"{amount_field}_unit_of_measure", unit)

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
    ):
        keep(field, _text(fields, field, required=required, category=category))

    days = fields.supply_duration_days
    if days is None and category.requires_supply_duration_days:
        raise RuleViolation(f"Items of category {category.name!r} require SupplyDurationDays.")
    if days is not None and not 0 <= days <= MAX_DAYS:
        raise RuleViolation(f"SupplyDurationDays must be between 0 and {MAX_DAYS}, got {days}.")
    keep("supply_duration_days", days)
    doses = fields.number_of_doses
    if doses is None and category.requires_number_of_doses:
        raise RuleViolation(f"Items of category {category.name!r} require NumberOfDoses.")
    if doses is not None and (not doses.is_finite() or doses < 0 or doses > MAX_AMOUNT):
        raise RuleViolation(
            f"NumberOfDoses must be zero or more (and below {MAX_AMOUNT}), got {doses}."
        )
    keep("number_of_doses", doses)

    for field, needed, pdf in (
        ("product_image_file_system_ids", category.requires_product_photos, False),
        ("label_image_file_system_ids", category.requires_label_photos, False),
        ("packaging_image_file_system_ids", category.requires_packaging_photos, False),
        ("product_pdf_file_system_ids", category.requires_product_pdf_documents, True),
    ):
        ids = _attachments(session, facility, getattr(fields, field), wire(field), pdf=pdf)
        if len(ids) < needed:
            raise RuleViolation(
                f"Items of category {category.name!r} require at least {needed} "
                f"file(s) in {wire(field)}."
            )
        keep(field, ids)
    return details


def _apply(session: Session, facility: Facility, item: Item, fields: ItemFields) -> None:
    name = clean_name(fields.name, "item")
    ensure_unique_active_name(session, Item, facility, name, "item", exclude_id=item.id)
    category = category_named(fields.item_category)
    unit = _unit(fields.unit_of_measure, "unit_of_measure", category.quantity_type)
    strain_id: int | None = None
    if fields.strain is not None and fields.strain.strip():
        strain_id = strain_named(session, facility, fields.strain).id
    elif category.requires_strain:
        raise RuleViolation(f"Items of category {category.name!r} require a Strain.")
    brand_id: int | None = None
    if fields.item_brand is not None and fields.item_brand.strip():
        brand_id = brand_named(session, facility, fields.item_brand).id
    elif category.requires_item_brand:
        raise RuleViolation(f"Items of category {category.name!r} require an ItemBrand.")
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


def create_item(session: Session, actor: Actor, facility: Facility, fields: ItemFields) -> Item:
    item = Item(facility_id=facility.id, active=True)
    _apply(session, facility, item, fields)
    session.add(item)
    session.flush()
    record(
        session,
        actor,
        entity=item,
        action="create",
        facility_id=facility.id,
        after=snapshot(item),
    )
    return item


def update_item(
    session: Session, actor: Actor, facility: Facility, item: Item, fields: ItemFields
) -> Item:
    if not item.active:
        raise RuleViolation(f"The item {item.name!r} is archived and cannot be changed.")
    before = snapshot(item)
    _apply(session, facility, item, fields)
    session.flush()
    record(
        session,
        actor,
        entity=item,
        action="update",
        facility_id=facility.id,
        before=before,
        after=snapshot(item),
    )
    return item


def archive_item(session: Session, actor: Actor, item: Item) -> Item:
    if not item.active:
        raise RuleViolation(f"The item {item.name!r} is already archived.")
    before = snapshot(item)
    item.active = False
    session.flush()
    record(
        session,
        actor,
        entity=item,
        action="archive",
        facility_id=item.facility_id,
        before=before,
        after=snapshot(item),
    )
    return item


def item_is_used(session: Session, item: Item) -> bool:
    """Whether any package holds the item."""
    return bool(session.scalar(select(exists().where(Package.item_id == item.id))))
