"""Trace products: views of the same Item rows the Metrc dialect lists.

A product's `category` is one of the ledger's item categories (`/config/products/categories`,
ids `<STATE>PCAT<nnnn>`), which decides its quantity type and what it must state, exactly as
for a Metrc item. Its `characteristics` hold the item's details: `unit_of_measure` (or
`unit.quantity_uom`), `strain` (`{"id"}`), `brand`, `unit.cannabinoids` (THC and CBD percent),
`unit.thc_content`/`cbd_content` and their doses with units, `unit.volume`, `unit.weight`,
`serving_size`, `supply_duration_days`, `doses_number`, `ingredients` (kept as one text,
joined by ", "), `administration_method` and `description`. `serving_num`, `lab_test_ref`,
`image`, `contains_seeds` and `unit.quantity` are not kept (a warning says so).

- `GET /config/products`: `entity_state` active (default), approved (every active product:
  leafledger approves items as they are made), used (a lot holds it), inactive or deleted
  (archived);
- `POST`: a new product (`services/items.py` decides what the category requires);
- `DELETE /{id}`: deactivates (archives) the product, as Metrc's DELETE /items does.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import AliasChoices, AliasPath, BeforeValidator, Field, create_model

from leafledger.dialects.kit.bodies import Loads
from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.factories import at_facility
from leafledger.dialects.kit.loaders import ById
from leafledger.dialects.trace.bodies import TraceBody
from leafledger.dialects.trace.codes import CodeList, entries
from leafledger.dialects.trace.factories import (
    Kind,
    Viewed,
    by_entity_state,
    listing,
    remove,
    show,
    write,
)
from leafledger.dialects.trace.shapes import amount, licence_of, ref
from leafledger.dialects.trace.wire import TraceInt, TraceQuantity, TraceRef
from leafledger.domain import queries
from leafledger.domain.models import Item, Strain
from leafledger.domain.queries.base import Listed
from leafledger.domain.queries.items import ItemRow
from leafledger.domain.reference import ITEM_CATEGORIES, find_named
from leafledger.domain.services import items as service
from leafledger.domain.services.lookups import active_name

CATEGORIES = CodeList("product category", "PCAT", entries(*(c.name for c in ITEM_CATEGORIES)))
KIND = Kind(Item.__tablename__, "product", read_model=ItemRow)
PRODUCT = ById(ItemRow, "product")
PRODUCT_TO_CHANGE = ById(Item, "product")
INGREDIENTS_JOINED = ", "

# --- bodies


def _joined(value: Any) -> Any:
    """Trace's list of ingredients as the ledger's one text of them."""
    if isinstance(value, list):
        return INGREDIENTS_JOINED.join(str(item).strip() for item in value if str(item).strip())
    return value


# Where each item detail sits in a Trace product (under characteristics), and its value type.
_UNIT_AMOUNTS = {
    "unit_cbd_percent": ("unit", "cannabinoids", "cbd_percent"),
    "unit_thc_percent": ("unit", "cannabinoids", "thc_percent"),
    "unit_cbd_content": ("unit", "cbd_content"),
    "unit_cbd_content_dose": ("unit", "cbd_content_dose"),
    "unit_thc_content": ("unit", "thc_content"),
    "unit_thc_content_dose": ("unit", "thc_content_dose"),
    "unit_volume": ("unit", "volume"),
    "unit_weight": ("unit", "weight"),
    "number_of_doses": ("doses_number",),
}
_UNIT_TEXTS = {
    "unit_cbd_content_unit_of_measure": ("unit", "cbd_content_uom"),
    "unit_cbd_content_dose_unit_of_measure": ("unit", "cbd_content_dose_uom"),
    "unit_thc_content_unit_of_measure": ("unit", "thc_content_uom"),
    "unit_thc_content_dose_unit_of_measure": ("unit", "thc_content_dose_uom"),
    "unit_volume_unit_of_measure": ("unit", "volume_uom"),
    "unit_weight_unit_of_measure": ("unit", "weight_uom"),
    "item_brand": ("brand",),
    "administration_method": ("administration_method",),
    "serving_size": ("serving_size",),
    "description": ("description",),
}


def _at(*path: str) -> Any:
    return Field(None, validation_alias=AliasPath("characteristics", *path))


class _ProductFields(TraceBody):
    not_kept = (
        "characteristics.serving_num",
        "characteristics.lab_test_ref",
        "characteristics.image",
        "characteristics.contains_seeds",
        "characteristics.unit.quantity",
    )
    name: str | None = None
    item_category: Annotated[str, CATEGORIES] | None = Field(None, alias="category")
    unit_of_measure: str | None = Field(
        None,
        validation_alias=AliasChoices(
            AliasPath("characteristics", "unit_of_measure"),
            AliasPath("characteristics", "unit", "quantity_uom"),
        ),
    )
    strain: Annotated[TraceRef | None, Loads(Strain, "strain")] = _at("strain")
    supply_duration_days: TraceInt | None = _at("supply_duration_days")
    public_ingredients: Annotated[str | None, BeforeValidator(_joined)] = _at("ingredients")


def _item_fields(*, strain: Strain | None = None, **fields: Any) -> service.ItemFields:
    """The item a product body describes (its strain, named by id, by its name)."""
    named = None if strain is None else active_name(strain, "strain", "strain")
    return service.ItemFields(strain=named, **fields)


_DETAILS: dict[str, Any] = {
    **{name: (TraceQuantity | None, _at(*path)) for name, path in _UNIT_AMOUNTS.items()},
    **{name: (str | None, _at(*path)) for name, path in _UNIT_TEXTS.items()},
}
NewProductBody = create_model(
    "NewProductBody", __base__=_ProductFields, __module__=__name__, **_DETAILS
)
NewProductBody.command = _item_fields


# --- rendering


def category_ref(state: str, name: str) -> dict[str, Any]:
    category = find_named(ITEM_CATEGORIES, name)
    reference: dict[str, Any] = CATEGORIES.ref(state, name) or {"id": None}
    return {
        "id": reference["id"],
        "type": None if category is None else category.product_category_type,
        "main_category": name,
        "sub_category": "",
    }


def product_categories(call: Call) -> list[dict[str, Any]]:
    """GET /config/products/categories: every category, with its quantity type."""
    state = str(call.path_params["state"]).lower()
    return [
        {**category_ref(state, c.name), "quantity_type": c.quantity_type.value}
        for c in ITEM_CATEGORIES
    ]


def _amount(details: dict[str, Any], key: str) -> str | None:
    value = details.get(key)
    return None if value is None else amount(Decimal(str(value)))


def render(viewed: Viewed) -> dict[str, Any]:
    item: ItemRow = viewed.record
    details = item.details or {}
    text = details.get
    ingredients = text("public_ingredients")
    unit: dict[str, Any] = {
        "cannabinoids": {
            "cbd_percent": _amount(details, "unit_cbd_percent"),
            "thc_percent": _amount(details, "unit_thc_percent"),
        }
    }
    for wire, name in (("cbd", "cbd"), ("thc", "thc")):
        unit[f"{wire}_content"] = _amount(details, f"unit_{name}_content")
        unit[f"{wire}_content_uom"] = text(f"unit_{name}_content_unit_of_measure")
        unit[f"{wire}_content_dose"] = _amount(details, f"unit_{name}_content_dose")
        unit[f"{wire}_content_dose_uom"] = text(f"unit_{name}_content_dose_unit_of_measure")
    unit.update(
        volume=_amount(details, "unit_volume"),
        volume_uom=text("unit_volume_unit_of_measure"),
        weight=_amount(details, "unit_weight"),
        weight_uom=text("unit_weight_unit_of_measure"),
        quantity=None,
        quantity_uom=None,
    )
    return {
        "license": licence_of(viewed.facility),
        "id": str(item.id),
        "name": item.name,
        "category": category_ref(viewed.state, item.category_name),
        "characteristics": {
            "quantity_type": item.quantity_type,
            "unit_of_measure": item.unit_of_measure_name,
            "ingredients": ingredients.split(INGREDIENTS_JOINED) if ingredients else [],
            "strain": ref(item.strain_id, item.strain_name),
            "unit": unit,
            "serving_size": text("serving_size"),
            "serving_num": None,
            "supply_duration_days": text("supply_duration_days"),
            "doses_number": _amount(details, "number_of_doses"),
            "lab_test_ref": None,
            "administration_method": text("administration_method"),
            "brand": item.brand_name,
            "description": text("description"),
            "image": {},
            "contains_seeds": None,
        },
        "is_used": item.is_used,
        "entity_state": viewed.entity_state,
    }


# --- handlers


def _used(call: Call) -> Listed:
    return queries.items.items(call.facility, active=True).where(ItemRow.is_used.is_(True))


_listed = by_entity_state(
    {
        "active": at_facility(queries.items.items, active=True),
        "approved": at_facility(queries.items.items, active=True),
        "used": _used,
        "inactive": at_facility(queries.items.items, active=False),
        "deleted": at_facility(queries.items.items, active=False),
    }
)

list_products = listing(_listed, render, KIND)
get_product = show(render, KIND)
create_product = write(service.create_item, render, KIND)
delete_product = remove(service.archive_item)
