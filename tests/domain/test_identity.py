"""Keys: random, shown once, stored hashed, checked in constant time; employment and permissions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from leafledger.domain.actor import CLI
from leafledger.domain.errors import Conflict, RuleViolation, Unauthenticated
from leafledger.domain.models import AuditEvent, Integrator, User
from leafledger.domain.services import identity
from leafledger.domain.services.facilities import create_facility
from leafledger.store import Store
from tests.conftest import unique


def test_keys_are_random_and_stored_only_as_digests(store: Store) -> None:
    with store.transaction() as session:
        first = identity.create_integrator(session, CLI, unique("Vendor"))
        second = identity.create_integrator(session, CLI, unique("Vendor"))
        assert first.key != second.key
        assert len(first.key) >= 32
        stored = session.get(Integrator, first.holder.id)
        assert stored is not None
        assert stored.key_hash == identity.hash_key(first.key)
        assert first.key not in (stored.key_hash, stored.key_prefix)
        # The clear key appears in no audit event either.
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == "integrators")
        ).all()
        assert all(first.key not in str(event.after) for event in events)
        assert all("key_hash" not in (event.after or {}) for event in events)


def test_authenticate_accepts_the_pair_and_refuses_any_wrong_half(store: Store) -> None:
    with store.transaction() as session:
        vendor = identity.create_integrator(session, CLI, unique("Vendor"))
        user = identity.create_user(session, CLI, "Ann Grower", unique("EMP"))
        caller, employee = identity.authenticate(session, vendor.key, user.key)
        assert caller.integrator.id == vendor.holder.id
        assert caller.user.id == user.holder.id
        assert employee is None
        # Same prefix, different tail: the digest comparison must still refuse it.
        forged = user.key[: identity.KEY_PREFIX_LENGTH] + "x" * (
            len(user.key) - identity.KEY_PREFIX_LENGTH
        )
        for vendor_key, user_key in [
            (vendor.key, forged),
            (user.key, vendor.key),
            ("", user.key),
            (vendor.key, ""),
        ]:
            with pytest.raises(Unauthenticated):
                identity.authenticate(session, vendor_key, user_key)


def test_authenticate_reads_the_employment_at_a_licence(store: Store) -> None:
    with store.transaction() as session:
        vendor = identity.create_integrator(session, CLI, unique("Vendor"))
        user = identity.create_user(session, CLI, "Ann Grower", unique("EMP"))
        here, elsewhere = (
            create_facility(
                session,
                CLI,
                license_number=unique("LIC"),
                name=name,
                state_code="CO",
                license_type="Cultivator",
            )
            for name in ("Here", "Elsewhere")
        )
        identity.employ(session, CLI, user.holder, here, ["View Plants"])
        _, employee = identity.authenticate(session, vendor.key, user.key, here.license_number)
        assert employee is not None and employee.facility.id == here.id
        assert employee.permissions == ["View Plants"]
        for license_number in [elsewhere.license_number, "NO-SUCH-LICENCE"]:
            found = identity.authenticate(session, vendor.key, user.key, license_number)
            assert found[0].user.id == user.holder.id and found[1] is None
        # A wrong key is refused whatever the licence.
        with pytest.raises(Unauthenticated):
            identity.authenticate(session, vendor.key, vendor.key, here.license_number)


def test_inactive_user_cannot_authenticate(store: Store) -> None:
    with store.transaction() as session:
        vendor = identity.create_integrator(session, CLI, unique("Vendor"))
        user = identity.create_user(session, CLI, "Former Staff", unique("EMP"))
        row = session.get(User, user.holder.id)
        assert row is not None
        row.active = False
        session.flush()
        with pytest.raises(Unauthenticated):
            identity.authenticate(session, vendor.key, user.key)


def test_duplicates_and_blank_names_are_refused(store: Store) -> None:
    name, license_number = unique("Vendor"), unique("EMP")
    with store.transaction() as session:
        identity.create_integrator(session, CLI, name)
        identity.create_user(session, CLI, "Someone", license_number)
    with store.transaction() as session:
        with pytest.raises(Conflict):
            identity.create_integrator(session, CLI, name)
        with pytest.raises(Conflict):
            identity.create_user(session, CLI, "Someone Else", license_number)
        with pytest.raises(RuleViolation):
            identity.create_integrator(session, CLI, "   ")
        with pytest.raises(RuleViolation):
            identity.create_user(session, CLI, "", unique("EMP"))
