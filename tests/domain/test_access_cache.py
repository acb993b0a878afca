"""The per-process memory of accepted credentials (dialects/kit/access.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from leafledger.dialects.kit.access import AccessCache
from leafledger.domain.actor import CLI
from leafledger.domain.errors import Unauthenticated
from leafledger.domain.models import Employee, Facility, Integrator, TraceAccount, User
from leafledger.domain.services.identity import create_integrator, create_user, employ
from leafledger.domain.services.trace_accounts import (
    authenticate_trace_account,
    create_trace_account,
)
from leafledger.store import Store
from tests.conftest import Ledger, unique
from tests.statements import counted_statements


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


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
        first = cache.authenticate(session, vendor_key, user_key, license_number)
        assert first.facility is not None
        caller = first.caller()
        first_ids = (caller.integrator.id, caller.user.id, first.facility.id)
        assert first_ids[:2] == (first.integrator_id, first.user_id)
    with counted_statements(store.engine) as seen, store.transaction() as session:
        again = cache.authenticate(session, vendor_key, user_key, license_number)
        assert again.facility is not None
        assert (again.integrator_id, again.user_id, again.facility.id) == first_ids
        assert again.permissions == {"View Plants"}
        assert again.facility.license_number == license_number
        # The rebuilt facility is part of the session like a loaded one, and clean.
        assert again.facility in session
        caller = again.caller()
        assert caller is again.caller()  # rebuilt once per request
        assert (caller.integrator.id, caller.user.id) == first_ids[:2]
        assert caller.user in session and caller.integrator in session
        assert not session.dirty
    assert _selects(seen) == []


def _remembered(store: Store, ledger: Ledger) -> tuple[AccessCache, tuple[str, str, str]]:
    """A cache that has accepted a fresh key pair once, and that pair."""
    keys = _keys(store, ledger, ["View Plants"])
    cache = AccessCache(5, clock=Clock())
    with store.transaction() as session:
        cache.authenticate(session, *keys)
    return cache, keys


def test_the_caller_rows_are_rebuilt_only_when_asked_for(store: Store, ledger: Ledger) -> None:
    cache, keys = _remembered(store, ledger)
    with store.transaction() as session:
        access = cache.authenticate(session, *keys)
        assert not any(isinstance(obj, Integrator | User) for obj in session)
        access.caller()
        assert sum(isinstance(obj, Integrator | User) for obj in session) == 2


def test_a_caller_row_the_handler_read_first_is_the_one_used(store: Store, ledger: Ledger) -> None:
    cache, keys = _remembered(store, ledger)
    with store.transaction() as session:
        access = cache.authenticate(session, *keys)
        read_first = session.get(User, access.user_id)
        assert access.caller().user is read_first


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
        access = cache.authenticate(session, vendor_key, user_key, license_number)
        assert access.permissions == {"View Plants"}  # still remembered
    clock.now += 1.5
    with store.transaction() as session:
        access = cache.authenticate(session, vendor_key, user_key, license_number)
        assert access.permissions == {"View Packages"}


def test_a_change_made_in_this_process_is_seen_at_once(store: Store, ledger: Ledger) -> None:
    vendor_key, user_key, license_number = _keys(store, ledger, ["View Plants"])
    cache = AccessCache(60, clock=Clock())
    with store.transaction() as session:
        user_id = cache.authenticate(session, vendor_key, user_key, license_number).user_id
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
        elsewhere_access = cache.authenticate(session, vendor_key, user_key, elsewhere)
        assert elsewhere_access.permissions is None and elsewhere_access.facility is None
        with pytest.raises(Unauthenticated):
            cache.authenticate(session, vendor_key, vendor_key, license_number)


def test_zero_seconds_always_asks_the_database(store: Store, ledger: Ledger) -> None:
    vendor_key, user_key, license_number = _keys(store, ledger, ["View Plants"])
    cache = AccessCache(0)
    for _ in range(2):
        with counted_statements(store.engine) as seen, store.transaction() as session:
            cache.authenticate(session, vendor_key, user_key, license_number)
        assert len(_selects(seen)) == 1


def _trace_key(store: Store) -> tuple[str, int]:
    with store.transaction() as session:
        issued = create_trace_account(session, CLI, unique("Trace POS"))
        session.flush()
        return issued.key, issued.holder.id


def _admit(cache: AccessCache, store: Store, key: str) -> list[str]:
    """Admit `key` through `cache`; the SELECTs it took."""
    with counted_statements(store.engine) as seen, store.transaction() as session:
        cache.admitted("trace", key, lambda: authenticate_trace_account(session, key))
    return _selects(seen)


def test_an_admitted_dialect_key_is_remembered_until_it_expires(store: Store) -> None:
    key, _ = _trace_key(store)
    clock = Clock()
    cache = AccessCache(5, clock=clock)
    assert _admit(cache, store, key)  # checked the first time
    assert _admit(cache, store, key) == []  # then remembered
    clock.now += 6
    assert _admit(cache, store, key)  # expired: checked again


def test_a_refused_dialect_key_is_never_remembered(store: Store) -> None:
    cache = AccessCache(60, clock=Clock())
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            _admit(cache, store, "not-a-trace-key")


def test_an_account_revoked_in_this_process_is_refused_at_once(store: Store) -> None:
    key, account_id = _trace_key(store)
    cache = AccessCache(60, clock=Clock())
    _admit(cache, store, key)
    with store.transaction() as session:
        account = session.get(TraceAccount, account_id)
        assert account is not None
        account.active = False
    with pytest.raises(Unauthenticated):
        _admit(cache, store, key)
