"""Integrators, users, their keys and their employment at facilities.

Keys are random, shown once, stored as a SHA-256 digest (they carry 240 bits of entropy, so a
slow password hash buys nothing) and compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from sqlalchemy import and_, select, true
from sqlalchemy.orm import Session, lazyload

from leafledger.domain.actor import Actor
from leafledger.domain.errors import Conflict, NotFound, RuleViolation, Unauthenticated
from leafledger.domain.models import Employee, Facility, Integrator, TraceAccount, User
from leafledger.domain.services.audit import audited, record, record_new, snapshot

KEY_PREFIX_LENGTH = 8
_SECRET_FIELDS = frozenset({"key_hash"})


class _IdentityChanges:
    """How many flushes in this process have touched an integrator, user, employee, facility
    or Trace account: whoever remembers identity rows (the web app's credential memory)
    drops what it remembered under an older count."""

    count = 0
    lock = threading.Lock()


IDENTITY_ROWS = (Integrator, User, Employee, Facility, TraceAccount)


def identity_generation() -> int:
    return _IdentityChanges.count


def count_identity_changes(session: Session, _context: Any) -> None:
    """Flush hook (installed by domain/listeners.py)."""
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, IDENTITY_ROWS):
            with _IdentityChanges.lock:
                _IdentityChanges.count += 1
            return


def new_key() -> str:
    return secrets.token_urlsafe(30)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _key_matches(key: str, stored_hash: str | None) -> bool:
    return stored_hash is not None and hmac.compare_digest(hash_key(key), stored_hash)


T = TypeVar("T")


@dataclass(frozen=True)
class Issued(Generic[T]):
    """A newly created holder and its clear-text key, which is never stored."""

    holder: T
    key: str


Named = TypeVar("Named", Integrator, TraceAccount)


def issue_named(
    session: Session, actor: Actor, model: type[Named], name: str, what: str
) -> Issued[Named]:
    """A new holder of a key known by a unique name (an integrator, a Trace account)."""
    name = name.strip()
    if not name:
        raise RuleViolation(f"{what} needs a name")
    if session.scalar(select(model.id).where(model.name == name)) is not None:
        raise Conflict(f"{what} named {name!r} exists already")
    key = new_key()
    holder = model(name=name, key_prefix=key[:KEY_PREFIX_LENGTH], key_hash=hash_key(key))
    record_new(session, actor, holder, None, exclude=_SECRET_FIELDS)
    return Issued(holder, key)


def create_integrator(session: Session, actor: Actor, name: str) -> Issued[Integrator]:
    return issue_named(session, actor, Integrator, name, "an integrator")


Keyed = TypeVar("Keyed", Integrator, User, TraceAccount)


def has_key(holder: Integrator | User | TraceAccount, key: str) -> bool:
    """Whether `key` is the holder's key (compared by digest, in constant time)."""
    return bool(key) and _key_matches(key, holder.key_hash)


def rekey(session: Session, actor: Actor, holder: Keyed) -> Issued[Keyed]:
    """Give `holder` a new key (the old one stops working) and return it, shown once."""
    key = new_key()
    before = snapshot(holder, _SECRET_FIELDS)
    holder.key_prefix, holder.key_hash = key[:KEY_PREFIX_LENGTH], hash_key(key)
    session.flush()
    record(
        session,
        actor,
        entity=holder,
        action="rekey",
        facility_id=None,
        before=before,
        after=snapshot(holder, _SECRET_FIELDS),
    )
    return Issued(holder, key)


def create_user(
    session: Session, actor: Actor, full_name: str, employee_license_number: str
) -> Issued[User]:
    full_name, employee_license_number = full_name.strip(), employee_license_number.strip()
    if not full_name or not employee_license_number:
        raise RuleViolation("a user needs a full name and an employee licence number")
    existing = session.scalar(
        select(User.id).where(User.employee_license_number == employee_license_number)
    )
    if existing is not None:
        raise Conflict(f"employee licence number {employee_license_number!r} is taken")
    key = new_key()
    user = User(
        full_name=full_name,
        employee_license_number=employee_license_number,
        key_prefix=key[:KEY_PREFIX_LENGTH],
        key_hash=hash_key(key),
    )
    record_new(session, actor, user, None, exclude=_SECRET_FIELDS)
    return Issued(user, key)


def employ(
    session: Session,
    actor: Actor,
    user: User,
    facility: Facility,
    permissions: list[str],
    *,
    is_owner: bool = False,
    is_manager: bool = False,
    today: date | None = None,
) -> Employee:
    """Give `user` access to `facility` with `permissions`, or replace the permissions held."""
    unique_permissions = sorted(set(permissions))
    employee = session.scalar(
        select(Employee).where(Employee.facility_id == facility.id, Employee.user_id == user.id)
    )
    if employee is None:
        start = today or date.today()
        employee = Employee(
            facility_id=facility.id,
            user_id=user.id,
            permissions=unique_permissions,
            is_owner=is_owner,
            is_manager=is_manager,
            hire_date=start,
            license_type=facility.license_type,
            license_start_date=start,
            license_end_date=None,
        )
        record_new(session, actor, employee, facility.id)
        return employee
    if (employee.permissions, employee.is_owner, employee.is_manager) == (
        unique_permissions,
        is_owner,
        is_manager,
    ):
        return employee
    done = audited(session, actor, employee, "update", facility.id)
    employee.permissions = unique_permissions
    employee.is_owner = is_owner
    employee.is_manager = is_manager
    done()
    return employee


@dataclass(frozen=True)
class Caller:
    integrator: Integrator
    user: User


def authenticate(
    session: Session, vendor_key: str, user_key: str, license_number: str | None = None
) -> tuple[Caller, Employee | None]:
    """The integrator and user behind a key pair, or Unauthenticated; with `license_number`,
    also the user's employment at that facility (None when they have none).

    Everything is read in one round trip: both halves of the key pair by their clear prefixes
    (the full keys are then checked against the stored digests in constant time) and, outer
    joined, the employment with its facility.
    """
    if vendor_key and user_key:
        wanted: list[Any] = [Integrator, User] + ([Employee] if license_number else [])
        query = (
            select(*wanted)
            .select_from(Integrator)
            # A deliberate cross join of the two (tiny) candidate sets.
            .join(User, true())
            .where(
                Integrator.key_prefix == vendor_key[:KEY_PREFIX_LENGTH],
                Integrator.active.is_(True),
                User.key_prefix == user_key[:KEY_PREFIX_LENGTH],
                User.active.is_(True),
            )
        )
        if license_number:
            facility_id = (
                select(Facility.id)
                .where(Facility.license_number == license_number)
                .scalar_subquery()
            )
            query = query.outerjoin(
                Employee,
                and_(Employee.user_id == User.id, Employee.facility_id == facility_id),
            ).options(
                # The user is in the row already; the identity map serves employee.user.
                lazyload(Employee.user)
            )
        for found in session.execute(query):
            integrator, user = found[0], found[1]
            vendor_ok = _key_matches(vendor_key, integrator.key_hash)
            user_ok = _key_matches(user_key, user.key_hash)
            if vendor_ok and user_ok:
                employee = found[2] if license_number else None
                return Caller(integrator, user), employee
    raise Unauthenticated("The integrator key or user key is not valid.")


def employment(session: Session, user: User, facility: Facility) -> Employee | None:
    return session.scalar(
        select(Employee).where(Employee.facility_id == facility.id, Employee.user_id == user.id)
    )


def get_user(session: Session, employee_license_number: str) -> User:
    user = session.scalar(
        select(User).where(User.employee_license_number == employee_license_number)
    )
    if user is None:
        raise NotFound(f"no user with employee licence number {employee_license_number!r}")
    return user


def canonical_permissions(requested: Iterable[str], known: Iterable[str]) -> list[str]:
    """`requested` spelled as in `known` (matched without regard to case), or RuleViolation.

    Catches a mistyped permission when it is granted rather than when a request is refused.
    """
    by_folded = {name.casefold(): name for name in known}
    found: set[str] = set()
    unknown: list[str] = []
    for name in requested:
        match = by_folded.get(name.strip().casefold())
        if match is None:
            unknown.append(name)
        else:
            found.add(match)
    if unknown:
        raise RuleViolation("unknown permission(s): " + ", ".join(repr(n) for n in unknown))
    return sorted(found)


def grant(
    session: Session, actor: Actor, user: User, facility: Facility, permissions: Iterable[str]
) -> Employee:
    """Employ `user` at `facility` if they are not yet, and add `permissions` to those held.

    Unlike `employ`, nothing already held is taken away and the owner/manager flags are kept.
    """
    current = employment(session, user, facility)
    if current is None:
        return employ(session, actor, user, facility, list(permissions))
    return employ(
        session,
        actor,
        user,
        facility,
        [*current.permissions, *permissions],
        is_owner=current.is_owner,
        is_manager=current.is_manager,
    )
