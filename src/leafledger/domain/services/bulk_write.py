"""Many rows at once on PostgreSQL: COPY, and ids drawn ahead from a table's sequence.

A request that writes dozens of rows of one table (a batch of sales receipts and their lines,
the audit events of any request) spends more in the client than in the server when it sends
them as a multi-row INSERT: every value is a named parameter that SQLAlchemy builds and psycopg
adapts, per row. COPY streams the same rows with the same types for a fraction of that. It
returns nothing, so rows that need their ids take them from the table's sequence first
(`next_ids`, `next_ids_of` for several tables), one statement for any number.

Values go through the bind processing of each column's type, exactly as an INSERT's would
(exact quantities, UTC times, JSONB), and a failure is raised as SQLAlchemy's error for it
(a unique index refusing a row is an IntegrityError, as from an INSERT), so callers and the
runner treat both ways alike. SQLite has neither: callers keep their INSERTs there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import psycopg
from sqlalchemy import Table, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

Processor = Callable[[Any], Any] | None
_PROCESSORS: dict[tuple[str, tuple[str, ...], frozenset[str]], list[Processor]] = {}


def supported(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def _processors(
    connection: Connection, table: Table, columns: Sequence[str], as_given: frozenset[str]
) -> list[Processor]:
    key = (table.name, tuple(columns), as_given)
    found = _PROCESSORS.get(key)
    if found is None:
        dialect = connection.dialect
        found = _PROCESSORS[key] = [
            None
            if name in as_given
            else table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in columns
        ]
    return found


def copy_rows(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[dict[str, Any]],
    *,
    as_given: frozenset[str] = frozenset(),
) -> None:
    """Insert `rows` (each a dict holding every one of `columns`) into `table` by COPY, in the
    connection's transaction. The values of the columns `as_given` are written as they are,
    in the text PostgreSQL reads for the column's type (JSON text for a JSONB column), past
    the column type's bind processing."""
    if not rows:
        return
    processors = _processors(connection, table, columns, as_given)
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    driver = connection.connection.driver_connection
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(
                    [
                        row[name] if process is None else process(row[name])
                        for name, process in zip(columns, processors, strict=True)
                    ]
                )
    except psycopg.Error as exc:
        raise DBAPIError.instance(statement, None, exc, psycopg.Error) from exc


def next_ids(connection: Connection, table: Table, count: int) -> list[int]:
    """`count` new ids of `table`, from its sequence, in increasing order."""
    return next_ids_of(connection, {table: count})[table]


def next_ids_of(connection: Connection, wanted: Mapping[Table, int]) -> dict[Table, list[int]]:
    """New ids of several tables, `wanted[table]` of each, in increasing order: one
    statement for them all."""
    counts = {table: count for table, count in wanted.items() if count > 0}
    drawn: dict[Table, list[int]] = {table: [] for table in wanted}
    if not counts:
        return drawn
    tables = list(counts)
    parts: list[str] = []
    values: dict[str, Any] = {}
    for k, table in enumerate(tables):
        parts.append(
            f"SELECT {k} AS k, nextval(CAST(:sequence_{k} AS regclass)) AS id"
            f" FROM generate_series(1, :count_{k})"
        )
        values[f"sequence_{k}"] = _sequence_of(connection, table)
        values[f"count_{k}"] = counts[table]
    for k, row_id in connection.execute(text(" UNION ALL ".join(parts)), values):
        drawn[tables[k]].append(int(row_id))
    for ids in drawn.values():
        ids.sort()
    return drawn


_SEQUENCES: dict[str, str] = {}


def _sequence_of(connection: Connection, table: Table) -> str:
    """The name of the sequence behind `table`'s id (looked up once; the schema is the
    migrations', the same in every database)."""
    name = _SEQUENCES.get(table.name)
    if name is None:
        found = connection.execute(
            text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
        ).scalar_one()
        name = _SEQUENCES[table.name] = str(found)
    return name
