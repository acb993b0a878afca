"""The per-process memory of accepted credentials (dialects/kit/access.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, update
from sqlalchemy.engine import Engine

from leafledger.dialects.kit.access import AccessCache
from leafledger.domain.actor import CLI
from leafledger.domain.errors import Unauthenticated
from leafledger.domain.models import Employee, Facility, User
from leafledger.domain.services.identity import create_integrator, create_user, employ
from leafledger.store import Store
from tests.conftest import Ledger, unique


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@contextmanager
def counted_statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def _keys(store: Store, ledger: Ledger, permissions: list[str]) -> tuple[str, str, str]:
    facility = ledger.facility()
    with store.transaction() as session:
        vendor = create_integrator(session, CLI, unique("Vendor"))
        user = create_user(session, CLI, "Cached User", unique("EMP"))
        employ(session, CLI, user.holder, session.merge(facility), permissions)
    return vendor.key, user.key, facility.license_number


def _selects(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")]


def test_a_remembered_pair_is_served_without_a_query(store: Store, ledger: Ledger) -> None:
    vendor_key, user_key, license_number = _keys(store, ledger, ["View Plants"])
    cache = AccessCache(5, clock=Clock())
    with store.transaction() as session:
        first, employee = cache.authenticate(session, vendor_key, user_key, license_number)
        assert employee is not None
        first_ids = (first.integrator.id, first.user.id, employee.id, employee.facility.id)
    with counted_statements(store.engine) as seen, store.transaction() as session:
        caller, employee = cache.authenticate(session, vendor_key, user_key, license_number)
        assert employee is not None
        assert (caller.integrator.id, caller.user.id, employee.id, employee.facility.id) == (
            first_ids
        )
        assert employee.permissions == ["View Plants"]
        assert employee.facility.license_number == license_number
        assert employee.user is caller.user
        # The rebuilt rows are part of the session like loaded ones, and clean.
        assert employee in session and employee.facility in session
        assert not session.dirty
    assert _selects(seen) == []


def test_entries_expire(store: Store, ledger: Ledger) -> None:
    vendor_key, user_key, license_number = _keys(store, ledger, ["View Plants"])
    clock = Clock()
    cache = AccessCache(2, clock=clock)
    with store.transaction() as session:
        cache.authenticate(session, vendor_key, user_key, license_number)
    # A change no flush of this process announces (another worker, the CLI of another host).
    with store.transaction() as session:
        session.execute(
            update(Employee)
            .where(Employee.facility_id == Facility.id, Facility.license_number == license_number)
            .values(permissions=["View Packages"])
            .execution_options(synchronize_session=False)
        )
    clock.now += 1
    with store.transaction() as session:
        _, employee = cache.authenticate(session, vendor_key, user_key, license_number)
        assert employee is not None and employee.permissions == ["View Plants"]  # still remembered
    clock.now += 1.5
    with store.transaction() as session:
        _, employee = cache.authenticate(session, vendor_key, user_key, license_number)
        assert employee is not None and employee.permissions == ["View Packages"]


def test_a_change_made_in_this_process_is_seen_at_once(store: Store, ledger: Ledger) -> None:
    vendor_key, user_key, license_number = _keys(store, ledger, ["View Plants"])
    cache = AccessCache(60, clock=Clock())
    with store.transaction() as session:
        caller, _ = cache.authenticate(session, vendor_key, user_key, license_number)
        user_id = caller.user.id
    with store.transaction() as session:
        user = session.get(User, user_id)
        assert user is not None
        user.active = False
    with store.transaction() as session, pytest.raises(Unauthenticated):
        cache.authenticate(session, vendor_key, user_key, license_number)


def test_refusals_and_other_licences_are_not_taken_from_memory(
    store: Store, ledger: Ledger
) -> None:
    vendor_key, user_key, license_number = _keys(store, ledger, ["View Plants"])
    elsewhere = ledger.facility().license_number
    cache = AccessCache(60, clock=Clock())
    with store.transaction() as session:
        cache.authenticate(session, vendor_key, user_key, license_number)
        _, employee = cache.authenticate(session, vendor_key, user_key, elsewhere)
        assert employee is None
        with pytest.raises(Unauthenticated):
            cache.authenticate(session, vendor_key, vendor_key, license_number)


def test_zero_seconds_always_asks_the_database(store: Store, ledger: Ledger) -> None:
    vendor_key, user_key, license_number = _keys(store, ledger, ["View Plants"])
    cache = AccessCache(0)
    for _ in range(2):
        with counted_statements(store.engine) as seen, store.transaction() as session:
            cache.authenticate(session, vendor_key, user_key, license_number)
        assert len(_selects(seen)) == 1
