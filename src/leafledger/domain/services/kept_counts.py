"""Counts kept per facility and list, changed at commit by what a request did.

Lists of millions of rows (packages, sales receipts) read their Total from a table of counts
instead of counting. A flush hook notes each row's move between lists as +1/-1 deltas in the
request state (`noted`); `apply_deltas` adds them to the kept counts just before the commit,
in key order (two requests then lock the count rows in the same order, and hold them only for
the commit); `forget` drops them when the transaction rolls back.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from leafledger.domain.request_state import peek_request_state, request_state


def noted(session: Session, kind: str) -> Counter[Any]:
    """The deltas of counts of `kind` this request has noted so far (made on first use)."""
    return request_state(session).count_deltas.setdefault(kind, Counter())


def forget(session: Session, kind: str) -> None:
    """Drop the noted deltas of `kind` (the transaction rolled back: nothing happened)."""
    state = peek_request_state(session)
    if state is not None:
        state.count_deltas.pop(kind, None)


def apply_deltas(
    session: Session,
    kind: str,
    counted: tuple[type[Any], ...],
    count_model: Any,
    key_columns: tuple[str, str],
) -> None:
    """Add the deltas of `kind` noted by this request to `count_model`'s rows, keyed by
    `key_columns` (the facility and the list). Rows of `counted` still pending are flushed
    first, so that their last changes pass through the flush hook."""
    pending = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, counted) for obj in pending):
        session.flush()
    state = peek_request_state(session)
    deltas = state.count_deltas.pop(kind, None) if state is not None else None
    if not deltas:
        return
    upsert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    for key, delta in sorted(deltas.items()):
        if not delta:
            continue
        row = {**dict(zip(key_columns, key, strict=True)), "count": delta}
        statement = upsert(count_model).values(row)
        session.connection().execute(  # Core: the rows are flushed already
            statement.on_conflict_do_update(
                index_elements=list(key_columns), set_={"count": count_model.count + delta}
            )
        )
