"""A set of ids as one bound value, for `column IN (...)` over thousands of ids.

SQLAlchemy's expanding IN binds one parameter per id: over 10,000 ids, building, sending and
(on PostgreSQL) planning those parameters costs more than the statement's own work, and SQLite
refuses more than its build allows (32,766 by default, 999 in older builds). Here the ids
travel as one text value, which the statement unnests: an array literal (`{1,2,3}`) on
PostgreSQL, a JSON array (`[1,2,3]`) on SQLite.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Integer, TextualSelect, column, text


def ids_table(dialect: str, name: str) -> str:
    """SQL for a FROM clause: the ids of the bound parameter `name` as a table `f` of one
    column, `id` (joined rather than semi-joined, it spares PostgreSQL hashing them to drop
    duplicates: an id set has none)."""
    if dialect == "postgresql":
        return f"unnest(CAST(:{name} AS INTEGER[])) AS f(id)"
    return f"(SELECT value AS id FROM json_each(:{name})) AS f"


def ids_sql(dialect: str, name: str) -> str:
    """SQL that lists the ids of the bound parameter `name` (one column), for `IN (...)`."""
    if dialect == "postgresql":
        return f"SELECT unnest(CAST(:{name} AS INTEGER[]))"
    return f"SELECT value FROM json_each(:{name})"


def ids_value(dialect: str, ids: Iterable[int]) -> str:
    """The value of a parameter `ids_sql` lists."""
    listed = ",".join(map(str, ids))
    return "{" + listed + "}" if dialect == "postgresql" else "[" + listed + "]"


def id_set(
    dialect: str, ids: Iterable[int], name: str = "ids", *, value: str | None = None
) -> TextualSelect:
    """The ids as a subquery for SQLAlchemy statements (`column.in_(id_set(...))`); `value`,
    their `ids_value` when the caller has it already."""
    listed = ids_value(dialect, ids) if value is None else value
    return id_set_of(dialect, name).bindparams(**{name: listed})


def id_set_of(dialect: str, name: str = "ids") -> TextualSelect:
    """`id_set` with its value left to the execution's parameters (`{name: ids_value(...)}`),
    for a statement built once and run many times."""
    return text(ids_sql(dialect, name)).columns(column("id", Integer))
