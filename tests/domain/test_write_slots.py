"""Writes per process: at most `slots` at a time, the rest served in arrival order."""

from __future__ import annotations

import threading
import time

import anyio
import pytest

from leafledger.dialects.kit.writes import WriteSlots
from leafledger.settings import Settings


def _run_writes(slots: int, writes: int) -> tuple[int, list[int]]:
    """Start `writes` blocking writes at once; the most that ran together, and their order."""
    lock = threading.Lock()
    running = 0
    most = 0
    order: list[int] = []

    def write(number: int) -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            order.append(number)
        time.sleep(0.01)  # long enough for every other write to be waiting
        with lock:
            running -= 1

    async def main() -> None:
        limiter = WriteSlots(slots)
        async with anyio.create_task_group() as group:
            for number in range(writes):
                group.start_soon(limiter.run, write, number)
                await anyio.sleep(0)  # arrival order: each has queued before the next starts

    anyio.run(main)
    return most, order


def test_one_slot_runs_writes_one_at_a_time_in_arrival_order() -> None:
    most, order = _run_writes(slots=1, writes=6)
    assert most == 1
    assert order == list(range(6))


def test_two_slots_run_two_writes_at_once() -> None:
    most, order = _run_writes(slots=2, writes=6)
    assert most == 2
    assert sorted(order) == list(range(6))


def test_a_limiter_serves_one_event_loop_after_another() -> None:
    # A test client runs its own event loop; the same app may meet several in turn.
    assert _run_writes(slots=1, writes=2)[0] == 1
    assert _run_writes(slots=1, writes=2)[0] == 1


def test_at_least_one_slot() -> None:
    with pytest.raises(ValueError):
        WriteSlots(0)


def test_write_threads_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEAFLEDGER_WRITE_THREADS", raising=False)
    assert Settings.from_env().write_threads == 2
    monkeypatch.setenv("LEAFLEDGER_WRITE_THREADS", "4")
    assert Settings.from_env().write_threads == 4
    for bad in ("0", "two"):
        monkeypatch.setenv("LEAFLEDGER_WRITE_THREADS", bad)
        with pytest.raises(ValueError, match="LEAFLEDGER_WRITE_THREADS"):
            Settings.from_env()
