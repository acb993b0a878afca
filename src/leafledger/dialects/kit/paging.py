"""Page selection over a SQL query or an in-memory list."""

from __future__ import annotations

import weakref
from collections import namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Integer,
    Result,
    ScalarSelect,
    Select,
    Subquery,
    bindparam,
    func,
    literal_column,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

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


# The offset is a bound parameter, so that one statement serves every page of a list and
# SQLAlchemy can reuse its compiled form (and PostgreSQL a prepared plan). The page size is
# part of the SQL text, one statement per size (there are few: at most 20 in Metrc, 1000 in
# Trace): a plan made for an unknown LIMIT assumes a tenth of the table and joins all of it
# instead of fetching 20 rows.
_OFFSET = bindparam("page_offset", type_=Integer)


@dataclass(frozen=True)
class _Built:
    total: ScalarSelect[int] | None
    query: Select[Any]
    counted: ScalarSelect[int]
    # Only columns, no mapped classes: rows need none of the ORM's loading.
    columns_only: bool


# Page statements by their source statement, for as long as that statement lives: lists that
# keep their statements (see domain/queries/plants.py) build each page statement once; one built
# for a single request goes with it. (A built statement does not refer to its source object.)
_built: weakref.WeakKeyDictionary[Select[Any], dict[tuple[Any, int | None], _Built]] = (
    weakref.WeakKeyDictionary()
)


def _page_statement(
    source: Select[Any],
    total: ScalarSelect[int] | None,
    expand: Callable[[Subquery], Select[Any]] | None,
    size: int | None,
) -> _Built:
    variants = _built.setdefault(source, {})
    built = variants.get((expand, size))
    if built is not None and built.total is total:
        return built
    counted = (
        total
        if total is not None
        else select(func.count()).select_from(source.order_by(None).subquery()).scalar_subquery()
    )
    query = source.offset(_OFFSET)
    if size is not None:
        query = query.limit(literal_column(str(int(size)), Integer))
    if expand is not None:
        query = expand(query.subquery("page_keys"))
    query = query.add_columns(counted.label("records_in_all"))
    columns_only = all(isinstance(d["type"], TypeEngine) for d in query.column_descriptions)
    built = _Built(total, query, counted, columns_only)
    variants[(expand, size)] = built
    return built


@lru_cache(maxsize=256)
def _record_type(columns: tuple[str, ...]) -> type[tuple[Any, ...]]:
    """A named tuple of a page's columns. Rows of several columns are handed on as these:
    reading a field of one by name takes a tenth of the time a SQLAlchemy Row takes, and a
    page's rendering reads some 40 fields of each of its 20 rows."""
    return namedtuple("Record", columns, rename=True)


def fetch_page(
    session: Session,
    source: Select[Any] | Sequence[Any],
    page: PageRequest,
    total: ScalarSelect[int] | None = None,
    expand: Callable[[Subquery], Select[Any]] | None = None,
) -> PageResult:
    """One page of `source`, with the number of records it holds.

    A Select is sliced by the database, and its count comes back in the same round trip as a
    column of the page: `total` when the caller keeps a cheaper answer (big lists keep one in a
    counter table), else a count of `source`. A page of one entity or column gives those; a
    page of several columns gives named tuples of them (fields by name or by position, as on a
    Row; the count is one more field).

    With `expand`, `source` selects only the keys of the records, in order, and `expand` turns
    the page of keys into the records themselves. Big lists use it so that the database walks
    past the earlier pages on an index alone and joins only the rows it returns.
    """
    if not isinstance(source, Select):
        items = list(source)
        end = None if page.size is None else page.offset + page.size
        return PageResult(items[page.offset : end], len(items), page)
    built = _page_statement(source, total, expand, page.size)
    result: Result[Any]
    if built.columns_only:
        session.flush()  # what session.execute would do first (a no-op in a read)
        result = session.connection().execute(built.query, {"page_offset": page.offset})
    else:
        result = session.execute(built.query, {"page_offset": page.offset})
    rows = result.all()
    if rows:
        if len(rows[0]) == 2:
            records = [row[0] for row in rows]
        else:
            record = _record_type(tuple(result.keys()))
            records = [tuple.__new__(record, row) for row in rows]
        return PageResult(records, int(rows[0][-1]), page)
    # An empty page (or a page past the end) still reports how many records there are.
    return PageResult([], int(session.scalar(select(built.counted)) or 0), page)
