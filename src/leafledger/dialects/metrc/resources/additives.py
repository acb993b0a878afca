"""Additive templates, v2: create, update, fetch by id, list active and inactive.

Metrc's wire names the restricted-entry interval fields in full
(RestrictiveEntryIntervalQuantityDescription); the ledger keeps them as `rei_*` fields. The
rules live in `domain/services/additives.py`, the lists in `domain/queries/additives.py`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from leafledger.dialects.kit.bodies import Loads
from leafledger.dialects.kit.factories import at_facility, bulk, listing, show
from leafledger.dialects.kit.loaders import ById
from leafledger.dialects.metrc.bodies import MetrcBody
from leafledger.dialects.metrc.wire import Name, Note, WireId, WireQuantity
from leafledger.domain import queries
from leafledger.domain.models import AdditivesTemplate
from leafledger.domain.services import additives as service

# --- bodies


class IngredientBody(MetrcBody):
    command = service.Ingredient
    name: str | None = None
    percentage: WireQuantity | None = None


def _ingredient(body: IngredientBody) -> service.Ingredient:
    ingredient: service.Ingredient = body.to_command({})
    return ingredient


class _TemplateFields(MetrcBody):
    name: Name | None = None
    additive_type: str | None = None
    application_device: str | None = None
    epa_registration_number: str | None = None
    note: Note | None = None
    product_supplier: str | None = None
    product_trade_name: str | None = None
    rei_quantity_description: str | None = Field(
        default=None, alias="RestrictiveEntryIntervalQuantityDescription"
    )
    rei_time_description: str | None = Field(
        default=None, alias="RestrictiveEntryIntervalTimeDescription"
    )
    # Each ingredient reaches the command as the domain's Ingredient.
    active_ingredients: (
        tuple[Annotated[IngredientBody, AfterValidator(_ingredient)], ...] | None
    ) = Field(default=None, max_length=100)


class TemplateBody(_TemplateFields):
    command = service.TemplateFields


class TemplateChangeBody(_TemplateFields):
    command = service.TemplateChange
    template: Annotated[WireId, Loads(AdditivesTemplate, "additive template")] = Field(alias="Id")


# --- rendering


def render(template: AdditivesTemplate) -> dict[str, Any]:
    return {
        "Id": template.id,
        "FacilityId": template.facility_id,
        "Name": template.name,
        "AdditiveType": template.additive_type,
        "AdditiveTypeName": template.additive_type,
        "ApplicationDevice": template.application_device,
        "EpaRegistrationNumber": template.epa_registration_number,
        "Note": template.note,
        "ProductSupplier": template.product_supplier,
        "ProductTradeName": template.product_trade_name,
        "RestrictiveEntryIntervalQuantityDescription": template.rei_quantity_description,
        "RestrictiveEntryIntervalTimeDescription": template.rei_time_description,
        "ActiveIngredients": [
            {"Name": i["name"], "Percentage": Decimal(str(i["percentage"]))}
            for i in template.active_ingredients or []
        ],
        "LastModified": template.last_modified.isoformat(),
        "IsActive": template.active,
    }


# --- handlers

TEMPLATE = ById(AdditivesTemplate, "additive template")

create = bulk(service.create_template)
update = bulk(service.update_template)
get = show(render)
active = listing(at_facility(queries.additives.templates, active=True), render)
inactive = listing(at_facility(queries.additives.templates, active=False), render)
