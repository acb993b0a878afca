"""A short memory of accepted credentials, so that most requests skip the credentials query.

Every request names a key pair and (mostly) a licence. Reading the integrator, the user, their
employment and the facility costs a round trip and a good part of a list request's time. Once a
pair has been accepted for a licence, this process remembers what was read for `seconds`
(LEAFLEDGER_AUTH_CACHE_SECONDS, 2 by default; 0 turns the memory off): the ids and permissions
as they are, and the rows as values that are rebuilt inside the request's session without
asking the database (the facility at once, the integrator and user only if a handler asks).

What may be stale, and for how long:
- a change made through this process (any flush of a Store's session that touches an
  integrator, a user, an employee or a facility: `identity.identity_generation`) forgets
  everything at once;
- a change made by another process (another worker, the CLI) is seen within `seconds`.
Refused credentials are never remembered. Keys are remembered only by their SHA-256 digest.
A dialect's own key (Trace's x-api-key, checked by `Dialect.admit`) is remembered the same
way, by `admitted`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import inspect
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import manager_of_class
from sqlalchemy.orm.util import identity_key

from leafledger.domain.models import Employee, Facility, Integrator, User
from leafledger.domain.services.identity import (
    Caller,
    authenticate,
    hash_key,
    identity_generation,
)

MAX_ENTRIES = 10_000

T = TypeVar("T")


def _values(obj: Any) -> dict[str, Any]:
    """The column values of a loaded row; lists and dicts copied, as each request may alter
    its own objects."""
    values = {}
    for attr in inspect(obj).mapper.column_attrs:
        value = getattr(obj, attr.key)
        if isinstance(value, list | dict):
            value = value.copy()
        values[attr.key] = value
    return values


def _revive(session: Session, cls: type[T], values: dict[str, Any]) -> T:
    """A persistent object in `session` with `values`, as if just loaded (no SQL).

    The values go straight into the new instance's dictionary, as a query's rows would: no
    attribute events, no change history. A row the session holds already (a handler read it
    before asking for the caller) is that row.
    """
    held = session.identity_map.get(identity_key(cls, values["id"]))
    if held is not None:
        return held
    obj = manager_of_class(cls).new_instance()
    obj.__dict__.update(
        {k: v.copy() if isinstance(v, list | dict) else v for k, v in values.items()}
    )
    make_transient_to_detached(obj)
    session.add(obj)
    return obj


@dataclass(frozen=True)
class Access:
    """Who is calling and, when the request names a licence, what they may do there."""

    integrator_id: int
    user_id: int
    # The integrator and user rows; rebuilt on first use when the pair was remembered (most
    # handlers never need them).
    caller: Callable[[], Caller]
    # The permissions of the user's employment at the licence, and its facility; None when
    # the request names no licence or the user is not employed there.
    permissions: frozenset[str] | None
    facility: Facility | None


def _loaded(caller: Caller, employee: Employee | None) -> Access:
    return Access(
        integrator_id=caller.integrator.id,
        user_id=caller.user.id,
        caller=lambda: caller,
        permissions=None if employee is None else frozenset(employee.permissions),
        facility=None if employee is None else employee.facility,
    )


@dataclass(frozen=True)
class _Entry:
    expires: float
    generation: int
    integrator: dict[str, Any]
    user: dict[str, Any]
    permissions: frozenset[str] | None
    facility: dict[str, Any] | None


class AccessCache:
    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._entries: dict[tuple[str, str, str | None], _Entry] = {}
        self._admitted: dict[tuple[str, str], tuple[float, int]] = {}

    def authenticate(
        self, session: Session, vendor_key: str, user_key: str, license_number: str | None
    ) -> Access:
        """As identity.authenticate, served from memory when this pair was accepted lately."""
        if self.seconds <= 0 or not vendor_key or not user_key:
            return _loaded(*authenticate(session, vendor_key, user_key, license_number))
        key = (hash_key(vendor_key), hash_key(user_key), license_number)
        entry = self._entries.get(key)
        if entry is not None and self._fresh(entry.expires, entry.generation):
            return _rebuild(session, entry)
        generation = identity_generation()  # read before the query: a change during it voids it
        caller, employee = authenticate(session, vendor_key, user_key, license_number)
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[key] = _Entry(
            expires=self._clock() + self.seconds,
            generation=generation,
            integrator=_values(caller.integrator),
            user=_values(caller.user),
            permissions=None if employee is None else frozenset(employee.permissions),
            facility=None if employee is None else _values(employee.facility),
        )
        return _loaded(caller, employee)

    def _fresh(self, expires: float, generation: int) -> bool:
        """Whether a memory taken under `generation` that lasts until `expires` still holds."""
        return generation == identity_generation() and expires > self._clock()

    def admitted(self, kind: str, key: str, check: Callable[[], object]) -> None:
        """Run `check` (which raises when `key` of `kind` is refused) unless that key passed
        it lately; a key that passed is remembered as `authenticate` remembers a pair."""
        if self.seconds <= 0 or not key:
            check()
            return
        remembered = (kind, hash_key(key))
        entry = self._admitted.get(remembered)
        if entry is not None and self._fresh(*entry):
            return
        generation = identity_generation()  # read before the check: a change during it voids it
        check()
        if len(self._admitted) >= MAX_ENTRIES:
            self._admitted.clear()
        self._admitted[remembered] = (self._clock() + self.seconds, generation)


def _rebuild(session: Session, entry: _Entry) -> Access:
    """The remembered access: the facility rebuilt now, the caller's rows when first asked."""
    rebuilt: list[Caller] = []

    def caller() -> Caller:
        if not rebuilt:
            rebuilt.append(
                Caller(
                    _revive(session, Integrator, entry.integrator),
                    _revive(session, User, entry.user),
                )
            )
        return rebuilt[0]

    return Access(
        integrator_id=entry.integrator["id"],
        user_id=entry.user["id"],
        caller=caller,
        permissions=entry.permissions,
        facility=None if entry.facility is None else _revive(session, Facility, entry.facility),
    )
