"""The demo sandbox keeps no key in clear in the database; its printable keys live in a file
of its own, readable by its owner only."""

from __future__ import annotations

import stat
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import String, inspect, select, text

from leafledger.app import create_app
from leafledger.cli import run_demo
from leafledger.demo_keys import key_file_for, read_keys
from leafledger.store import Store, upgrade
from tests.conftest import TEST_SETTINGS, basic_auth


def _every_text(store: Store) -> str:
    """Every text value of every table, joined: where a key in clear would show."""
    found = []
    with store.engine.connect() as connection:
        for table in inspect(store.engine).get_table_names():
            columns = [
                c["name"]
                for c in inspect(store.engine).get_columns(table)
                if isinstance(c["type"], String)
            ]
            for column in columns:
                found += [
                    str(v) for (v,) in connection.execute(text(f'SELECT "{column}" FROM "{table}"'))
                ]
    return "\n".join(found)


def test_no_demo_key_is_stored_in_clear(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'demo.db'}")
    upgrade(store.engine)
    try:
        payload = run_demo(store)
        everything = _every_text(store)
        for key in ("vendor_key", "user_key", "trace_api_key"):
            assert payload[key] not in everything
        from leafledger.domain.models import AuditEvent

        with store.transaction() as session:
            logged = str([(e.before, e.after) for e in session.scalars(select(AuditEvent))])
        assert payload["user_key"] not in logged and payload["vendor_key"] not in logged
    finally:
        store.dispose()


def test_the_key_file_is_the_owners_and_keeps_the_keys(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'demo.db'}")
    upgrade(store.engine)
    try:
        first = run_demo(store)
        path = key_file_for(store.url)
        assert path == tmp_path / "demo.db.demo-keys.json" == Path(first["key_file"])
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        kept = read_keys(path)
        assert kept is not None and kept.user_key == first["user_key"]
        assert run_demo(store) == first  # the same keys while the file keeps them
    finally:
        store.dispose()


def test_lost_keys_are_replaced_and_the_old_ones_stop_working(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'demo.db'}")
    upgrade(store.engine)
    try:
        first = run_demo(store)
        key_file_for(store.url).unlink()
        second = run_demo(store)
        assert second["user_key"] != first["user_key"]
        assert second["vendor_key"] != first["vendor_key"]
        with TestClient(create_app(store, TEST_SETTINGS)) as client:
            old = client.get(
                "/facilities/v2/", headers=basic_auth(first["vendor_key"], first["user_key"])
            )
            new = client.get(
                "/facilities/v2/", headers=basic_auth(second["vendor_key"], second["user_key"])
            )
        assert old.status_code == 401
        assert new.status_code == 200
    finally:
        store.dispose()
