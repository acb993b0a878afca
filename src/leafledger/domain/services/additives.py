"""Additive templates: named recipes of fertilizer, pesticide or other products.

A template's type is one of the plant additive types (`reference.PLANT_ADDITIVE_TYPES`), its name
is unique among the facility's active templates, and each active ingredient has a name and a
percentage between 0 and 100 (together at most 100). An archived template cannot be changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import AdditivesTemplate, Facility
from leafledger.domain.reference import PLANT_ADDITIVE_TYPES, find_name
from leafledger.domain.services.audit import record, snapshot
from leafledger.domain.services.strains import (
    HUNDRED,
    MAX_NAME,
    bounded,
    check_percent,
    clean_name,
    ensure_unique_active_name,
)


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
    active_ingredients: tuple[Ingredient, ...] = field(default=())


def additive_type_named(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise RuleViolation("AdditiveType is required.")
    found = find_name(PLANT_ADDITIVE_TYPES, name)
    if found is None:
        raise RuleViolation(
            f"Unknown AdditiveType {name.strip()!r}; use one of {', '.join(PLANT_ADDITIVE_TYPES)}."
        )
    return found


def _ingredients(ingredients: tuple[Ingredient, ...]) -> list[dict[str, Any]]:
    kept: list[dict[str, Any]] = []
    total = Decimal(0)
    for index, ingredient in enumerate(ingredients):
        where = f"ActiveIngredients[{index}]"
        if ingredient.name is None or not ingredient.name.strip():
            raise RuleViolation(f"{where}: Name is required.")
        if ingredient.percentage is None:
            raise RuleViolation(f"{where}: Percentage is required.")
        percentage = check_percent(ingredient.percentage, f"{where}.Percentage") or Decimal(0)
        total += percentage
        name = bounded(ingredient.name.strip(), f"{where}.Name", MAX_NAME)
        kept.append({"name": name, "percentage": str(percentage)})
    if total > HUNDRED:
        raise RuleViolation(f"The active ingredients add up to {total}%; at most 100% is allowed.")
    return kept


def _blank_to_none(value: str | None, field: str, limit: int) -> str | None:
    if value is None or not value.strip():
        return None
    return bounded(value.strip(), field, limit)


def _apply(
    session: Session, facility: Facility, template: AdditivesTemplate, fields: TemplateFields
) -> None:
    name = clean_name(fields.name, "additive template")
    ensure_unique_active_name(
        session, AdditivesTemplate, facility, name, "additive template", exclude_id=template.id
    )
    template.name = name
    template.additive_type = additive_type_named(fields.additive_type)
    template.active_ingredients = _ingredients(fields.active_ingredients)
    template.application_device = _blank_to_none(
        fields.application_device, "ApplicationDevice", 200
    )
    template.epa_registration_number = _blank_to_none(
        fields.epa_registration_number, "EpaRegistrationNumber", 100
    )
    template.note = _blank_to_none(fields.note, "Note", 1000)
    template.product_supplier = _blank_to_none(fields.product_supplier, "ProductSupplier", 200)
    template.product_trade_name = _blank_to_none(fields.product_trade_name, "ProductTradeName", 200)
    template.rei_quantity_description = _blank_to_none(
        fields.rei_quantity_description, "RestrictiveEntryIntervalQuantityDescription", 100
    )
    template.rei_time_description = _blank_to_none(
        fields.rei_time_description, "RestrictiveEntryIntervalTimeDescription", 100
    )


def create_template(
    session: Session, actor: Actor, facility: Facility, fields: TemplateFields
) -> AdditivesTemplate:
    template = AdditivesTemplate(facility_id=facility.id, active=True)
    _apply(session, facility, template, fields)
    session.add(template)
    session.flush()
    record(
        session,
        actor,
        entity=template,
        action="create",
        facility_id=facility.id,
        after=snapshot(template),
    )
    return template


def update_template(
    session: Session,
    actor: Actor,
    facility: Facility,
    template: AdditivesTemplate,
    fields: TemplateFields,
) -> AdditivesTemplate:
    if not template.active:
        raise RuleViolation(
            f"The additive template {template.name!r} is archived and cannot be changed."
        )
    before = snapshot(template)
    _apply(session, facility, template, fields)
    session.flush()
    record(
        session,
        actor,
        entity=template,
        action="update",
        facility_id=facility.id,
        before=before,
        after=snapshot(template),
    )
    return template


def archive_template(session: Session, actor: Actor, template: AdditivesTemplate) -> None:
    """Retire a template (no Metrc endpoint archives one; kept for the ledger's own use)."""
    if not template.active:
        raise RuleViolation(f"The additive template {template.name!r} is already archived.")
    before = snapshot(template)
    template.active = False
    session.flush()
    record(
        session,
        actor,
        entity=template,
        action="archive",
        facility_id=template.facility_id,
        before=before,
        after=snapshot(template),
    )


def templates_of(facility: Facility, *, active: bool) -> Select[AdditivesTemplate]:
    """The facility's active (or archived) templates, oldest first; the caller pages it."""
    return (
        select(AdditivesTemplate)
        .where(AdditivesTemplate.facility_id == facility.id, AdditivesTemplate.active.is_(active))
        .order_by(AdditivesTemplate.id)
    )
