"""Trace API accounts: the keys sent as the `x-api-key` header of the Trace dialect.

Like integrator and user keys, an account key is random, shown once and stored as a digest with
a clear prefix for lookup (see `identity.py`).
"""

from __future__ import annotations

import hmac

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import Conflict, RuleViolation, Unauthenticated
from leafledger.domain.models import TraceAccount
from leafledger.domain.services.audit import record, snapshot
from leafledger.domain.services.identity import KEY_PREFIX_LENGTH, Issued, hash_key, new_key

_SECRET_FIELDS = frozenset({"key_hash"})


def create_trace_account(session: Session, actor: Actor, name: str) -> Issued[TraceAccount]:
    name = name.strip()
    if not name:
        raise RuleViolation("a Trace account needs a name")
    if session.scalar(select(TraceAccount.id).where(TraceAccount.name == name)) is not None:
        raise Conflict(f"a Trace account named {name!r} exists already")
    key = new_key()
    account = TraceAccount(name=name, key_prefix=key[:KEY_PREFIX_LENGTH], key_hash=hash_key(key))
    session.add(account)
    session.flush()
    record(
        session,
        actor,
        entity=account,
        action="create",
        facility_id=None,
        after=snapshot(account, _SECRET_FIELDS),
    )
    return Issued(account, key)


def authenticate_trace_account(session: Session, key: str) -> TraceAccount:
    """The active account whose key is `key`, or Unauthenticated."""
    if key:
        candidates = session.scalars(
            select(TraceAccount).where(
                TraceAccount.key_prefix == key[:KEY_PREFIX_LENGTH],
                TraceAccount.active.is_(True),
            )
        )
        for account in candidates:
            if hmac.compare_digest(hash_key(key), account.key_hash):
                return account
    raise Unauthenticated("The x-api-key header is not a valid Trace API key.")
