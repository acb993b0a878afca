"""Many rows at once on PostgreSQL: COPY, and ids drawn ahead from a table's sequence.

A request that writes dozens of rows of one table (a batch of sales receipts and their lines,
the audit events of any request) spends more in the client than in the server when it sends
them as a multi-row INSERT: every value is a named parameter that SQLAlchemy builds and psycopg
adapts, per row. COPY streams the same rows with the same types for a fraction of that. It
returns nothing, so rows that need their ids take them from the table's sequence first
(`next_ids`), one statement for any number.

Values go through the bind processing of each column's type, exactly as an INSERT's would
(exact quantities, UTC times, JSONB), and a failure is raised as SQLAlchemy's error for it
(a unique index refusing a row is an IntegrityError, as from an INSERT), so callers and the
runner treat both ways alike. SQLite has neither: callers keep their INSERTs there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import psycopg
from sqlalchemy import Table, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

Processor = Callable[[Any], Any] | None
_PROCESSORS: dict[tuple[str, tuple[str, ...]], list[Processor]] = {}
_NEXT_IDS = text(
    "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"
)


def supported(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def _processors(connection: Connection, table: Table, columns: Sequence[str]) -> list[Processor]:
    key = (table.name, tuple(columns))
    found = _PROCESSORS.get(key)
    if found is None:
        dialect = connection.dialect
        found = _PROCESSORS[key] = [
            table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
        ]
    return found


def copy_rows(
    connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[dict[str, Any]]
) -> None:
    """Insert `rows` (each a dict holding every one of `columns`) into `table` by COPY, in the
    connection's transaction."""
    if not rows:
        return
    processors = _processors(connection, table, columns)
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
    if count <= 0:
        return []
    drawn = connection.execute(_NEXT_IDS, {"table": table.name, "count": count}).scalars()
    return sorted(int(value) for value in drawn)
