"""Filters on modification time: ISO 8601 instants (Metrc's lastModifiedStart/End, given
together and at most 24 hours apart; Trace's start_date/end_date, either or both)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from leafledger.dialects.kit.errors import bad_request

MAX_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Window:
    """Records modified from `start` to `end`, inclusive; an open bound is None."""

    start: datetime | None
    end: datetime | None


def parse_instant(name: str, raw: str) -> datetime:
    """An ISO 8601 timestamp; `Z`, offsets and fractional seconds accepted, no offset means UTC.

    A '+' sent unencoded in a query string arrives as a space; it is restored rather than
    silently misread.
    """
    text = raw.strip()
    if " " in text and "T" in text:
        text = text.replace(" ", "+")
    try:
        value = datetime.fromisoformat(text)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except ValueError:
        raise bad_request(f"{name} is not an ISO 8601 date and time: {raw!r}") from None
    except OverflowError:  # valid text whose UTC instant falls before year 1 or after 9999
        raise bad_request(f"{name} is out of the supported range: {raw!r}") from None


def parse_window(
    start_raw: str | None, end_raw: str | None, *, start_name: str, end_name: str
) -> Window | None:
    if not start_raw and not end_raw:
        return None
    if not start_raw or not end_raw:
        raise bad_request(f"{start_name} and {end_name} must be given together")
    start = parse_instant(start_name, start_raw)
    end = parse_instant(end_name, end_raw)
    if end < start:
        raise bad_request(f"{end_name} is before {start_name}")
    if end - start > MAX_WINDOW:
        raise bad_request(f"{start_name} and {end_name} may be at most 24 hours apart")
    return Window(start, end)
