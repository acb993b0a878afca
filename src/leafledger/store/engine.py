"""Engine and session factory for the two supported backends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from leafledger.domain import listeners
from leafledger.store.writers import WriterQueue

SUPPORTED = ("sqlite", "postgresql")
WRITE_OPTION = "leafledger_write"
GENERIC_PLANS = "-c plan_cache_mode=force_generic_plan"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    """A writing transaction takes SQLite's write lock up front (BEGIN IMMEDIATE): its reads
    then see no write that commits before it does, and two processes never deadlock upgrading
    a read lock. Other transactions keep the driver's own lazy BEGIN (at the first write)."""
    if connection.get_execution_options().get(WRITE_OPTION, False):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


# psycopg keeps the parsed form of statements of up to 50 parameters and re-parses longer
# ones at every run, as an ORM's multi-row INSERTs rarely repeat. Here they do: a request
# holds at most 10 objects, so a flush inserts 1 to 10 rows of a table, always in the same
# few statements (10 plant batches take 180 parameters), and re-parsing one cost about a
# tenth of a planting request. These are psycopg's own limits, raised where it reads them.
PARSED_STATEMENTS_MAX_PARAMETERS = 2000
PARSED_STATEMENTS_MAX_LENGTH = 64 * 1024


def _keep_parsed_insert_statements() -> None:
    from psycopg import _queries

    if hasattr(_queries, "MAX_CACHED_STATEMENT_PARAMS"):
        _queries.MAX_CACHED_STATEMENT_PARAMS = PARSED_STATEMENTS_MAX_PARAMETERS
    if hasattr(_queries, "MAX_CACHED_STATEMENT_LENGTH"):
        _queries.MAX_CACHED_STATEMENT_LENGTH = PARSED_STATEMENTS_MAX_LENGTH


def _json_text(value: Any) -> bytes:
    """JSON column values (audit snapshots above all) as psycopg sends them, by orjson: the
    standard library's encoder took a twentieth of a planting request."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:
        # What orjson refuses and the standard encoder takes (integers past 64 bits).
        return json.dumps(value).encode()


def _json_value(text: str | bytes) -> Any:
    """JSON column values as read, by orjson (audit trails are read on many pages), or by the
    standard library for what orjson refuses (NaN, integers past 64 bits)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def make_engine(url: str) -> Engine:
    """An engine for a `sqlite:///file.db` or `postgresql+psycopg://...` URL."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED:
        raise ValueError(f"unsupported database {backend!r}: use sqlite or postgresql+psycopg")
    if backend == "sqlite":
        engine = create_engine(
            url, connect_args={"check_same_thread": False}, json_deserializer=_json_value
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    _keep_parsed_insert_statements()
    # Statements psycopg has prepared (after a few runs on one connection) keep one generic
    # plan. PostgreSQL would otherwise often plan the busiest statements (a page of a joined
    # list) at every run, which costs more than running them. Generic plans change no result.
    given = parsed.query.get("options") or ()
    options = " ".join([*([given] if isinstance(given, str) else given), GENERIC_PLANS])
    # No pre-ping: it costs a round trip per request. Connections are recycled hourly instead,
    # and a connection the server dropped fails one request, then leaves the pool.
    engine = create_engine(
        parsed.difference_update_query(["options"]),
        connect_args={"options": options},
        pool_size=10,
        max_overflow=20,
        pool_recycle=3600,
        json_serializer=_json_text,
        json_deserializer=_json_value,
    )
    # Rows inserted together without RETURNING (the audit events of a request) go as one
    # multi-row INSERT rather than psycopg's pipeline of one INSERT per row, which costs more
    # Python per row than the whole statement.
    engine.dialect.use_insertmanyvalues_wo_returning = True
    return engine


class Store:
    """Owns the engine; hands out sessions whose transaction the caller commits."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        listeners.install(self._sessions)
        parsed = make_url(url)
        self._postgresql = parsed.get_backend_name() == "postgresql"
        # SQLite writers queue for their turn (see writers.py); PostgreSQL has row locks.
        self._writers = (
            WriterQueue(parsed.database if parsed.database not in (None, "", ":memory:") else None)
            if parsed.get_backend_name() == "sqlite"
            else None
        )

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[Session]:
        """A session committed when the block ends normally, rolled back otherwise.

        `write=False` declares that the block only reads. Each of its statements then reads
        its own snapshot, on both databases: SQLite's driver opens no transaction for a read,
        and PostgreSQL runs the block in autocommit, which spares the BEGIN and COMMIT round
        trips (two of a list request's three). Reads that must agree with one another are
        written as one statement (a list page and its count are one query).
        """
        turn = self._writers.turn() if write and self._writers is not None else nullcontext()
        options: dict[str, Any] = {WRITE_OPTION: write}
        if not write and self._postgresql:
            options["isolation_level"] = "AUTOCOMMIT"
        with turn, self._sessions() as session, session.begin():
            session.connection(execution_options=options)
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reads; anything it changed is rolled back.

        Loaded objects are detached first, so they stay readable after the block.
        """
        with self._sessions() as session:
            try:
                yield session
            finally:
                session.expunge_all()
                session.rollback()

    @property
    def sessions(self) -> sessionmaker[Session]:
        """The factory of this store's sessions (the ledger's flush hooks are installed on it;
        the web app adds its own)."""
        return self._sessions

    def session(self, **options: Any) -> Session:
        """A new session of this store's factory, with its hooks (`bind=` a connection, ...)."""
        return self._sessions(**options)

    def dispose(self) -> None:
        self.engine.dispose()
