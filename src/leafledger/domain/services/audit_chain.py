"""The audit log as hash chains: appending links, and verifying them.

Each facility's events form one chain (chain 0 for events of no facility). An event's hash is
SHA-256 over its canonical content and the previous event's hash:

    sha256(JSON [chain, seq, prev_hash, occurred_at, facility_id, user_id, integrator_id,
                 channel, entity_type, entity_id, action, before, after])

with the JSON written with sorted keys and no spaces, and `occurred_at` in UTC with
microseconds. The first event of a chain follows GENESIS. `audit_chains` holds each chain's
head (its last seq and hash); appending locks the head row, so two writers of one facility
take turns for the few statements of the append (at commit) and never fork a chain, while
writers of other facilities do not wait.

An UPDATE of any covered column breaks that event's hash; a DELETE leaves a gap in `seq` (or,
for the last events, a head that no event matches); an INSERT either duplicates a `seq`
(refused by the unique index) or does not follow its predecessor's hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import cast, exists, insert, select, update, values
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from leafledger.domain.models import AuditChain, AuditEvent

GENESIS = "0" * 64


def chain_of(facility_id: int | None) -> int:
    return facility_id or 0


def _instant(value: datetime) -> str:
    moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return moment.isoformat(timespec="microseconds")


def event_hash(values: Mapping[str, Any]) -> str:
    """The hash of one event from its column values (`prev_hash` included)."""
    content = [
        values["chain"],
        values["seq"],
        values["prev_hash"],
        _instant(values["occurred_at"]),
        values["facility_id"],
        values["user_id"],
        values["integrator_id"],
        values["channel"],
        values["entity_type"],
        values["entity_id"],
        values["action"],
        values["before"],
        values["after"],
    ]
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _locked_head(session: Session, chain: int) -> tuple[int, str]:
    """The chain's head, created if new, locked until the transaction ends (a no-op update
    takes the row lock on PostgreSQL; SQLite's writers hold the database's one write lock)."""
    upsert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        upsert(AuditChain)
        .values(chain=chain, seq=0, hash=GENESIS)
        .on_conflict_do_update(index_elements=["chain"], set_={"chain": chain})
        .returning(AuditChain.seq, AuditChain.hash)
    )
    seq, last = session.execute(statement).one()
    return int(seq), str(last)


def _link(events: list[dict[str, Any]], seq: int, last: str) -> tuple[int, str]:
    """Number and hash `events` as the links after (seq, last); the new head."""
    for event in events:
        seq += 1
        event["seq"], event["prev_hash"] = seq, last
        last = event["hash"] = event_hash(event)
    return seq, last


_EVENT_COLUMNS = (
    "occurred_at", "facility_id", "user_id", "integrator_id", "channel", "entity_type",
    "entity_id", "action", "before", "after", "chain", "seq", "prev_hash", "hash",
)  # fmt: skip


def _insert_and_move(
    session: Session, chain: int, head: tuple[int, str], events: list[dict[str, Any]]
) -> None:
    """One statement on PostgreSQL: insert `events` and move the (locked) head to `head`.
    The head's row lock is held from `_locked_head` to the commit, so writers of one facility
    wait for two round trips and a commit, not for a whole request."""
    move = update(AuditChain).where(AuditChain.chain == chain).values(seq=head[0], hash=head[1])
    if session.get_bind().dialect.name != "postgresql":
        session.execute(move)
        session.connection().execute(insert(AuditEvent), events)
        return
    moved = move.returning(AuditChain.chain).cte("moved_head")
    table = AuditEvent.__table__
    rows = values(*(table.c[name]._copy() for name in _EVENT_COLUMNS), name="new_events").data(
        [tuple(event[name] for name in _EVENT_COLUMNS) for event in events]
    )
    # Cast back to the columns' types: PostgreSQL would read a column of NULLs as text.
    typed = [cast(rows.c[name], table.c[name].type) for name in _EVENT_COLUMNS]
    statement = (
        insert(AuditEvent)
        .from_select(list(_EVENT_COLUMNS), select(*typed).where(exists(select(moved.c.chain))))
        .add_cte(moved)
    )
    session.connection().execute(statement)


def _append_chain(session: Session, chain: int, events: list[dict[str, Any]]) -> None:
    head = _link(events, *_locked_head(session, chain))
    _insert_and_move(session, chain, head, events)


def append(session: Session, events: list[dict[str, Any]]) -> None:
    """Insert `events` (column values, in the order they happened) as the next links of
    their chains."""
    if not events:
        return
    for event in events:
        event["chain"] = chain_of(event["facility_id"])
    for chain in sorted({event["chain"] for event in events}):
        _append_chain(session, chain, [e for e in events if e["chain"] == chain])


# --- verification


@dataclass(frozen=True)
class Verified:
    chains: int
    events: int
    broken: str | None = None  # the first broken link, in words

    @property
    def ok(self) -> bool:
        return self.broken is None


_COLUMNS = (
    AuditEvent.id,
    AuditEvent.chain,
    AuditEvent.seq,
    AuditEvent.prev_hash,
    AuditEvent.hash,
    AuditEvent.occurred_at,
    AuditEvent.facility_id,
    AuditEvent.user_id,
    AuditEvent.integrator_id,
    AuditEvent.channel,
    AuditEvent.entity_type,
    AuditEvent.entity_id,
    AuditEvent.action,
    AuditEvent.before,
    AuditEvent.after,
)


def _events(session: Session, chain: int | None, after_seq: int = 0) -> Iterator[dict[str, Any]]:
    query = select(*_COLUMNS).order_by(AuditEvent.chain, AuditEvent.seq, AuditEvent.id)
    if chain is not None:
        query = query.where(AuditEvent.chain == chain, AuditEvent.seq > after_seq)
    for row in session.execute(query.execution_options(yield_per=1000)):
        yield dict(row._mapping)


def _link_fault(event: Mapping[str, Any], seq: int, last: str) -> str | None:
    where = f"chain {event['chain']} seq {event['seq']} (event id {event['id']})"
    if event["seq"] != seq:
        return f"{where}: expected seq {seq}; an event is missing or was added"
    if event["chain"] != chain_of(event["facility_id"]):
        return f"{where}: the event's facility does not belong to this chain"
    if event["prev_hash"] != last:
        return f"{where}: does not follow the previous event's hash"
    if event["hash"] != event_hash(event):
        return f"{where}: the event's content does not match its hash (it was changed)"
    return None


class _Walk:
    """The chains walked so far: each one's last (seq, hash), and the events counted."""

    def __init__(self) -> None:
        self.ends: dict[int, tuple[int, str]] = {}
        self.events = 0

    def take(self, events: Iterator[dict[str, Any]]) -> str | None:
        for event in events:
            seq, last = self.ends.get(event["chain"], (0, GENESIS))
            fault = _link_fault(event, seq + 1, last)
            if fault is not None:
                return fault
            self.ends[event["chain"]] = (event["seq"], event["hash"])
            self.events += 1
        return None


def _heads(session: Session, chain: int | None) -> dict[int, tuple[int, str]]:
    query = select(AuditChain.chain, AuditChain.seq, AuditChain.hash)
    if chain is not None:
        query = query.where(AuditChain.chain == chain)
    return {c: (s, h) for c, s, h in session.execute(query)}


def _head_fault(name: int, head: tuple[int, str] | None, end: tuple[int, str]) -> str | None:
    if head is None:
        return f"chain {name}: its head is missing"
    if head != end:
        return (
            f"chain {name}: the head records seq {head[0]} but the events end at seq "
            f"{end[0]}; the last events were removed or the head was changed"
        )
    return None


def verify(session: Session, chain: int | None = None) -> Verified:
    """Walk every chain (or one), stopping at the first broken link.

    Writers may go on meanwhile: a chain whose head is ahead of the events walked (appended
    since the walk began) is walked on from where it stopped before the head is compared.
    Run it in a transaction (the events are streamed through a server-side cursor).
    """
    walk = _Walk()
    fault = walk.take(_events(session, chain))
    if fault is not None:
        return Verified(len(walk.ends), walk.events, fault)
    for _ in range(3):
        heads = _heads(session, chain)
        behind = [c for c, (seq, _) in heads.items() if seq > walk.ends.get(c, (0, GENESIS))[0]]
        if not behind:
            break
        for name in behind:
            fault = walk.take(_events(session, name, walk.ends.get(name, (0, GENESIS))[0]))
            if fault is not None:
                return Verified(len(walk.ends), walk.events, fault)
    for name in sorted(set(heads) | set(walk.ends)):
        fault = _head_fault(name, heads.get(name), walk.ends.get(name, (0, GENESIS)))
        if fault is not None:
            return Verified(len(walk.ends), walk.events, fault)
    return Verified(len(walk.ends), walk.events)
