"""What one request (one session) remembers between service calls, in one typed place.

Services of a bulk request share a few things that are not rows: names already looked up,
the plant batch names a planting request read ahead, the audit events recorded but not yet
written. They live in one `RequestState` per session,
reached through `request_state(session)`, and go with the session.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from leafledger.domain.actor import Actor
    from leafledger.domain.models import Base, Harvest, Package, Tag

# (model, facility id, name) -> the row found by that name during this request.
NameMemo = dict[tuple[type[Any], int, str], Any]


@dataclass
class NamesReadAhead:
    """The plant batch names a bulk planting asked about in one query, and which are taken."""

    facility_id: int
    asked: set[str]
    taken: set[str]


@dataclass(frozen=True)
class AwaitingCreation:
    """An event about a row recorded before the row had an id (a creation, or a note made
    with it): its `after` is the one given, else the row's snapshot once it has an id."""

    entity: Base
    actor: Actor
    action: str
    facility_id: int | None
    occurred_at: datetime
    after: dict[str, Any] | None = None


# An event to append: its column values, or a creation still waiting for its row's id.
PendingEvent = dict[str, Any] | AwaitingCreation


@dataclass
class RequestState:
    names: NameMemo = field(default_factory=dict)
    batch_names: NamesReadAhead | None = None
    # The audit events of the request, in the order they happened; appended to their chains
    # at commit (domain/services/audit.py).
    events: list[PendingEvent] = field(default_factory=list)
    # (facility id, label) -> a package this request locked ahead of its lines
    # (`sales.lock_packages`), held here so the session keeps it: no need to read it again.
    locked_packages: dict[tuple[int, str], Package] = field(default_factory=dict)
    # id -> a harvest this request locked ahead of the objects that draw on it
    # (`harvests.lock_harvests`), found there by `harvests.harvest_by_id`.
    locked_harvests: dict[int, Harvest] = field(default_factory=dict)
    # label -> a tag this request locked ahead of the objects that claim it
    # (`lookups.lock_tags`), found there by `claim_tag` instead of read again.
    locked_tags: dict[str, Tag] = field(default_factory=dict)
    # (model, id) -> a row read by id and held for the rest of the request: the session's
    # identity map holds rows weakly, so a row every object of a bulk request reads (the
    # default location of new packages) would otherwise be read again by each.
    held_rows: dict[tuple[type[Any], int], Any] = field(default_factory=dict)
    # facility id -> the external receipt numbers taken among its active receipts, read
    # once for the numbers a request of new receipts names (`sales.lock_packages`), and the
    # numbers that request has taken since.
    taken_receipt_numbers: dict[int, set[str]] = field(default_factory=dict)
    # Kept list counts (services/kept_counts.py): for each kind of count ("packages",
    # "sales_receipts"), the +1/-1 moves this request's flushes made, applied at commit.
    count_deltas: dict[str, Counter[Any]] = field(default_factory=dict)


_KEY = "leafledger.request_state"


def request_state(session: Session) -> RequestState:
    """The state of the request `session` serves (made on first use)."""
    state = session.info.get(_KEY)
    if state is None:
        state = session.info[_KEY] = RequestState()
    assert isinstance(state, RequestState)
    return state


def peek_request_state(session: Session) -> RequestState | None:
    """The state, if anything has been remembered yet (flush hooks use it: no allocation)."""
    state = session.info.get(_KEY)
    return state if isinstance(state, RequestState) else None
