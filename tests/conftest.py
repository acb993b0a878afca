"""Shared fixtures: one migrated database per test session, on SQLite or on PostgreSQL.

Set LEAFLEDGER_TEST_DATABASE_URL to a postgresql+psycopg:// URL to run the suite on PostgreSQL;
a fresh database is created on that server for the session and dropped afterwards.
"""

from __future__ import annotations

import base64
import itertools
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from leafledger.app import create_app
from leafledger.demo_keys import key_file_for, write_keys
from leafledger.domain.actor import CLI
from leafledger.domain.models import Facility
from leafledger.domain.services.demo import ensure_demo
from leafledger.domain.services.facilities import create_facility
from leafledger.domain.services.identity import create_user, employ, get_user
from leafledger.permissions import all_permissions
from leafledger.settings import RateLimits, Settings
from leafledger.store import Store, upgrade

SHARED = Path(os.environ.get("LEAFLEDGER_SHARED_DIR", Path(__file__).parents[2] / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The project's shared/ folder (the catalogue and examples), beside the checkout."""
    if not (SHARED / "spec" / "metrc" / "endpoints.csv").exists():
        pytest.skip(f"shared spec folder not found at {SHARED}")
    return SHARED


def _postgres_database(base_url: str) -> Iterator[str]:
    url = make_url(base_url)
    name = f"leafledger_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = os.environ.get("LEAFLEDGER_TEST_DATABASE_URL")
    if base:
        yield from _postgres_database(base)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'leafledger.db'}"


@pytest.fixture(scope="session")
def store(database_url: str) -> Iterator[Store]:
    store = Store(database_url)
    upgrade(store.engine)
    yield store
    store.dispose()


TEST_SETTINGS = Settings(rate_limits=RateLimits(enabled=False))


@pytest.fixture(scope="session")
def client(store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(store, TEST_SETTINGS)) as client:
        yield client


def basic_auth(vendor_key: str, user_key: str) -> dict[str, str]:
    token = base64.b64encode(f"{vendor_key}:{user_key}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@dataclass(frozen=True)
class DemoAccess:
    vendor_key: str
    user_key: str
    licenses: dict[str, str]  # licence type -> licence number
    trace_api_key: str

    @property
    def headers(self) -> dict[str, str]:
        return basic_auth(self.vendor_key, self.user_key)


@pytest.fixture(scope="session", autouse=True)
def private_data_home(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Demo key files of PostgreSQL test databases go to a scratch folder, not ~/.local."""
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("data-home"))


@pytest.fixture(scope="session")
def demo(store: Store) -> DemoAccess:
    with store.transaction() as session:
        made = ensure_demo(session, CLI, all_permissions())
    # Kept where `leafledger demo` looks for them, so that running it keeps these keys.
    write_keys(key_file_for(store.url), made.keys)
    return DemoAccess(
        made.vendor_key,
        made.user_key,
        {f.license_type: f.license_number for f in made.facilities},
        made.trace_api_key,
    )


_unique = itertools.count(1)


def unique(prefix: str) -> str:
    """A value no other test in this session uses (licence numbers, names)."""
    return f"{prefix}-{os.getpid()}-{next(_unique)}"


@dataclass(frozen=True)
class Ledger:
    """Builds facilities and users directly through the services, for tests that need their own."""

    store: Store
    demo: DemoAccess

    def facility(self, license_type: str = "Cultivator", state: str = "CO") -> Facility:
        with self.store.transaction() as session:
            return create_facility(
                session,
                CLI,
                license_number=unique("LIC"),
                name=unique("Facility"),
                state_code=state,
                license_type=license_type,
            )

    def user(self, grants: dict[str, list[str]]) -> dict[str, str]:
        """A new user employed at each licence of `grants` with those permissions; their headers."""
        with self.store.transaction() as session:
            from leafledger.domain.services.facilities import get_facility

            issued = create_user(session, CLI, unique("User"), unique("EMP"))
            for license_number, permissions in grants.items():
                employ(
                    session, CLI, issued.holder, get_facility(session, license_number), permissions
                )
            return basic_auth(self.demo.vendor_key, issued.key)

    def grant_demo_user(self, license_number: str) -> None:
        """Employ the demo user, with every permission, at a facility made by a test."""
        with self.store.transaction() as session:
            from leafledger.domain.services.demo import DEMO_EMPLOYEE_LICENSE
            from leafledger.domain.services.facilities import get_facility

            employ(
                session,
                CLI,
                get_user(session, DEMO_EMPLOYEE_LICENSE),
                get_facility(session, license_number),
                all_permissions(),
            )


@pytest.fixture(scope="session")
def ledger(store: Store, demo: DemoAccess) -> Ledger:
    return Ledger(store, demo)
