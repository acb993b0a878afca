"""Page selection over a SQL query or an in-memory list."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from leafledger.dialects.kit.errors import bad_request

# The largest page number or size taken: keeps every offset well inside a 64-bit SQL integer.
MAX_QUERY_INT = 2**31 - 1


@dataclass(frozen=True)
class PageRequest:
    """Which records to return: `size` None means all of them."""

    number: int = 1
    size: int | None = None

    @property
    def offset(self) -> int:
        return 0 if self.size is None else (self.number - 1) * self.size


@dataclass(frozen=True)
class PageResult:
    records: list[Any]
    total: int
    request: PageRequest


def parse_positive_int(name: str, raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"{name} must be a whole number, got {raw!r}") from None
    if value < 1:
        raise bad_request(f"{name} must be 1 or more, got {value}")
    if value > MAX_QUERY_INT:
        raise bad_request(f"{name} must be at most {MAX_QUERY_INT}, got {value}")
    return value


def fetch_page(
    session: Session,
    source: Select[Any] | Sequence[Any],
    page: PageRequest,
    total: Callable[[], int] | None = None,
) -> PageResult:
    """One page of `source`. A Select is sliced by the database and counted there, unless
    `total` already knows the count (big lists keep it in a counter table)."""
    if not isinstance(source, Select):
        items = list(source)
        end = None if page.size is None else page.offset + page.size
        return PageResult(items[page.offset : end], len(items), page)
    if total is not None:
        count = total()
    else:
        subquery = source.order_by(None).subquery()
        count = int(session.scalar(select(func.count()).select_from(subquery)) or 0)
    query = source.offset(page.offset)
    if page.size is not None:
        query = query.limit(page.size)
    return PageResult(list(session.scalars(query)), count, page)
