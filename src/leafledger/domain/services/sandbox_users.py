"""Users an integrator sets up for itself (POST /sandbox/v2/integrator/setup).

Without a key, a new user is made for the calling integrator, with a fresh key, and employed at
each facility the calling user works at, with the same permissions there (never the owner or
manager flags): the new key can do what the caller's key can, and nothing more. The user is
linked to the integrator (models.SandboxUser); its key is stored hashed, like every key, and
shown once.

With a key, the user holding it is looked up: a key no active user holds is NotFound; a user
that was not set up for this integrator (another integrator's, or one an administrator made) is
Unauthenticated. The key is answered back only for the integrator's own users, and then it is
the key the caller sent: nothing is revealed that the caller did not already know.

Every change is audited; nothing here commits.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import NotFound, Unauthenticated
from leafledger.domain.models import Employee, Facility, SandboxUser, User
from leafledger.domain.services.audit import record_new
from leafledger.domain.services.identity import (
    KEY_PREFIX_LENGTH,
    Caller,
    create_user,
    employ,
    hash_key,
)


@dataclass(frozen=True)
class SandboxSetup:
    """A sandbox user, its key, and the licence numbers it may act for."""

    user: User
    key: str
    license_numbers: list[str]


def _licenses(session: Session, user: User) -> list[str]:
    return list(
        session.scalars(
            select(Facility.license_number)
            .join(Employee, Employee.facility_id == Facility.id)
            .where(Employee.user_id == user.id)
            .order_by(Facility.license_number)
        )
    )


@dataclass(frozen=True)
class SetupRequest:
    """Who asks, and the key of a user set up before when the caller looks one up."""

    caller: Caller
    user_key: str | None = None


def set_up(session: Session, actor: Actor, command: SetupRequest) -> SandboxSetup:
    """The user holding `command.user_key`, or, without a key, a new user."""
    if command.user_key:
        return _look_up_user(session, command.caller, command.user_key)
    return _set_up_user(session, actor, command.caller)


def _set_up_user(session: Session, actor: Actor, caller: Caller) -> SandboxSetup:
    """A new user with a fresh key for the caller's integrator, employed where the caller is."""
    integrator = caller.integrator
    issued = create_user(
        session,
        actor,
        f"Sandbox user of {integrator.name}"[:200],
        f"SBX-{integrator.id}-{secrets.token_hex(6).upper()}",
    )
    link = SandboxUser(integrator_id=integrator.id, user_id=issued.holder.id)
    record_new(session, actor, link, None)
    jobs = session.scalars(
        select(Employee).where(Employee.user_id == caller.user.id).order_by(Employee.id)
    )
    for job in list(jobs):
        employ(session, actor, issued.holder, job.facility, list(job.permissions))
    return SandboxSetup(issued.holder, issued.key, _licenses(session, issued.holder))


def _look_up_user(session: Session, caller: Caller, user_key: str) -> SandboxSetup:
    """The user holding `user_key`, if it was set up for the caller's integrator."""
    digest = hash_key(user_key)
    candidates = session.scalars(
        select(User).where(User.key_prefix == user_key[:KEY_PREFIX_LENGTH], User.active.is_(True))
    )
    user = next(
        (u for u in candidates if u.key_hash and hmac.compare_digest(digest, u.key_hash)), None
    )
    if user is None:
        raise NotFound("No user holds this user key.")
    integrator_id = session.scalar(
        select(SandboxUser.integrator_id).where(SandboxUser.user_id == user.id)
    )
    if integrator_id != caller.integrator.id:
        raise Unauthenticated("This user key was not set up for your integrator.")
    return SandboxSetup(user, user_key, _licenses(session, user))
