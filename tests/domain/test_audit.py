"""Every change lands in the append-only audit log with who, what, where and before/after."""

from __future__ import annotations

from sqlalchemy import select

from leafledger.domain.actor import Actor
from leafledger.domain.models import AuditEvent
from leafledger.domain.services import identity
from leafledger.domain.services.facilities import create_facility
from leafledger.store import Store
from tests.conftest import DemoAccess, unique


def _events(store: Store, entity_type: str, entity_id: int) -> list[AuditEvent]:
    with store.read() as session:
        return list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
                .order_by(AuditEvent.id)
            )
        )


def test_facility_creation_and_employment_changes_are_recorded(store: Store) -> None:
    actor = Actor(channel="cli")
    with store.transaction() as session:
        facility = create_facility(
            session,
            actor,
            license_number=unique("LIC"),
            name="Audit Farm",
            state_code="co",
            license_type="cultivator",
        )
        user = identity.create_user(session, actor, "Audited Person", unique("EMP")).holder
        employee = identity.employ(session, actor, user, facility, ["View Packages"])
        identity.employ(session, actor, user, facility, ["View Packages", "Manage Items"])
        # Granting the same permissions again changes nothing, so it records nothing.
        identity.employ(session, actor, user, facility, ["Manage Items", "View Packages"])

    created = _events(store, "facilities", facility.id)
    assert [e.action for e in created] == ["create"]
    assert created[0].facility_id == facility.id
    assert created[0].after is not None
    assert created[0].after["license_number"] == facility.license_number
    assert created[0].after["state_code"] == "CO"
    assert created[0].after["license_type"] == "Cultivator"

    employment = _events(store, "employees", employee.id)
    assert [e.action for e in employment] == ["create", "update"]
    update = employment[1]
    assert update.before is not None and update.after is not None
    assert update.before["permissions"] == ["View Packages"]
    assert update.after["permissions"] == ["Manage Items", "View Packages"]
    assert all(e.channel == "cli" for e in employment)


def test_events_record_the_acting_user_and_integrator(store: Store) -> None:
    with store.transaction() as session:
        vendor = identity.create_integrator(session, Actor("cli"), unique("Vendor")).holder
        boss = identity.create_user(session, Actor("cli"), "Boss", unique("EMP")).holder
        actor = Actor(channel="metrc", user_id=boss.id, integrator_id=vendor.id)
        hired = identity.create_user(session, actor, "New Hire", unique("EMP")).holder
    (event,) = _events(store, "users", hired.id)
    assert (event.channel, event.user_id, event.integrator_id) == ("metrc", boss.id, vendor.id)
    assert event.occurred_at.tzinfo is not None


def test_the_demo_sandbox_is_audited_once_and_without_its_keys(
    store: Store, demo: DemoAccess
) -> None:
    from sqlalchemy import func

    from leafledger.domain.actor import CLI
    from leafledger.domain.services.demo import DemoKeys, ensure_demo
    from leafledger.permissions import all_permissions

    known = DemoKeys(demo.vendor_key, demo.user_key, demo.trace_api_key)

    def count() -> int:
        with store.read() as session:
            return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)

    before = count()
    with store.transaction() as session:
        again = ensure_demo(session, CLI, all_permissions(), known)
    assert count() == before  # running the demo again, with its keys, changes nothing
    with store.read() as session:
        (event,) = session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == "demo_sandbox")
        ).all()
    assert event.action == "create"
    assert event.after is not None
    assert again.user_key not in str(event.after)
    assert again.vendor_key not in str(event.after)
