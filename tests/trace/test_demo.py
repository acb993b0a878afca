"""`leafledger demo` hands out what the Trace dialect needs: its key and each facility's state."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from leafledger.cli import run_demo
from leafledger.domain.actor import CLI
from leafledger.domain.models import AuditEvent, DemoSandbox, TraceAccount
from leafledger.domain.services.demo import ensure_demo
from leafledger.domain.services.identity import has_key
from leafledger.domain.services.trace_accounts import authenticate_trace_account
from leafledger.store import Store, upgrade
from tests.conftest import DemoAccess
from tests.trace.conftest import kmp_token


def test_demo_payload_has_the_trace_key_and_states(
    store: Store, client: TestClient, demo: DemoAccess
) -> None:
    payload = run_demo(store)
    assert payload == run_demo(store), "running the demo again changes nothing"
    assert payload["vendor_key"] == demo.vendor_key
    assert {f["state"] for f in payload["facilities"]} == {"CO"}
    first = payload["facilities"][0]
    response = client.get(
        f"/{first['state'].lower()}/v1/config/locations",
        params={"license_number": first["license_number"]},
        headers={
            "x-api-key": payload["trace_api_key"],
            "Authorization": kmp_token(payload["vendor_key"], payload["user_key"]),
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["results"]["type"] == "array"


def test_an_older_sandbox_gets_its_trace_account(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'older.db'}")
    upgrade(store.engine)
    try:
        with store.transaction() as session:
            first = ensure_demo(session, CLI, ["Manage Locations"])
            sandbox = session.scalars(select(DemoSandbox)).one()
            # As a sandbox made before the Trace dialect: no Trace account yet.
            account = session.get(TraceAccount, sandbox.trace_account_id)
            assert account is not None and has_key(account, first.trace_api_key)
            sandbox.trace_account_id = None
            session.flush()
            session.delete(account)
        with store.transaction() as session:
            again = ensure_demo(session, CLI, ["Manage Locations"], first.keys)
            assert again.trace_api_key and again.trace_api_key != first.trace_api_key
            assert (again.vendor_key, again.user_key) == (first.vendor_key, first.user_key)
            assert authenticate_trace_account(session, again.trace_api_key).name.startswith(
                "leafledger demo Trace"
            )
            events = session.scalars(
                select(AuditEvent).where(AuditEvent.entity_type == "demo_sandbox")
            ).all()
            assert [e.action for e in events] == ["create", "update"]
            assert events[1].after is not None and events[1].after["trace_account_id"]
            for event in events:
                assert "trace_api_key" not in (event.after or {})
                assert "trace_api_key" not in (event.before or {})
        with store.transaction() as session:
            assert ensure_demo(session, CLI, ["Manage Locations"], again.keys).trace_api_key == (
                again.trace_api_key
            )
    finally:
        store.dispose()
