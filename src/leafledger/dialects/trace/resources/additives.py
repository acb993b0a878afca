"""Trace additives: views of the same additive templates the Metrc dialect lists.

An additive's `type` is one of the ledger's plant additive types (`/config/additives/types`,
ids `<STATE>PAT<nnnn>`: fertilizer, pesticide, other); its `content` lists its active
ingredients in percent (`chemical_component`, `quantity`, `unit_of_measure: "percent"`);
`epa_number` and `supplier` are the template's EPA registration number and product supplier.
Beside Trace's fields an additive answers the template's `trade_name`, `application_device`,
`note` and restricted-entry interval, which a PUT may change too. `upc_code`, `lot_number`,
`manufacturer` and `unit_of_measure` are not kept (a warning says so).

- `GET /config/additives/types`: the types, and the units an amount may be given in;
- `PUT /config/additives/{id}`: the fields sent change, the others stay
  (`services/additives.py` checks the result as for a Metrc update).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import AliasPath, Field
from sqlalchemy.orm import Session

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.loaders import ById
from leafledger.dialects.trace.bodies import TraceBody, merged
from leafledger.dialects.trace.factories import Kind, Viewed, change
from leafledger.dialects.trace.resources.cultivation import ADDITIVE_TYPES, ContentBody
from leafledger.dialects.trace.shapes import amount, licence_of
from leafledger.domain.actor import Actor
from leafledger.domain.models import AdditivesTemplate, Facility
from leafledger.domain.services import additives as service
from leafledger.domain.units import QuantityType, active_units

KIND = Kind(AdditivesTemplate.__tablename__, "additive")
ADDITIVE = ById(AdditivesTemplate, "additive")
FIELDS = (
    "name",
    "additive_type",
    "epa_registration_number",
    "product_supplier",
    "product_trade_name",
    "application_device",
    "note",
    "rei_quantity_description",
    "rei_time_description",
    "active_ingredients",
)

# --- bodies


class AdditiveChangeBody(TraceBody):
    not_kept = ("upc_code", "lot_number", "manufacturer", "unit_of_measure")
    name: str | None = None
    additive_type: Annotated[str, ADDITIVE_TYPES] | None = Field(None, alias="type")
    epa_registration_number: str | None = Field(None, alias="epa_number")
    product_supplier: str | None = Field(None, alias="supplier")
    product_trade_name: str | None = Field(None, alias="trade_name")
    application_device: str | None = None
    note: str | None = None
    rei_quantity_description: str | None = Field(
        None, validation_alias=AliasPath("restricted_entry_interval", "quantity_description")
    )
    rei_time_description: str | None = Field(
        None, validation_alias=AliasPath("restricted_entry_interval", "time_description")
    )
    active_ingredients: list[ContentBody] | None = Field(None, alias="content", max_length=100)


# --- types


def _unit(number: int, unit: Any) -> dict[str, Any]:
    """A unit an amount may be given in, with what one of it holds in the base unit."""
    weight = unit.quantity_type is QuantityType.WEIGHT
    volume = unit.quantity_type is QuantityType.VOLUME
    return {
        "id": str(number),
        "name": unit.name,
        "volume": amount(unit.factor) if volume else None,
        "weight": amount(unit.factor) if weight else None,
        "uom": "milliliters" if volume else "grams" if weight else "each",
    }


def additive_types(call: Call) -> list[dict[str, Any]]:
    state = str(call.path_params["state"]).lower()
    units = [_unit(number, unit) for number, unit in enumerate(active_units(), 1)]
    return [{"types": ADDITIVE_TYPES.listing(state), "units": units}]


# --- rendering


def render(viewed: Viewed) -> dict[str, Any]:
    template: AdditivesTemplate = viewed.record
    return {
        "license": licence_of(viewed.facility),
        "id": str(template.id),
        "name": template.name,
        "type": ADDITIVE_TYPES.ref(viewed.state, template.additive_type),
        "epa_number": template.epa_registration_number,
        "upc_code": None,
        "lot_number": None,
        "manufacturer": None,
        "supplier": template.product_supplier,
        "trade_name": template.product_trade_name,
        "application_device": template.application_device,
        "note": template.note,
        "restricted_entry_interval": {
            "quantity_description": template.rei_quantity_description,
            "time_description": template.rei_time_description,
        },
        "content": [
            {
                "chemical_component": ingredient["name"],
                "quantity": amount(ingredient["percentage"]),
                "unit_of_measure": "percent",
            }
            for ingredient in template.active_ingredients or []
        ],
        "unit_of_measure": None,
        "entity_state": viewed.entity_state,
    }


# --- handlers


def _revise(
    session: Session,
    actor: Actor,
    facility: Facility,
    template: AdditivesTemplate,
    body: AdditiveChangeBody,
) -> AdditivesTemplate:
    values = merged(body, template, FIELDS)
    if "active_ingredients" not in body.model_fields_set:
        values["active_ingredients"] = tuple(
            service.Ingredient(i["name"], Decimal(str(i["percentage"])))
            for i in template.active_ingredients or []
        )
    else:
        values["active_ingredients"] = tuple(
            c.to_command({}) for c in body.active_ingredients or []
        )
    revised = service.TemplateChange(template=template, **values)
    return service.update_template(session, actor, facility, revised)


update_additive = change(_revise, render, KIND)
