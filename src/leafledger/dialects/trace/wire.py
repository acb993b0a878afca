"""The value types of Trace bodies (see kit/wire.py for what each accepts).

Trace ids are strings ("123") or numbers; the ledger's ids are whole numbers, so both forms
are read as one. A reference to another object is `{"id": ...}` (`TraceRef`; the id alone is
read too). Quantities come as numbers or strings ("10.00"), timestamps in ISO 8601 UTC.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import PlainValidator, WithJsonSchema

from leafledger.dialects.kit.wire import (
    CalendarDate,
    ExactDecimal,
    Flag,
    Id,
    Instant,
    WholeNumber,
    positive_id,
)

TraceDate = CalendarDate
TraceTimestamp = Instant
TraceId = Id
TraceInt = WholeNumber
TraceQuantity = ExactDecimal
TraceBool = Flag


def reference_id(value: Any) -> int:
    """The id a reference gives: `{"id": ...}`, or the id itself."""
    return positive_id(value.get("id") if isinstance(value, dict) else value)


TraceRef = Annotated[
    int,
    PlainValidator(reference_id),
    WithJsonSchema(
        {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}
    ),
]

__all__ = [
    "TraceBool",
    "TraceDate",
    "TraceId",
    "TraceInt",
    "TraceQuantity",
    "TraceRef",
    "TraceTimestamp",
]
