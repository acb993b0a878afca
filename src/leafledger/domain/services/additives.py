"""Additive templates: named recipes of fertilizer, pesticide or other products.

A template's type is one of the plant additive types (`reference.PLANT_ADDITIVE_TYPES`), its name
is unique among the facility's active templates, and each active ingredient has a name and a
percentage between 0 and 100 (together at most 100). An archived template cannot be changed;
no Metrc endpoint archives one (`archive_template` is for the ledger's own use).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import AdditivesTemplate, Facility
from leafledger.domain.reference import PLANT_ADDITIVE_TYPES, find_name
from leafledger.domain.services import catalogue
from leafledger.domain.services.catalogue import (
    HUNDRED,
    MAX_NAME,
    bounded,
    check_percent,
    optional_text,
)
from leafledger.domain.services.lookups import refuse_taken_name


@dataclass(frozen=True)
class Ingredient:
    name: str | None = None
    percentage: Decimal | None = None


@dataclass(frozen=True)
class TemplateFields:
    """What a request states about an additive template."""

    name: str | None = None
    additive_type: str | None = None
    application_device: str | None = None
    epa_registration_number: str | None = None
    note: str | None = None
    product_supplier: str | None = None
    product_trade_name: str | None = None
    rei_quantity_description: str | None = None
    rei_time_description: str | None = None
    active_ingredients: tuple[Ingredient, ...] | None = None


@dataclass(frozen=True, kw_only=True)
class TemplateChange(TemplateFields):
    """The new fields of an existing template."""

    template: AdditivesTemplate


# The optional texts of a template and the length of the column keeping each.
_TEXTS = (
    ("application_device", 200),
    ("epa_registration_number", 100),
    ("note", 1000),
    ("product_supplier", 200),
    ("product_trade_name", 200),
    ("rei_quantity_description", 100),
    ("rei_time_description", 100),
)


def additive_type_named(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise RuleViolation("{field} is required.", field="additive_type")
    found = find_name(PLANT_ADDITIVE_TYPES, name)
    if found is None:
        raise RuleViolation(
            f"Unknown {{field}} {name.strip()!r}; use one of {', '.join(PLANT_ADDITIVE_TYPES)}.",
            field="additive_type",
        )
    return found


def _ingredients(ingredients: tuple[Ingredient, ...] | None) -> list[dict[str, Any]]:
    kept: list[dict[str, Any]] = []
    total = Decimal(0)
    for index, ingredient in enumerate(ingredients or ()):
        where = ("active_ingredients", index)
        if ingredient.name is None or not ingredient.name.strip():
            raise RuleViolation("{field} is required.", field=(*where, "name"))
        if ingredient.percentage is None:
            raise RuleViolation("{field} is required.", field=(*where, "percentage"))
        percentage = check_percent(ingredient.percentage, (*where, "percentage")) or Decimal(0)
        total += percentage
        name = bounded(ingredient.name.strip(), (*where, "name"), MAX_NAME)
        kept.append({"name": name, "percentage": str(percentage)})
    if total > HUNDRED:
        raise RuleViolation(f"The active ingredients add up to {total}%; at most 100% is allowed.")
    return kept


def _apply(
    session: Session, facility: Facility, template: AdditivesTemplate, fields: TemplateFields
) -> None:
    name = catalogue.clean_name(fields.name, "additive template")
    refuse_taken_name(
        session, AdditivesTemplate, facility, name, "additive template", exclude_id=template.id
    )
    template.name = name
    template.additive_type = additive_type_named(fields.additive_type)
    template.active_ingredients = _ingredients(fields.active_ingredients)
    for text, limit in _TEXTS:
        setattr(template, text, optional_text(getattr(fields, text), text, limit))


TEMPLATES = catalogue.Kind[AdditivesTemplate, TemplateFields, TemplateChange](
    AdditivesTemplate, "additive template", _apply, lambda change: change.template
)
create_template, update_template, archive_template = TEMPLATES.services
