"""The value types of request bodies, shared by both dialects (each names them in its wire.py).

Every body field is one of these, so a value means the same thing wherever it is sent:

- whole numbers (counts, ids): a JSON integer, an integral decimal such as 5.0, or digits in a
  string ("5"); never a boolean; within the 32-bit range of the ledger's integer columns;
- JSON integers: the same without the string form, where an endpoint has always refused text
  (the sandbox's counts);
- quantities: exact decimals from a JSON number or a numeric string, finite, less than 10^18
  in size (what a quantity column holds); never a boolean;
- booleans: JSON true/false or the strings "true"/"false" (any case), null for false (an
  optional flag left unset); never a number;
- calendar dates: "2024-01-15", or a timestamp whose calendar date is taken
  ("2024-01-15T00:00:00Z"), between FIRST_DATE and LAST_DATE;
- instants: ISO 8601 date and time; no offset means UTC;
- texts: JSON strings, trimmed, optionally bounded in length.

An id is a whole number of 1 or more; whether it can name a row is the loader's question
(the range of the column it is looked up in, kit/loaders.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import PlainValidator, WithJsonSchema

# The calendar a ledger date may fall in: older or later dates are typing mistakes.
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2200, 12, 31)


# Every integer column of the ledger is 32-bit, and quantities are NUMERIC(28, 10): a value
# past these fits no column (PostgreSQL would refuse it, SQLite would keep it), so it is
# refused here, on both databases alike.
LARGEST_WHOLE = 2**31 - 1
QUANTITY_BOUND = Decimal(10) ** 18


def whole_number(value: Any) -> int:
    number = _whole(value)
    if not -LARGEST_WHOLE - 1 <= number <= LARGEST_WHOLE:
        raise ValueError(f"must be between {-LARGEST_WHOLE - 1} and {LARGEST_WHOLE}")
    return number


def _whole(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("must be a whole number, not true or false")
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        if value.is_finite() and value == value.to_integral_value():
            return int(value)
        raise ValueError("must be a whole number")
    if isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text[:1] in "+-" else text
        if digits.isascii() and digits.isdigit():
            return int(text)
    raise ValueError("must be a whole number")


def json_integer(value: Any) -> int:
    if isinstance(value, str):
        raise ValueError("must be a whole number, not a text")
    return whole_number(value)


def positive_id(value: Any) -> int:
    """An id: whether it names a row is the question of the loader or lookup that uses it,
    which checks it against its column's range first (an id past it names nothing)."""
    number = _whole(value)
    if number < 1:
        raise ValueError("must be an id (a whole number of 1 or more)")
    return number


def exact_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("must be a number, not true or false")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError("must be a number") from None
    else:
        raise ValueError("must be a number")
    if not number.is_finite():
        raise ValueError("must be a finite number")
    if abs(number) >= QUANTITY_BOUND:
        raise ValueError("must be less than 10^18 in size")
    return number


def flag(value: Any) -> bool:
    if value is None:  # an optional flag left null: not set
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError("must be true or false")


def _in_calendar(day: date) -> date:
    if not FIRST_DATE <= day <= LAST_DATE:
        side = "past" if day < FIRST_DATE else "future"
        raise ValueError(
            f"must be between {FIRST_DATE.isoformat()} and {LAST_DATE.isoformat()} "
            f"(this one is too far in the {side})"
        )
    return day


def calendar_date(value: Any) -> date:
    """A date, or the calendar date of a timestamp as written (no time zone conversion)."""
    if isinstance(value, datetime):
        return _in_calendar(value.date())
    if isinstance(value, date):
        return _in_calendar(value)
    if isinstance(value, str):
        text = value.strip()
        day: date | None = None
        try:
            if len(text) > 10 and text[10] in "T ":
                day = datetime.fromisoformat(text.replace("Z", "+00:00")).date()
            elif len(text) == 10:
                day = date.fromisoformat(text)
        except ValueError:
            day = None
        if day is not None:
            return _in_calendar(day)
    raise ValueError("must be a date (YYYY-MM-DD)")


def instant(value: Any) -> datetime:
    """An ISO 8601 date and time, in UTC; no offset means UTC."""
    if isinstance(value, str):
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError("must be an ISO 8601 date and time") from None
        try:
            moment = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
        except OverflowError:
            raise ValueError("is out of the supported range") from None
        _in_calendar(moment.date())
        return moment
    raise ValueError("must be an ISO 8601 date and time")


WholeNumber = Annotated[
    int,
    PlainValidator(whole_number),
    WithJsonSchema({"type": "integer", "minimum": -LARGEST_WHOLE - 1, "maximum": LARGEST_WHOLE}),
]
JsonInteger = Annotated[int, PlainValidator(json_integer), WithJsonSchema({"type": "integer"})]
Id = Annotated[int, PlainValidator(positive_id), WithJsonSchema({"type": "integer", "minimum": 1})]
ExactDecimal = Annotated[Decimal, PlainValidator(exact_decimal), WithJsonSchema({"type": "number"})]
Flag = Annotated[bool, PlainValidator(flag), WithJsonSchema({"type": ["boolean", "null"]})]
CalendarDate = Annotated[
    date,
    PlainValidator(calendar_date),
    WithJsonSchema({"type": "string", "format": "date", "example": "2024-01-15"}),
]
Instant = Annotated[
    datetime,
    PlainValidator(instant),
    WithJsonSchema({"type": "string", "format": "date-time", "example": "2024-01-15T10:30:00Z"}),
]


def local_time(value: Any) -> datetime:
    """A date and time as a clock at the facility showed it (a sale's time): ISO 8601, kept
    as written and without an offset; an offset sent anyway is dropped, not converted."""
    if isinstance(value, str):
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError("must be an ISO 8601 date and time") from None
        _in_calendar(parsed.date())
        return parsed.replace(tzinfo=None)
    raise ValueError("must be an ISO 8601 date and time")


LocalTime = Annotated[
    datetime,
    PlainValidator(local_time),
    WithJsonSchema({"type": "string", "format": "date-time", "example": "2024-01-15T16:44:53.000"}),
]
