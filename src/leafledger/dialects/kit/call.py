"""Everything a handler needs about one request, prepared and checked by the runner."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy.orm import Session

from leafledger.dialects.kit.endpoint import Endpoint
from leafledger.dialects.kit.paging import PageRequest
from leafledger.dialects.kit.window import Window
from leafledger.domain.actor import Actor
from leafledger.domain.errors import Forbidden
from leafledger.domain.models import Facility
from leafledger.domain.services.identity import Caller


def require_permissions(held: Collection[str], wanted: Iterable[str]) -> None:
    """Refuse (403) a caller who lacks any of the `wanted` permissions at the facility."""
    missing = [permission for permission in wanted if permission not in held]
    if missing:
        raise Forbidden("Missing permission(s) at this facility: " + ", ".join(missing) + ".")


@dataclass
class Call:
    endpoint: Endpoint
    session: Session
    load_caller: Callable[[], Caller]
    actor: Actor
    query: Mapping[str, str]
    path_params: Mapping[str, Any]
    body: Any = None  # the request's JSON, as sent
    facility_or_none: Facility | None = None
    page: PageRequest | None = None
    window: Window | None = None
    # The body's objects as commands (rows that name a schema), in order.
    commands: list[Any] = field(default_factory=list)
    # What the row's loader loaded from the path (rows that name one).
    target: Any = None
    # The caller's permissions at the facility (facility-scoped rows).
    permissions: frozenset[str] = frozenset()

    @cached_property
    def caller(self) -> Caller:
        """The integrator and user rows behind the keys (most handlers need only the actor)."""
        return self.load_caller()

    @property
    def facility(self) -> Facility:
        """The facility named by the licence number; only facility-scoped rows have one."""
        if self.facility_or_none is None:
            raise RuntimeError(f"{self.endpoint.path} is not facility-scoped")
        return self.facility_or_none

    def require(self, permissions: Iterable[str]) -> None:
        """Refuse the call unless the caller also holds `permissions` at the facility (what
        a row asks of some of its bodies only, beyond the row's own permissions)."""
        require_permissions(self.permissions, permissions)

    @property
    def command(self) -> Any:
        """The one command of a row whose body is a single object."""
        if len(self.commands) != 1:
            raise RuntimeError(f"{self.endpoint.path} has {len(self.commands)} commands")
        return self.commands[0]

    @property
    def objects(self) -> list[dict[str, Any]]:
        """The body's objects as sent, for rows that take a JSON array."""
        if not isinstance(self.body, list):
            raise RuntimeError(f"{self.endpoint.path} takes no array body")
        return self.body
