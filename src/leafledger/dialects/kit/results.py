"""What handlers return; each dialect turns them into its own wire shape.

- `Listing`: a list (domain/queries `Listed`) and how to render one record of it; the dialect
  pages it (Metrc's pageNumber/pageSize envelope, Trace's limit/offset records);
- `Written`: the ids a write created or touched, in the order of the request's objects;
- anything else: a JSON-ready value (an object, a fixed array), or None for an empty answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from leafledger.domain.queries.base import Listed


@dataclass(frozen=True)
class Listing:
    listed: Listed
    render: Callable[[Any], Any]


@dataclass(frozen=True)
class Written:
    ids: list[int]
