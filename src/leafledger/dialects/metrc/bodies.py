"""The base of Metrc body schemas: PascalCase wire names, unknown fields ignored.

A schema's fields are named as its command's fields (snake_case); each one's wire name is its
PascalCase form (`render.pascal_name`: `unit_thc_percent` reads `UnitThcPercent`) unless the
field gives an alias of its own (`batch_type: str = Field(alias="Type")`). Unknown fields are
ignored, as Metrc does. See kit/bodies.py for how the kit reads them.
"""

from __future__ import annotations

from pydantic import ConfigDict

from leafledger.dialects.kit.bodies import WireBody
from leafledger.dialects.metrc.render import pascal_name


class MetrcBody(WireBody):
    """Base of every request-body schema of the Metrc dialect."""

    model_config = ConfigDict(
        alias_generator=pascal_name,
        populate_by_name=True,
        extra="ignore",
        frozen=True,
        str_strip_whitespace=True,
    )
