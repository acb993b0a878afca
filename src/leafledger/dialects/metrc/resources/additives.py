"""Additive templates, v2: create, update, fetch by id, list active and inactive.

Metrc's wire names the restricted-entry interval fields in full
(RestrictiveEntryIntervalQuantityDescription); the ledger keeps them as `rei_*` columns.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.loaders import load_by_id
from leafledger.dialects.metrc.bodies import WireObject
from leafledger.dialects.metrc.factories import bulk, listing, path_id
from leafledger.dialects.metrc.resources.strains import parse
from leafledger.dialects.metrc.results import Listing
from leafledger.domain.models import AdditivesTemplate
from leafledger.domain.services import additives as service
from leafledger.domain.services.strains import check_id


class IngredientBody(WireObject):
    name: str | None = None
    percentage: Decimal | None = None


class TemplateBody(WireObject):
    name: str | None = None
    additive_type: str | None = None
    application_device: str | None = None
    epa_registration_number: str | None = None
    note: str | None = None
    product_supplier: str | None = None
    product_trade_name: str | None = None
    restrictive_entry_interval_quantity_description: str | None = None
    restrictive_entry_interval_time_description: str | None = None
    active_ingredients: list[IngredientBody] | None = Field(default=None, max_length=100)


class TemplateUpdateBody(TemplateBody):
    id: int


def _fields(body: TemplateBody) -> service.TemplateFields:
    return service.TemplateFields(
        name=body.name,
        additive_type=body.additive_type,
        application_device=body.application_device,
        epa_registration_number=body.epa_registration_number,
        note=body.note,
        product_supplier=body.product_supplier,
        product_trade_name=body.product_trade_name,
        rei_quantity_description=body.restrictive_entry_interval_quantity_description,
        rei_time_description=body.restrictive_entry_interval_time_description,
        active_ingredients=tuple(
            service.Ingredient(i.name, i.percentage) for i in body.active_ingredients or ()
        ),
    )


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


def load(call: Call, template_id: int) -> AdditivesTemplate:
    check_id(template_id, "additive template")
    return load_by_id(
        call.session, AdditivesTemplate, template_id, call.facility, "additive template"
    )


def _create(call: Call, obj: dict[str, Any]) -> int:
    body = parse(TemplateBody, obj)
    return service.create_template(call.session, call.actor, call.facility, _fields(body)).id


def _update(call: Call, obj: dict[str, Any]) -> int:
    body = parse(TemplateUpdateBody, obj)
    template = load(call, body.id)
    return service.update_template(
        call.session, call.actor, call.facility, template, _fields(body)
    ).id


create = bulk(_create)
update = bulk(_update)


def get(call: Call) -> dict[str, Any]:
    return render(load(call, path_id(call)))


def _templates(call: Call, *, active: bool) -> Listing:
    handler = listing(
        lambda c: service.templates_of(c.facility, active=active),
        render,
        modified=AdditivesTemplate.last_modified,
    )
    result: Listing = handler(call)
    return result


def active(call: Call) -> Listing:
    return _templates(call, active=True)


def inactive(call: Call) -> Listing:
    return _templates(call, active=False)
