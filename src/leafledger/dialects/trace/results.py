"""What Trace handlers return; the dialect wraps each in the `results`/`warnings` envelope.

- `Listing`: records to page by `limit`/`offset` (a query or a sequence) and a renderer that
  turns one page of records into JSON objects at once (so per-record history is read in one
  query per page, not one per record); answered as an array with `records` paging facts;
- a `list`: a short fixed array, answered whole (type "array", no `records`);
- a `dict`: one object (type "object").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select

if TYPE_CHECKING:
    from leafledger.dialects.kit.call import Call


@dataclass(frozen=True)
class Listing:
    source: Select[Any] | Sequence[Any]
    render_page: Callable[[Call, list[Any]], list[dict[str, Any]]]
