"""A server killed under write load loses no acknowledged write and keeps no partial request;
racing clients cannot break a uniqueness rule. Real servers (two workers) on SQLite and
PostgreSQL; short enough for CI."""

from __future__ import annotations

import base64
import itertools
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from leafledger.domain.actor import CLI
from leafledger.domain.models import Location
from leafledger.domain.services.audit_chain import verify
from leafledger.domain.services.facilities import create_facility
from leafledger.domain.services.identity import create_integrator, create_user, employ
from leafledger.permissions import all_permissions
from leafledger.store import Store, upgrade
from tests.race import race
from tests.servers import Server, scratch_database, serving

LICENSE = "CRASH-1"
BATCH = 5  # locations per request: all of them are kept, or none
LOAD_SECONDS = 1.5


@pytest.fixture(params=["sqlite", "postgresql"])
def database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, dict[str, str]]]:
    """A scratch database with one facility and an employee; its URL and Basic headers."""
    with scratch_database(request.param, tmp_path) as url:
        store = Store(url)
        upgrade(store.engine)
        with store.transaction() as session:
            facility = create_facility(
                session, CLI, license_number=LICENSE, name="Crash", state_code="CO",
                license_type="Cultivator",
            )  # fmt: skip
            vendor = create_integrator(session, CLI, "Crash Vendor")
            user = create_user(session, CLI, "Crash User", "CRASH-EMP")
            employ(session, CLI, user.holder, facility, all_permissions())
        store.dispose()
        token = base64.b64encode(f"{vendor.key}:{user.key}".encode()).decode()
        yield url, {"Authorization": f"Basic {token}"}


def _names(batch: int) -> list[str]:
    return [f"Room {batch}-{n}" for n in range(BATCH)]


def _stored_names(url: str) -> set[str]:
    store = Store(url)
    try:
        with store.transaction(write=False) as session:
            return set(session.scalars(select(Location.name)))
    finally:
        store.dispose()


def test_a_killed_server_keeps_every_acknowledged_write_and_no_partial_one(
    database: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    url, headers = database
    server = Server(url, tmp_path / "server.log", workers=2).start()
    acknowledged: list[int] = []
    sent = itertools.count()
    stop = threading.Event()
    lock = threading.Lock()

    def writer() -> None:
        with httpx.Client(base_url=server.url, headers=headers, timeout=10) as client:
            while not stop.is_set():
                batch = next(sent)
                body = [{"Name": name, "LocationTypeName": "Default"} for name in _names(batch)]
                try:
                    response = client.post(
                        "/locations/v2/", params={"licenseNumber": LICENSE}, json=body
                    )
                except httpx.TransportError:
                    return  # the server is gone; this request was never acknowledged
                if response.status_code == 200:
                    with lock:
                        acknowledged.append(batch)

    threads = [threading.Thread(target=writer) for _ in range(6)]
    for thread in threads:
        thread.start()
    time.sleep(LOAD_SECONDS)
    server.kill()
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert acknowledged, server.output()

    server.start()  # the same database, after the crash
    try:
        stored = _stored_names(url)
        for batch in acknowledged:
            assert set(_names(batch)) <= stored, f"acknowledged batch {batch} was lost"
        attempted = next(sent)
        for batch in range(attempted):
            kept = set(_names(batch)) & stored
            assert kept in (set(), set(_names(batch))), f"batch {batch} was kept in part"
        store = Store(url)
        with store.transaction() as session:
            assert verify(session).ok
        store.dispose()
        # The restarted server takes writes again.
        again = httpx.post(
            f"{server.url}/locations/v2/",
            params={"licenseNumber": LICENSE},
            json=[{"Name": "After The Crash", "LocationTypeName": "Default"}],
            headers=headers,
        )
        assert again.status_code == 200, again.text
    finally:
        server.stop()


def test_racing_creations_of_one_name_leave_one(
    database: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    url, headers = database
    with serving(url, tmp_path / "server.log", workers=2) as server:

        def create(_: int) -> httpx.Response:
            return httpx.post(
                f"{server.url}/locations/v2/",
                params={"licenseNumber": LICENSE},
                json=[{"Name": "The One Room", "LocationTypeName": "Default"}],
                headers=headers,
                timeout=30,
            )

        responses = race(create, 16)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [400] * 15, [r.text for r in responses]
    for refused in (r for r in responses if r.status_code == 400):
        message = str(refused.json())
        assert "already exists" in message or "at the same time" in message, message
    assert sum(name == "The One Room" for name in _stored_names(url)) == 1
