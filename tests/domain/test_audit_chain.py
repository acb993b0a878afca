"""The audit log's hash chains: intact logs verify, edits made by SQL are found, concurrent
writers of one facility never fork its chain, and existing logs are sealed by the migration."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, insert, select, text, update
from typer.testing import CliRunner

from leafledger.cli import app as cli_app
from leafledger.domain.actor import CLI
from leafledger.domain.models import AuditChain, AuditEvent, Facility
from leafledger.domain.models.base import utcnow
from leafledger.domain.services import audit_chain
from leafledger.domain.services.audit_chain import GENESIS, verify
from leafledger.domain.services.facilities import create_facility
from leafledger.domain.services.identity import create_integrator, create_user, employ
from leafledger.domain.services.locations import NewLocation, create_location
from leafledger.permissions import all_permissions
from leafledger.store import Store, upgrade
from leafledger.store.migrate import alembic_config
from tests.servers import scratch_database, serving


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A database of its own: these tests edit its audit log behind leafledger's back."""
    with scratch_database(request.param, tmp_path) as url:
        store = Store(url)
        upgrade(store.engine)
        try:
            yield store
        finally:
            store.dispose()


def facility(store: Store, license_number: str, rooms: int = 3) -> Facility:
    """A facility with a few locations: its chain holds its creation, then one event a room."""
    with store.transaction() as session:
        made = create_facility(
            session,
            CLI,
            license_number=license_number,
            name=f"Facility {license_number}",
            state_code="CO",
            license_type="Cultivator",
        )
        for n in range(rooms):
            create_location(session, CLI, made, NewLocation(f"Room {n}", "Default"))
    return made


def events_of(store: Store, facility_id: int) -> list[AuditEvent]:
    with store.transaction() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.chain == facility_id).order_by(AuditEvent.seq)
            )
        )


def verified(store: Store, chain: int | None = None) -> Any:
    with store.transaction() as session:
        return verify(session, chain)


def edit(store: Store, statement: Any) -> None:
    with store.transaction() as session:
        session.execute(statement.execution_options(synchronize_session=False))


def test_an_intact_log_verifies_and_each_facility_has_its_chain(store: Store) -> None:
    first, second = facility(store, "CH-1"), facility(store, "CH-2", rooms=2)
    result = verified(store)
    assert result.ok, result.broken
    for made, rooms in ((first, 3), (second, 2)):
        events = events_of(store, made.id)
        assert [e.seq for e in events] == list(range(1, rooms + 2))
        assert events[0].prev_hash == GENESIS
        assert all(e.prev_hash == p.hash for p, e in pairwise(events))
    assert result.chains == 2 and result.events == 4 + 3


@pytest.mark.parametrize(
    "change",
    [
        {"occurred_at": utcnow()},
        {"user_id": None, "channel": "metrc"},
        {"after": {"name": "Forged Room"}},
        {"action": "archive"},
    ],
    ids=["time", "actor", "content", "action"],
)
def test_an_update_made_by_sql_is_found(store: Store, change: dict[str, Any]) -> None:
    made = facility(store, "CH-U")
    target = events_of(store, made.id)[1]
    edit(store, update(AuditEvent).where(AuditEvent.id == target.id).values(**change))
    result = verified(store)
    assert not result.ok
    assert f"event id {target.id}" in result.broken and "changed" in result.broken


def test_a_deleted_event_is_found(store: Store) -> None:
    made = facility(store, "CH-D")
    target = events_of(store, made.id)[1]
    edit(store, delete(AuditEvent).where(AuditEvent.id == target.id))
    result = verified(store)
    assert not result.ok
    assert f"chain {made.id} seq 3" in result.broken and "missing" in result.broken


def test_a_deleted_last_event_is_found_by_the_head(store: Store) -> None:
    made = facility(store, "CH-L")
    last = events_of(store, made.id)[-1]
    edit(store, delete(AuditEvent).where(AuditEvent.id == last.id))
    result = verified(store, made.id)
    assert not result.ok
    assert f"chain {made.id}" in result.broken and "head" in result.broken


def test_an_event_inserted_by_sql_is_found(store: Store) -> None:
    made = facility(store, "CH-I")
    last = events_of(store, made.id)[-1]
    forged = {
        "occurred_at": utcnow(),
        "facility_id": made.id,
        "user_id": None,
        "integrator_id": None,
        "channel": "cli",
        "entity_type": "locations",
        "entity_id": last.entity_id,
        "action": "archive",
        "before": None,
        "after": None,
        "chain": made.id,
        "seq": last.seq + 1,
        "prev_hash": last.hash,
        "hash": "f" * 64,
    }
    edit(store, insert(AuditEvent).values(**forged))
    result = verified(store)
    assert not result.ok
    assert f"seq {last.seq + 1}" in result.broken


def test_one_chain_is_verified_alone(store: Store) -> None:
    broken, intact = facility(store, "CH-A"), facility(store, "CH-B")
    target = events_of(store, broken.id)[0]
    edit(store, update(AuditEvent).where(AuditEvent.id == target.id).values(action="x"))
    assert verified(store, intact.id).ok
    assert not verified(store, broken.id).ok


def test_the_command_exits_non_zero_naming_the_broken_link(store: Store) -> None:
    made = facility(store, "CH-C")
    runner = CliRunner()
    arguments = ["audit", "verify", "--database", store.url]
    good = runner.invoke(cli_app, arguments)
    assert good.exit_code == 0, good.output
    assert "intact" in good.output
    target = events_of(store, made.id)[2]
    edit(store, update(AuditEvent).where(AuditEvent.id == target.id).values(entity_id=999))
    bad = runner.invoke(cli_app, arguments)
    assert bad.exit_code == 1
    assert f"event id {target.id}" in bad.output
    one = runner.invoke(cli_app, [*arguments, "--facility", "CH-C", "--json"])
    assert one.exit_code == 1 and '"ok": false' in one.output


def test_existing_logs_are_sealed_by_the_migration(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'older.db'}")
    try:
        command.upgrade(alembic_config(store.engine), "0003")
        with store.engine.begin() as connection:
            for n in range(3):
                connection.execute(
                    text(
                        "INSERT INTO audit_events (occurred_at, channel, entity_type, entity_id,"
                        " action) VALUES (:at, 'cli', 'integrators', :n, 'create')"
                    ),
                    {"at": "2026-11-20 10:00:00.000000", "n": n + 1},
                )
        upgrade(store.engine)
        with store.transaction() as session:
            seqs = session.scalars(select(AuditEvent.seq).order_by(AuditEvent.id)).all()
            assert list(seqs) == [1, 2, 3]
            assert session.get(AuditChain, (0, 0)) is not None
        assert verified(store).ok
        facility(store, "SEALED-1", rooms=1)
        result = verified(store)
        assert result.ok and result.events == 3 + 2  # the facility and its one room
    finally:
        store.dispose()


# --- concurrent writers


def _basic(vendor_key: str, user_key: str) -> dict[str, str]:
    token = base64.b64encode(f"{vendor_key}:{user_key}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def test_two_workers_writing_one_facility_never_fork_its_chain(
    store: Store, tmp_path: Path
) -> None:
    busy, quiet = facility(store, "RACE-1", rooms=0), facility(store, "RACE-2", rooms=0)
    with store.transaction() as session:
        vendor = create_integrator(session, CLI, "Race Vendor")
        user = create_user(session, CLI, "Race User", "RACE-EMP")
        for made in (busy, quiet):
            employ(session, CLI, user.holder, session.merge(made), all_permissions())
    headers = _basic(vendor.key, user.key)
    with serving(store.url, tmp_path / "server.log", workers=2) as server:

        def create(n: int) -> int:
            license_number = "RACE-1" if n % 4 else "RACE-2"
            body = [{"Name": f"Room {n}", "LocationTypeName": "Default"}]
            response = httpx.post(
                f"{server.url}/locations/v2/",
                params={"licenseNumber": license_number},
                json=body,
                headers=headers,
                timeout=30,
            )
            return response.status_code

        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(pool.map(create, range(48)))
    assert statuses == [200] * 48
    result = verified(store)
    assert result.ok, result.broken
    with store.transaction() as session:
        counts = dict(
            session.execute(select(AuditEvent.chain, func.count()).group_by(AuditEvent.chain)).all()
        )
    # Each chain: the facility's creation, the user's employment, then one event a room.
    assert counts[busy.id] == 2 + 36 and counts[quiet.id] == 2 + 12
    # Writers that met took different lanes (on PostgreSQL); each lane is numbered 1..n.
    lanes: dict[int, list[int]] = {}
    for event in events_of(store, busy.id):
        lanes.setdefault(event.lane, []).append(event.seq)
    assert all(sorted(seqs) == list(range(1, len(seqs) + 1)) for seqs in lanes.values())
    if store.engine.dialect.name == "sqlite":
        assert list(lanes) == [0]


# --- lanes


def test_a_writer_of_a_busy_facility_takes_a_free_lane_instead_of_waiting(store: Store) -> None:
    """Two open transactions of one facility append at once: on PostgreSQL the second takes
    a lane the first does not hold (it would wait for the first's commit otherwise)."""
    made = facility(store, "LANES-1", rooms=0)
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: every append is lane 0")
    first, second = store.session(), store.session()
    try:
        lane_a = audit_chain._locked_head(first, made.id)[0]
        lane_b = audit_chain._locked_head(second, made.id)[0]  # would block on lane_a
        assert lane_a != lane_b
    finally:
        for session in (first, second):
            session.rollback()
            session.close()
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda n: facility_room(store, made, n), range(8)))
    result = verified(store)
    assert result.ok and result.events == 1 + 8


def facility_room(store: Store, made: Facility, n: int) -> None:
    with store.transaction() as session:
        create_location(session, CLI, session.merge(made), NewLocation(f"R{n}", "Default"))


def test_an_event_moved_to_another_lane_breaks_its_hash(store: Store) -> None:
    made = facility(store, "LANES-2", rooms=2)
    target = events_of(store, made.id)[-1]
    # The heads follow the move, so only the event's own hash can tell.
    edit(
        store,
        update(AuditEvent)
        .where(AuditEvent.id == target.id)
        .values(lane=5, seq=1, prev_hash=GENESIS),
    )
    edit(
        store,
        update(AuditChain)
        .where(AuditChain.chain == made.id)
        .values(seq=target.seq - 1, hash=target.prev_hash),
    )
    edit(store, insert(AuditChain).values(chain=made.id, lane=5, seq=1, hash=target.hash))
    result = verified(store)
    assert not result.ok and result.broken is not None
    assert f"chain {made.id} lane 5 seq 1" in result.broken and "changed" in result.broken


# --- the canonical JSON the hash reads -------------------------------------------------------

_ANY_TEXT = st.text(st.characters(exclude_categories=()))  # lone surrogates too
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | _ANY_TEXT
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_ANY_TEXT, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_JSON, max_size=6))
def test_canonical_json_is_the_standard_librarys(content: list[Any]) -> None:
    """The fast encoding of an event's content gives exactly the bytes of the standard
    library's (the encoding every hash in existing logs was made with): for strings of any
    character (lone surrogates included), integers past 64 bits and floats too."""
    expected = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert audit_chain.canonical_json(content) == expected.encode("utf-8", "surrogatepass")


_SNAPSHOTS = st.none() | st.dictionaries(_ANY_TEXT, _JSON, max_size=6)


@settings(max_examples=300, deadline=None)
@given(
    before=_SNAPSHOTS,
    after=_SNAPSHOTS,
    lane=st.integers(min_value=0, max_value=15),
    channel=_ANY_TEXT,
)
def test_an_events_hash_is_the_hash_of_its_whole_contents_json(
    before: Any, after: Any, lane: int, channel: str
) -> None:
    """An append writes each snapshot's JSON once and puts the hashed text together from
    its parts; that text is, byte for byte, the canonical JSON of the whole content as the
    module's docstring defines it (and as verification reads it back)."""
    values = {
        "chain": 7, "seq": 3, "prev_hash": GENESIS, "occurred_at": utcnow(),
        "facility_id": 7, "user_id": None, "integrator_id": 2, "channel": channel,
        "entity_type": "packages", "entity_id": 11, "action": "sell",
        "before": before, "after": after, "lane": lane,
    }  # fmt: skip
    content = [
        7, 3, GENESIS, values["occurred_at"].isoformat(timespec="microseconds"), 7, None, 2,
        channel, "packages", 11, "sell", before, after, *([lane] if lane else []),
    ]  # fmt: skip
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    expected = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    assert audit_chain.event_hash(values) == expected
