"""What Metrc handlers return; the dialect turns each into its v1 or v2 wire shape."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ScalarSelect, Select, Subquery


@dataclass(frozen=True)
class Listing:
    """Records to list (a query paged by the database, or a sequence) and how to render one."""

    source: Select[Any] | Sequence[Any]
    render: Callable[[Any], Any]
    # How many records `source` holds, when it is cheaper to know than to count (big lists).
    total: ScalarSelect[int] | None = None
    # When `source` selects record keys only: the records of one page of keys (see fetch_page).
    expand: Callable[[Subquery], Select[Any]] | None = None


@dataclass(frozen=True)
class Written:
    """Ids created or touched by a write, in the order of the request's objects."""

    ids: list[int]
