"""Rows written by COPY on PostgreSQL (services/bulk_write.py) read back as an INSERT's would,
and a row a unique index refuses fails as SQLAlchemy's IntegrityError (what the runner answers
with a 400), not as the driver's own error."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select
from sqlalchemy.exc import IntegrityError

from leafledger.domain.models.base import JsonColumn, Quantity, UtcDateTime
from leafledger.domain.services import bulk_write
from leafledger.store import Store

metadata = MetaData()
SCRATCH = Table(
    "bulk_write_scratch",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(20), unique=True),
    Column("amount", Quantity),
    Column("at", UtcDateTime),
    Column("details", JsonColumn),
)
SCRATCH_LINES = Table(
    "bulk_write_scratch_lines",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(20)),
)


@pytest.fixture()
def scratch(store: Store) -> Any:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("COPY is PostgreSQL's; SQLite keeps its INSERTs")
    metadata.create_all(store.engine)
    try:
        yield store.engine
    finally:
        metadata.drop_all(store.engine)


def _row(name: str, n: int) -> dict[str, Any]:
    return {
        "name": name,
        "amount": Decimal("1.2500") * n,
        "at": datetime(2026, 12, 2, 4, n, tzinfo=UTC),
        "details": {"n": n, "tags": ["a", "é"], "none": None},
    }


def test_copied_rows_read_back_as_inserted_ones(scratch: Any) -> None:
    with scratch.begin() as connection:
        ids = bulk_write.next_ids(connection, SCRATCH, 3)
        assert ids == sorted(ids) and len(set(ids)) == 3
        copied = [{"id": i, **_row(f"copied-{n}", n)} for n, i in enumerate(ids, 1)]
        bulk_write.copy_rows(connection, SCRATCH, tuple(copied[0]), copied)
        connection.execute(insert(SCRATCH), [_row(f"inserted-{n}", n) for n in range(1, 4)])
    with scratch.connect() as connection:
        rows = {r.name: r for r in connection.execute(select(SCRATCH))}
    for n in range(1, 4):
        by_copy, by_insert = rows[f"copied-{n}"], rows[f"inserted-{n}"]
        assert (by_copy.amount, by_copy.at, by_copy.details) == (
            by_insert.amount,
            by_insert.at,
            by_insert.details,
        )
        assert by_copy.id == ids[n - 1]


def test_a_refused_row_is_an_integrity_error_and_nothing_is_kept(scratch: Any) -> None:
    with scratch.begin() as connection:
        connection.execute(insert(SCRATCH), [_row("taken", 1)])
    with pytest.raises(IntegrityError), scratch.begin() as connection:
        [new_id] = bulk_write.next_ids(connection, SCRATCH, 1)
        rows = [{"id": new_id, **_row("free", 2)}, {"id": new_id + 1000, **_row("taken", 3)}]
        bulk_write.copy_rows(connection, SCRATCH, tuple(rows[0]), rows)
    with scratch.connect() as connection:
        assert [r.name for r in connection.execute(select(SCRATCH))] == ["taken"]


def test_ids_drawn_for_several_tables_at_once_come_from_each_tables_sequence(scratch: Any) -> None:
    with scratch.begin() as connection:
        drawn = bulk_write.next_ids_of(connection, {SCRATCH: 3, SCRATCH_LINES: 5})
        none = bulk_write.next_ids_of(connection, {SCRATCH: 0})
        heads = [{"id": i, **_row(f"head-{i}", 1)} for i in drawn[SCRATCH]]
        lines = [{"id": i, "name": f"line-{i}"} for i in drawn[SCRATCH_LINES]]
        bulk_write.copy_rows(connection, SCRATCH, tuple(heads[0]), heads)
        bulk_write.copy_rows(connection, SCRATCH_LINES, ("id", "name"), lines)
        # Rows inserted afterwards take the ids after the drawn ones: the sequences moved.
        after_head = connection.execute(
            insert(SCRATCH).returning(SCRATCH.c.id), [_row("after", 2)]
        ).scalar_one()
        after_line = connection.execute(
            insert(SCRATCH_LINES).returning(SCRATCH_LINES.c.id), [{"name": "after"}]
        ).scalar_one()
    assert none == {SCRATCH: []}
    assert len(drawn[SCRATCH]) == 3 and len(drawn[SCRATCH_LINES]) == 5
    for table, ids in drawn.items():
        assert ids == sorted(set(ids)), table.name
    assert after_head > max(drawn[SCRATCH]) and after_line > max(drawn[SCRATCH_LINES])
