"""The migrations build exactly the schema the models describe, and can be undone and redone."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from leafledger.domain.models import Base
from leafledger.store import Store, upgrade
from leafledger.store.migrate import alembic_config
from tests.conftest import _postgres_database


def drift(engine: Engine) -> list[Any]:
    """Differences between the database's schema and the models (empty when they agree)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def test_session_database_has_no_drift(store: Store) -> None:
    assert drift(store.engine) == []


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty database: a new SQLite file, or a new database on the test PostgreSQL server."""
    if request.param == "sqlite":
        store = Store(f"sqlite:///{tmp_path / 'fresh.db'}")
        yield store
        store.dispose()
        return
    base = os.environ.get("LEAFLEDGER_TEST_DATABASE_URL")
    if not base:
        pytest.skip("set LEAFLEDGER_TEST_DATABASE_URL to check migrations on PostgreSQL")
    for url in _postgres_database(base):
        store = Store(url)
        try:
            yield store
        finally:
            store.dispose()


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_fresh_upgrade_has_no_drift(fresh_store: Store) -> None:
    upgrade(fresh_store.engine)
    assert drift(fresh_store.engine) == []
    assert tables(fresh_store.engine) == set(Base.metadata.tables) | {"alembic_version"}


def test_downgrade_to_base_then_upgrade_again(fresh_store: Store) -> None:
    engine = fresh_store.engine
    config = alembic_config(engine)
    upgrade(engine)
    command.downgrade(config, "base")
    assert tables(engine) <= {"alembic_version"}
    upgrade(engine)
    assert drift(engine) == []
    assert tables(engine) == set(Base.metadata.tables) | {"alembic_version"}
    # Upgrading an up-to-date database is a no-op.
    upgrade(engine)
    assert drift(engine) == []


def test_history_is_linear(store: Store) -> None:
    script = ScriptDirectory.from_config(alembic_config(store.engine))
    assert len(script.get_heads()) == 1
    assert len(script.get_bases()) == 1
    with store.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    assert current == tuple(script.get_heads())


def test_audit_snapshots_are_compressed_with_lz4_where_postgresql_has_it(store: Store) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("column compression is PostgreSQL's")
    with store.engine.connect() as connection:
        choices = connection.exec_driver_sql(
            "SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'"
        ).scalar()
        methods = dict(
            connection.exec_driver_sql(
                "SELECT attname, attcompression FROM pg_attribute "
                "WHERE attrelid = 'audit_events'::regclass AND attname IN ('before', 'after')"
            ).all()
        )
    if "lz4" not in (choices or []):
        pytest.skip("this PostgreSQL was built without LZ4")
    assert methods == {"before": "l", "after": "l"}
