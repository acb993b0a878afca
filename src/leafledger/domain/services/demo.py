"""The demo sandbox: an integrator, one facility per licence type and a user with every permission,
plus a Trace account whose key the Trace dialect takes as `x-api-key`.

Running it again changes nothing and reports the same keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.facility_types import license_types
from leafledger.domain.models import DemoSandbox, Facility, Integrator, User
from leafledger.domain.services.audit import record, snapshot
from leafledger.domain.services.facilities import create_facility, find_facility
from leafledger.domain.services.identity import create_integrator, create_user, employ
from leafledger.domain.services.trace_accounts import create_trace_account

DEMO_STATE = "CO"
DEMO_TIMEZONE = "America/Denver"
DEMO_INTEGRATOR = "leafledger demo integrator"
DEMO_TRACE_ACCOUNT = "leafledger demo Trace account"
DEMO_EMPLOYEE_LICENSE = "DEMO-EMP-0001"

# Licence numbers of the demo facilities, by licence type.
DEMO_LICENSES = {
    "Cultivator": "LL-DEMO-CUL-0001",
    "Manufacturer": "LL-DEMO-MFG-0001",
    "Dispensary": "LL-DEMO-DSP-0001",
    "Testing Lab": "LL-DEMO-LAB-0001",
    "Distributor": "LL-DEMO-DST-0001",
}

# The sandbox keeps its keys in clear; the audit log never does.
_CLEAR_KEYS = frozenset({"vendor_key", "user_key", "trace_api_key"})


@dataclass(frozen=True)
class Demo:
    vendor_key: str
    user_key: str
    trace_api_key: str
    facilities: list[Facility]


def ensure_demo(session: Session, actor: Actor, permissions: Iterable[str]) -> Demo:
    """Create what is missing of the demo sandbox and grant the user every permission given."""
    sandbox = session.scalar(select(DemoSandbox))
    if sandbox is None:
        integrator = create_integrator(session, actor, DEMO_INTEGRATOR)
        user = create_user(session, actor, "Demo User", DEMO_EMPLOYEE_LICENSE)
        account = create_trace_account(session, actor, DEMO_TRACE_ACCOUNT)
        sandbox = DemoSandbox(
            integrator_id=integrator.holder.id,
            user_id=user.holder.id,
            vendor_key=integrator.key,
            user_key=user.key,
            trace_account_id=account.holder.id,
            trace_api_key=account.key,
        )
        session.add(sandbox)
        session.flush()
        record(
            session,
            actor,
            entity=sandbox,
            action="create",
            facility_id=None,
            after=snapshot(sandbox, _CLEAR_KEYS),
        )
    if sandbox.trace_account_id is None or sandbox.trace_api_key is None:
        # A sandbox made before the Trace dialect existed gets its Trace account now.
        account = create_trace_account(session, actor, DEMO_TRACE_ACCOUNT)
        before = snapshot(sandbox, _CLEAR_KEYS)
        sandbox.trace_account_id = account.holder.id
        sandbox.trace_api_key = account.key
        session.flush()
        record(
            session,
            actor,
            entity=sandbox,
            action="update",
            facility_id=None,
            before=before,
            after=snapshot(sandbox, _CLEAR_KEYS),
        )
    user_row = session.get(User, sandbox.user_id)
    if user_row is None or session.get(Integrator, sandbox.integrator_id) is None:
        raise RuntimeError("the demo sandbox refers to a missing user or integrator")
    wanted = sorted(set(permissions))
    facilities = []
    for license_type in license_types():
        license_number = DEMO_LICENSES[license_type]
        facility = find_facility(session, license_number) or create_facility(
            session,
            actor,
            license_number=license_number,
            name=f"Demo {license_type}",
            state_code=DEMO_STATE,
            license_type=license_type,
            timezone=DEMO_TIMEZONE,
        )
        employ(session, actor, user_row, facility, wanted, is_owner=True, is_manager=True)
        facilities.append(facility)
    return Demo(sandbox.vendor_key, sandbox.user_key, sandbox.trace_api_key, facilities)
