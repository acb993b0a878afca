"""Counting the SQL statements a request runs.

A page of any list costs a fixed number of statements whatever its size: tests ask for one
page of 1 record and one of many (`page_statements`) and compare the counts. The first
request of a pair warms the credential memory, so both measured requests find it warm.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine


@contextmanager
def counted_statements(engine: Engine) -> Iterator[list[str]]:
    """The statements `engine` runs inside the block, in order."""
    seen: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def page_statements(
    client: TestClient,
    engine: Engine,
    path: str,
    headers: dict[str, str],
    params: dict[str, Any],
    sizes: tuple[int, ...] = (1, 20),
    size_param: str = "pageSize",
) -> dict[int, tuple[int, int]]:
    """For each page size: (records on the page, statements run) of one GET of `path`."""
    warm = client.get(path, params={**params, size_param: sizes[0]}, headers=headers)
    assert warm.status_code == 200, warm.text
    found = {}
    for size in sizes:
        with counted_statements(engine) as seen:
            response = client.get(path, params={**params, size_param: size}, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        data = body["Data"] if isinstance(body, dict) and "Data" in body else body
        if isinstance(body, dict) and "results" in body:
            data = body["results"]["data"]
        found[size] = (len(data), len(seen))
    return found


def row_insert_split(
    engine: Engine, send: Callable[[], object], tables: tuple[str, ...]
) -> tuple[int, int]:
    """What `send()` runs: (the statements other than INSERTs into `tables`, those INSERTs).
    A bulk write's other statements are the same for any number of objects; its row INSERTs
    are one per table on PostgreSQL, and one per row on SQLite (which runs in process)."""
    inserts = tuple(f"INSERT INTO {table} " for table in tables)
    with counted_statements(engine) as seen:
        send()
    inserted = sum(1 for statement in seen if statement.startswith(inserts))
    return len(seen) - inserted, inserted
