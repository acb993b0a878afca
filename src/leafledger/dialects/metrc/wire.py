"""The value types of Metrc bodies (see kit/wire.py for what each accepts).

Metrc sends dates as "2015-12-15" or as "2019-05-29T00:00:00Z" (the calendar date is kept),
numbers as JSON numbers or numeric strings, ids as numbers.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

from leafledger.dialects.kit.wire import (
    CalendarDate,
    ExactDecimal,
    Flag,
    Id,
    Instant,
    JsonInteger,
    WholeNumber,
)

WireDate = CalendarDate
WireTimestamp = Instant
WireId = Id
WireInt = WholeNumber
WireCount = JsonInteger
WireQuantity = ExactDecimal
WireBool = Flag

# Texts kept on a record, no longer than their columns.
Licence = Annotated[str, StringConstraints(max_length=64)]
BatchNumber = Annotated[str, StringConstraints(max_length=100)]
Note = Annotated[str, StringConstraints(max_length=1000)]
Name = Annotated[str, StringConstraints(max_length=200)]

__all__ = [
    "BatchNumber",
    "Licence",
    "Name",
    "Note",
    "WireBool",
    "WireCount",
    "WireDate",
    "WireId",
    "WireInt",
    "WireQuantity",
    "WireTimestamp",
]
