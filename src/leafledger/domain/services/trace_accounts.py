"""Trace API accounts: the keys sent as the `x-api-key` header of the Trace dialect.

Like integrator and user keys, an account key is random, shown once and stored as a digest with
a clear prefix for lookup (see `identity.py`).
"""

from __future__ import annotations

import hmac

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import NotFound, Unauthenticated
from leafledger.domain.models import TraceAccount
from leafledger.domain.services.audit import changed
from leafledger.domain.services.identity import KEY_PREFIX_LENGTH, Issued, hash_key, issue_named

_SECRET_FIELDS = frozenset({"key_hash"})


def create_trace_account(session: Session, actor: Actor, name: str) -> Issued[TraceAccount]:
    return issue_named(session, actor, TraceAccount, name, "a Trace account")


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


def list_trace_accounts(session: Session) -> list[TraceAccount]:
    """Every Trace account, by name (their keys are digests: none can be shown again)."""
    return list(session.scalars(select(TraceAccount).order_by(TraceAccount.name)))


def revoke_trace_account(session: Session, actor: Actor, name: str) -> tuple[TraceAccount, bool]:
    """Stop accepting the key of the account named `name`; the account, and whether it was
    active until now (revoking a revoked key changes nothing). The account is kept, so that
    the audit log's events naming it still name something; a server process that admitted
    the key stops accepting it once its memory of credentials lapses (settings:
    auth_cache_seconds)."""
    account = session.scalars(select(TraceAccount).where(TraceAccount.name == name)).first()
    if account is None:
        raise NotFound(f"No Trace API key is named {name!r}.")
    if not account.active:
        return account, False
    changed(session, actor, account, "revoke", None, active=False)
    return account, True
