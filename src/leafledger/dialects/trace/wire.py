"""The value types of Trace bodies (see kit/wire.py for what each accepts).

Trace ids are strings ("123") or numbers; the ledger's ids are whole numbers, so both forms
are read as one. Quantities come as numbers or strings ("10.00"), timestamps in ISO 8601 UTC.
"""

from __future__ import annotations

from leafledger.dialects.kit.wire import (
    CalendarDate,
    ExactDecimal,
    Flag,
    Id,
    Instant,
    WholeNumber,
)

TraceDate = CalendarDate
TraceTimestamp = Instant
TraceId = Id
TraceInt = WholeNumber
TraceQuantity = ExactDecimal
TraceBool = Flag

__all__ = ["TraceBool", "TraceDate", "TraceId", "TraceInt", "TraceQuantity", "TraceTimestamp"]
