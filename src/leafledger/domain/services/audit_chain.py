"""The audit log as hash chains: appending links, and verifying them.

Each facility's events form one chain (chain 0 for events of no facility), made of lanes: a
lane is a sequence of links of its own. An event's hash is SHA-256 over its canonical content
and the previous event's hash in its lane:

    sha256(JSON [chain, seq, prev_hash, occurred_at, facility_id, user_id, integrator_id,
                 channel, entity_type, entity_id, action, before, after(, lane)])

with the JSON written with sorted keys and no spaces, `occurred_at` in UTC with
microseconds, and the lane appended only past lane 0 (so logs sealed before lanes existed
verify unchanged). The first event of a lane follows GENESIS. `audit_chains` holds each lane's
head (its last seq and hash). Appending locks a head row until the commit, so a lane never
forks. Why lanes: one head per facility made every writer of a facility wait for the one
before it to commit, which capped a busy facility's writes at one commit at a time. On
PostgreSQL a writer takes the first lane no other transaction holds (SKIP LOCKED) and opens a
new lane when all are held, up to MAX_LANES; SQLite has one writer at a time and uses lane 0.

An UPDATE of any covered column breaks that event's hash; a DELETE leaves a gap in `seq` (or,
for the last events, a head that no event matches); an INSERT either duplicates a `seq`
(refused by the unique index) or does not follow its predecessor's hash.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import orjson
from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from leafledger.domain.models import AuditChain, AuditEvent
from leafledger.domain.services import bulk_write

GENESIS = "0" * 64
MAX_LANES = 16  # per chain; past it, writers wait for a held lane


def chain_of(facility_id: int | None) -> int:
    return facility_id or 0


def _instant(value: datetime) -> str:
    moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return moment.isoformat(timespec="microseconds")


def event_hash(values: Mapping[str, Any]) -> str:
    """The hash of one event from its column values (`prev_hash` included)."""
    return _hash(values, canonical_json(values["before"]), canonical_json(values["after"]))


def _hash(values: Mapping[str, Any], before: bytes, after: bytes) -> str:
    """`event_hash`, given the canonical JSON of the event's before and after. The content's
    JSON is put together from its parts (a JSON array is its items' texts between brackets,
    comma-separated, with no spaces), so that an append serializes each snapshot once, for
    the hash and for the row it writes."""
    head = canonical_json(
        [
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
        ]
    )
    lane = values.get("lane", 0)
    tail = b"," + canonical_json(lane) + b"]" if lane else b"]"
    return hashlib.sha256(head[:-1] + b"," + before + b"," + after + tail).hexdigest()


def canonical_json(content: Any) -> bytes:
    """`content` as the hash reads it: the standard library's JSON with sorted keys, no
    spaces and no ASCII escaping, in UTF-8. orjson writes the same bytes several times
    faster for what events hold (strings, integers, booleans, nulls, lists and string-keyed
    dicts) but not for floats (it spells some differently, 1e-05 as 1e-5), so content with a
    float, or anything orjson refuses (a lone surrogate, an integer past 64 bits, a subclass
    of a plain type), takes the standard library's way."""
    if not _holds_float(content):
        try:
            return orjson.dumps(content, option=_ORJSON_OPTIONS)
        except orjson.JSONEncodeError:
            pass
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8", "surrogatepass")


_ORJSON_OPTIONS = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
)


def _holds_float(value: Any) -> bool:
    """Whether a float is anywhere in `value`. The types of a container's items are taken in
    one pass (most are flat: a row's snapshot is 30 or 40 strings, numbers and nulls), and
    only the containers among them are looked into."""
    kind = type(value)
    if kind is float:
        return True
    if kind is dict:
        items = value.values()
    elif kind is list or kind is tuple:
        items = value
    else:
        return False
    kinds = set(map(type, items))
    if float in kinds:
        return True
    if kinds.isdisjoint(_CONTAINERS):
        return False
    for item in items:  # noqa: SIM110 (a plain loop: any() over a generator costs more here)
        if type(item) in _CONTAINERS and _holds_float(item):
            return True
    return False


_CONTAINERS = frozenset({dict, list, tuple})


def _upsert(session: Session) -> Any:
    return postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _head_row(session: Session, chain: int, lane: int) -> tuple[int, int, str]:
    """Lane `lane` of `chain`, created if new, locked until the transaction ends (a no-op
    update takes the row lock on PostgreSQL; SQLite's writers hold its one write lock)."""
    statement = (
        _upsert(session)(AuditChain)
        .values(chain=chain, lane=lane, seq=0, hash=GENESIS)
        .on_conflict_do_update(index_elements=["chain", "lane"], set_={"chain": chain})
        .returning(AuditChain.lane, AuditChain.seq, AuditChain.hash)
    )
    held, seq, last = session.execute(statement).one()
    return int(held), int(seq), str(last)


# The two statements of every write's append, built once (a statement made at each call has
# its cache key worked out again).
_FREE_LANE = (
    select(AuditChain.lane, AuditChain.seq, AuditChain.hash)
    .where(AuditChain.chain == bindparam("chain"))
    .order_by(AuditChain.lane)
    .limit(1)
    .with_for_update(skip_locked=True)
)
_MOVE_HEAD = (
    update(AuditChain)
    .where(AuditChain.chain == bindparam("at_chain"), AuditChain.lane == bindparam("at_lane"))
    .values(seq=bindparam("seq"), hash=bindparam("hash"))
)


def _free_lane(session: Session, chain: int) -> tuple[int, int, str] | None:
    """The first lane of `chain` that no other transaction holds, locked; None if all are."""
    row = session.connection().execute(_FREE_LANE, {"chain": chain}).first()
    return None if row is None else (int(row[0]), int(row[1]), str(row[2]))


def _new_lane(session: Session, chain: int) -> tuple[int, int, str] | None:
    """A lane opened past the last one, locked by its insert; None if another writer opened
    that lane first or the chain has MAX_LANES lanes."""
    lanes = session.scalar(select(func.count()).where(AuditChain.chain == chain)) or 0
    if lanes >= MAX_LANES:
        return None
    statement = (
        postgresql_insert(AuditChain)
        .values(chain=chain, lane=lanes, seq=0, hash=GENESIS)
        .on_conflict_do_nothing(index_elements=["chain", "lane"])
        .returning(AuditChain.lane)
    )
    opened = session.execute(statement).scalar()
    return None if opened is None else (int(opened), 0, GENESIS)


def _locked_head(session: Session, chain: int) -> tuple[int, int, str]:
    """A lane of `chain` held by this transaction until it ends: (lane, seq, hash)."""
    if session.get_bind().dialect.name != "postgresql":
        return _head_row(session, chain, 0)
    for _ in range(3):
        head = _free_lane(session, chain) or _new_lane(session, chain)
        if head is not None:
            return head
    # Every lane is held and no more may open: wait for one, picked by this transaction.
    return _head_row(session, chain, random.randrange(MAX_LANES))


def _link(events: list[dict[str, Any]], seq: int, last: str) -> tuple[tuple[int, str], _Texts]:
    """Number and hash `events` as the links after (seq, last): the new head, and each
    event's before and after as canonical JSON."""
    texts = []
    for event in events:
        seq += 1
        event["seq"], event["prev_hash"] = seq, last
        before, after = canonical_json(event["before"]), canonical_json(event["after"])
        last = event["hash"] = _hash(event, before, after)
        texts.append((before, after))
    return (seq, last), texts


_Texts = list[tuple[bytes, bytes]]


def _insert_and_move(
    session: Session,
    chain: int,
    lane: int,
    head: tuple[int, str],
    events: list[dict[str, Any]],
    texts: _Texts,
) -> None:
    """Move the (locked) head of `lane` to `head` and insert `events`.

    The head's row lock is held from `_locked_head` to the commit. A single statement that
    moved the head and inserted the events through a VALUES list was tried: it is compiled
    afresh for every request (its parameters are part of its shape) and made the append
    several times slower, so two plain statements it is."""
    connection = session.connection()  # Core statements: the ORM's handling is not needed
    connection.execute(
        _MOVE_HEAD, {"at_chain": chain, "at_lane": lane, "seq": head[0], "hash": head[1]}
    )
    if bulk_write.supported(connection):
        # A request's events by COPY (services/bulk_write.py), each snapshot as the JSON text
        # its hash was taken over (JSONB reads it as the same value).
        rows = [
            {**event, "before": before.decode(), "after": after.decode()}
            for event, (before, after) in zip(events, texts, strict=True)
        ]
        table = cast(Table, AuditEvent.__table__)
        bulk_write.copy_rows(connection, table, _EVENT_COLUMNS, rows, as_given=_AS_TEXT)
    else:
        connection.execute(insert(AuditEvent), events)


# The columns an event is written with (`id` comes from its sequence).
_EVENT_COLUMNS = (
    "occurred_at", "facility_id", "user_id", "integrator_id", "channel", "entity_type",
    "entity_id", "action", "before", "after", "chain", "lane", "seq", "prev_hash", "hash",
)  # fmt: skip
_AS_TEXT = frozenset({"before", "after"})  # written as JSON text, past the columns' binding


def _append_chain(session: Session, chain: int, events: list[dict[str, Any]]) -> None:
    lane, seq, last = _locked_head(session, chain)
    for event in events:
        event["lane"] = lane
    head, texts = _link(events, seq, last)
    _insert_and_move(session, chain, lane, head, events, texts)


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
    AuditEvent.lane,
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

Lane = tuple[int, int]  # (chain, lane)


def _events(
    session: Session, chain: int | None, lane: int | None = None, after_seq: int = 0
) -> Iterator[dict[str, Any]]:
    query = select(*_COLUMNS).order_by(
        AuditEvent.chain, AuditEvent.lane, AuditEvent.seq, AuditEvent.id
    )
    if chain is not None:
        query = query.where(AuditEvent.chain == chain)
    if lane is not None:
        query = query.where(AuditEvent.lane == lane, AuditEvent.seq > after_seq)
    for row in session.execute(query.execution_options(yield_per=1000)):
        yield dict(row._mapping)


def _where(event: Mapping[str, Any]) -> str:
    lane = f" lane {event['lane']}" if event["lane"] else ""
    return f"chain {event['chain']}{lane} seq {event['seq']} (event id {event['id']})"


def _link_fault(event: Mapping[str, Any], seq: int, last: str) -> str | None:
    where = _where(event)
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
    """The lanes walked so far: each one's last (seq, hash), and the events counted."""

    def __init__(self) -> None:
        self.ends: dict[Lane, tuple[int, str]] = {}
        self.events = 0

    @property
    def chains(self) -> int:
        return len({chain for chain, _ in self.ends})

    def end(self, lane: Lane) -> tuple[int, str]:
        return self.ends.get(lane, (0, GENESIS))

    def take(self, events: Iterator[dict[str, Any]]) -> str | None:
        for event in events:
            lane = (event["chain"], event["lane"])
            seq, last = self.end(lane)
            fault = _link_fault(event, seq + 1, last)
            if fault is not None:
                return fault
            self.ends[lane] = (event["seq"], event["hash"])
            self.events += 1
        return None


def _heads(session: Session, chain: int | None) -> dict[Lane, tuple[int, str]]:
    query = select(AuditChain.chain, AuditChain.lane, AuditChain.seq, AuditChain.hash)
    if chain is not None:
        query = query.where(AuditChain.chain == chain)
    return {(c, lane): (s, h) for c, lane, s, h in session.execute(query)}


def _head_fault(name: Lane, head: tuple[int, str] | None, end: tuple[int, str]) -> str | None:
    chain, lane = name
    where = f"chain {chain}" + (f" lane {lane}" if lane else "")
    if head is None:
        return f"{where}: its head is missing"
    if head != end:
        return (
            f"{where}: the head records seq {head[0]} but the events end at seq "
            f"{end[0]}; the last events were removed or the head was changed"
        )
    return None


def verify(session: Session, chain: int | None = None) -> Verified:
    """Walk every chain (or one), stopping at the first broken link.

    Writers may go on meanwhile: a lane whose head is ahead of the events walked (appended
    since the walk began) is walked on from where it stopped before the head is compared.
    Run it in a transaction (the events are streamed through a server-side cursor).
    """
    walk = _Walk()
    fault = walk.take(_events(session, chain))
    if fault is not None:
        return Verified(walk.chains, walk.events, fault)
    for _ in range(3):
        heads = _heads(session, chain)
        behind = [key for key, (seq, _) in heads.items() if seq > walk.end(key)[0]]
        if not behind:
            break
        for name, number in behind:
            fault = walk.take(_events(session, name, number, walk.end((name, number))[0]))
            if fault is not None:
                return Verified(walk.chains, walk.events, fault)
    for key in sorted(set(heads) | set(walk.ends)):
        fault = _head_fault(key, heads.get(key), walk.end(key))
        if fault is not None:
            return Verified(walk.chains, walk.events, fault)
    return Verified(walk.chains, walk.events)
