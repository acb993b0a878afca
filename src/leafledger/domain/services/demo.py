"""The demo sandbox: an integrator, one facility per licence type and a user with every permission,
plus a Trace account whose key the Trace dialect takes as `x-api-key`.

Its keys are stored like every key, as digests. Whoever keeps the printable keys (the
`leafledger demo` command keeps them in a file, demo_keys.py) hands them back as `known`: while
they are still the sandbox's keys, running it again changes nothing and reports them; a key
that was lost is replaced (the old one stops working).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.facility_types import license_types
from leafledger.domain.models import DemoSandbox, Facility, Integrator, TraceAccount, User
from leafledger.domain.services.audit import record, snapshot
from leafledger.domain.services.facilities import create_facility, find_facility
from leafledger.domain.services.identity import (
    Keyed,
    create_integrator,
    create_user,
    employ,
    has_key,
    rekey,
)
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


@dataclass(frozen=True)
class DemoKeys:
    vendor_key: str
    user_key: str
    trace_api_key: str


@dataclass(frozen=True)
class Demo:
    keys: DemoKeys
    facilities: list[Facility]
    # True when the keys were made by this call (a new sandbox, or keys that were lost).
    new_keys: bool

    @property
    def vendor_key(self) -> str:
        return self.keys.vendor_key

    @property
    def user_key(self) -> str:
        return self.keys.user_key

    @property
    def trace_api_key(self) -> str:
        return self.keys.trace_api_key


def _audit(session: Session, actor: Actor, sandbox: DemoSandbox, action: str) -> None:
    session.flush()
    record(session, actor, entity=sandbox, action=action, facility_id=None, after=snapshot(sandbox))


def _new_sandbox(session: Session, actor: Actor) -> tuple[DemoSandbox, DemoKeys]:
    integrator = create_integrator(session, actor, DEMO_INTEGRATOR)
    user = create_user(session, actor, "Demo User", DEMO_EMPLOYEE_LICENSE)
    account = create_trace_account(session, actor, DEMO_TRACE_ACCOUNT)
    sandbox = DemoSandbox(
        integrator_id=integrator.holder.id,
        user_id=user.holder.id,
        trace_account_id=account.holder.id,
    )
    session.add(sandbox)
    _audit(session, actor, sandbox, "create")
    return sandbox, DemoKeys(integrator.key, user.key, account.key)


def _kept_or_new(
    session: Session, actor: Actor, holder: Keyed, known: str | None
) -> tuple[str, bool]:
    """`known` if it is still the holder's key, else a new key (and True)."""
    if known is not None and has_key(holder, known):
        return known, False
    return rekey(session, actor, holder).key, True


def _keys_of(
    session: Session, actor: Actor, sandbox: DemoSandbox, known: DemoKeys | None
) -> tuple[DemoKeys, bool]:
    """The sandbox's keys: each `known` key that is still its holder's, new ones for the rest."""
    integrator = session.get(Integrator, sandbox.integrator_id)
    user = session.get(User, sandbox.user_id)
    if integrator is None or user is None:
        raise RuntimeError("the demo sandbox refers to a missing user or integrator")
    account = session.get(TraceAccount, sandbox.trace_account_id or 0)
    new_account = account is None
    if account is None:
        # A sandbox made before the Trace dialect existed gets its Trace account now.
        issued = create_trace_account(session, actor, DEMO_TRACE_ACCOUNT)
        account, trace_key = issued.holder, issued.key
        sandbox.trace_account_id = account.id
        _audit(session, actor, sandbox, "update")
    vendor_key, new_vendor = _kept_or_new(
        session, actor, integrator, known.vendor_key if known else None
    )
    user_key, new_user = _kept_or_new(session, actor, user, known.user_key if known else None)
    if not new_account:
        trace_key, new_account = _kept_or_new(
            session, actor, account, known.trace_api_key if known else None
        )
    return DemoKeys(vendor_key, user_key, trace_key), new_vendor or new_user or new_account


def ensure_demo(
    session: Session, actor: Actor, permissions: Iterable[str], known: DemoKeys | None = None
) -> Demo:
    """Create what is missing of the demo sandbox and grant the user every permission given."""
    sandbox = session.scalar(select(DemoSandbox))
    if sandbox is None:
        sandbox, keys = _new_sandbox(session, actor)
        new_keys = True
    else:
        keys, new_keys = _keys_of(session, actor, sandbox, known)
    user_row = session.get(User, sandbox.user_id)
    assert user_row is not None
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
    return Demo(keys, facilities, new_keys)
