"""Concurrent requests cannot use one tag twice, on SQLite (write lock taken at BEGIN) and on
PostgreSQL (row locked FOR UPDATE)."""

from __future__ import annotations

import threading

from leafledger.domain.actor import CLI
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import Tag
from leafledger.domain.services.lookups import claim_tag
from leafledger.store import Store
from tests.conftest import Ledger, unique


def test_a_tag_raced_by_eight_writers_is_used_once(store: Store, ledger: Ledger) -> None:
    facility = ledger.facility("Cultivator")
    label = unique("RACE")
    with store.transaction() as session:
        session.add(
            Tag(
                facility_id=facility.id,
                label=label,
                kind="Plant",
                tag_type_name="CannabisPlant",
                status="Available",
            )
        )
    start = threading.Barrier(8)
    outcomes: list[str] = []
    lock = threading.Lock()

    def writer() -> None:
        start.wait()
        try:
            with store.transaction() as session:
                claim_tag(session, CLI, facility, label, "Plant")
            result = "used"
        except RuleViolation:
            result = "refused"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["refused"] * 7 + ["used"]
