"""The value types of Metrc bodies (see kit/wire.py for what each accepts).

Metrc sends dates as "2015-12-15" or as "2019-05-29T00:00:00Z" (the calendar date is kept),
numbers as JSON numbers or numeric strings, ids as numbers. Where its examples send
0001-01-01 for a date left out (the default date of .NET clients: PUT /packages/v2/location's
MoveDate), `UnsetDate` reads it as no date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Annotated, Any

from pydantic import Field, PlainValidator, StringConstraints, WithJsonSchema

from leafledger.dialects.kit.wire import (
    CalendarDate,
    ExactDecimal,
    Flag,
    Id,
    Instant,
    JsonInteger,
    LocalTime,
    WholeNumber,
    calendar_date,
)
from leafledger.domain import reference
from leafledger.domain.units import QuantityType, active_units

NO_DATE = "0001-01-01"


def date_or_unset(value: Any) -> date | None:
    """A calendar date; null, or the .NET default date 0001-01-01, is no date."""
    if value is None or (isinstance(value, str) and value.strip().startswith(NO_DATE)):
        return None
    return calendar_date(value)


WireDate = CalendarDate
WireTimestamp = Instant
# A time on the facility's clock, without an offset (SalesDateTime).
WireLocalTime = LocalTime
WireId = Id
WireInt = WholeNumber
WireCount = JsonInteger
WireQuantity = ExactDecimal
WireBool = Flag
UnsetDate = Annotated[
    date | None,
    PlainValidator(date_or_unset),
    WithJsonSchema({"type": ["string", "null"], "format": "date", "example": "2024-01-15"}),
]

# Texts kept on a record, no longer than their columns.
Licence = Annotated[str, StringConstraints(max_length=64)]
BatchNumber = Annotated[str, StringConstraints(max_length=100)]
Note = Annotated[str, StringConstraints(max_length=1000)]
Name = Annotated[str, StringConstraints(max_length=200)]
ExternalId = Annotated[str, StringConstraints(max_length=100)]
# A package's (or a tag's) label, and a URL such as a Retail ID QR code's.
Label = Annotated[str, StringConstraints(max_length=64)]
Url = Annotated[str, StringConstraints(max_length=500)]

__all__ = [
    "BatchNumber",
    "ExternalId",
    "Label",
    "Licence",
    "Name",
    "Note",
    "UnsetDate",
    "Url",
    "WireBool",
    "WireCount",
    "WireDate",
    "WireId",
    "WireInt",
    "WireLocalTime",
    "WireQuantity",
    "WireTimestamp",
]


# --- vocabularies: fields whose values are names from a fixed list (OpenAPI shows them as an
# enum; the service matches them without regard to case, and names the list when it refuses)


def choice(names: Iterable[str], **field: Any) -> Any:
    """A field taking one of `names` (`alias=`, `default=` as for pydantic's Field)."""
    return Field(json_schema_extra={"enum": list(names)}, **field)


BATCH_TYPES = tuple(t.name for t in reference.PLANT_BATCH_TYPES)
PHASES = ("Vegetative", "Flowering", "Mother")
LOCATION_TYPES = tuple(t.name for t in reference.LOCATION_TYPES)
UNITS = tuple(u.name for u in active_units())
WEIGHT_UNITS = tuple(u.name for u in active_units() if u.quantity_type is QuantityType.WEIGHT)
HARVEST_WASTE_TYPES = tuple(t.name for t in reference.HARVEST_WASTE_TYPES)
ITEM_CATEGORIES = tuple(c.name for c in reference.ITEM_CATEGORIES)
