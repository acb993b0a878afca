"""The Metrc reference lists: units of measure, types, states, reasons, methods, categories.

Every list is a fixed tuple from the domain (`domain/units.py`, `domain/reference.py`) served by
the kit's `fixed` handler with a renderer, so paging and the v2 envelope come from the row's
`paged` flag like any other list. Record lists render through `pascal_record`, which names each
dataclass field in PascalCase the way Metrc spells it (`render.py`); name lists render as
bare strings.

Two v2 lists have no response example in the catalogue: plant batch waste reasons take the
shape of their sibling reason lists (Name and the Requires* flags), payment types answer
{"Id", "Name"} records.
"""

from __future__ import annotations

from typing import Any

from leafledger.dialects.kit.factories import fixed
from leafledger.dialects.metrc.render import pascal_record
from leafledger.domain import reference
from leafledger.domain.units import UnitOfMeasure, active_units, inactive_units


def render_unit(unit: UnitOfMeasure) -> dict[str, Any]:
    return {
        "QuantityType": unit.quantity_type.value,
        "Name": unit.name,
        "Abbreviation": unit.abbreviation,
    }


def _name(value: str) -> str:
    return value


units_active = fixed(active_units(), render_unit, "units_active")
units_inactive = fixed(inactive_units(), render_unit, "units_inactive")
waste_methods = fixed(reference.WASTE_METHODS, pascal_record, "waste_methods")
package_types = fixed(reference.PACKAGE_TYPES, _name, "package_types")
package_adjust_reasons = fixed(
    reference.PACKAGE_ADJUSTMENT_REASONS, pascal_record, "package_adjust_reasons"
)
growth_phases = fixed(reference.GROWTH_PHASES, _name, "growth_phases")
plant_batch_types = fixed(reference.PLANT_BATCH_TYPES, pascal_record, "plant_batch_types")
plant_batch_waste_reasons = fixed(
    reference.PLANT_BATCH_WASTE_REASONS, pascal_record, "plant_batch_waste_reasons"
)
plant_waste_reasons = fixed(reference.PLANT_WASTE_REASONS, pascal_record, "plant_waste_reasons")
plant_waste_methods = fixed(reference.PLANT_WASTE_METHODS, pascal_record, "plant_waste_methods")
plant_additive_types = fixed(reference.PLANT_ADDITIVE_TYPES, _name, "plant_additive_types")
harvest_waste_types = fixed(reference.HARVEST_WASTE_TYPES, pascal_record, "harvest_waste_types")
item_categories = fixed(reference.ITEM_CATEGORIES, pascal_record, "item_categories")
lab_test_states = fixed(reference.LAB_TEST_STATES, _name, "lab_test_states")
lab_test_types = fixed(reference.LAB_TEST_TYPES, pascal_record, "lab_test_types")
customer_types = fixed(reference.CUSTOMER_TYPES, _name, "customer_types")
counties = fixed(reference.COUNTIES, pascal_record, "counties")
payment_types = fixed(reference.PAYMENT_TYPES, pascal_record, "payment_types")
delivery_return_reasons = fixed(
    reference.SALES_DELIVERY_RETURN_REASONS, pascal_record, "delivery_return_reasons"
)
transfer_types = fixed(reference.TRANSFER_TYPES, pascal_record, "transfer_types")
delivery_package_states = fixed(reference.DELIVERY_PACKAGE_STATES, _name, "delivery_package_states")
location_types = fixed(reference.LOCATION_TYPES, pascal_record, "location_types")
