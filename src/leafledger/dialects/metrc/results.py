"""What Metrc handlers return: the kit's results (kit/results.py).

TRANSITIONAL: `legacy_listing` wraps a statement or sequence for resource modules not yet moved
to the query layer; it goes once every module builds its lists from domain/queries.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import ScalarSelect, Select, Subquery

from leafledger.dialects.kit.results import Listing, Written
from leafledger.domain.queries.base import Listed

__all__ = ["Listing", "Written", "legacy_listing"]


def legacy_listing(
    source: Select[Any] | Sequence[Any],
    render: Callable[[Any], Any],
    total: ScalarSelect[int] | None = None,
    expand: Callable[[Subquery], Select[Any]] | None = None,
) -> Listing:
    return Listing(Listed(source, total=total, expand=expand), render)
