"""SQLite writers take turns across threads and processes (store/writers.py)."""

from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path

from leafledger.store.writers import WriterQueue


def _bump(queue: WriterQueue, counter: Path, times: int) -> None:
    """Read, pause, write: two writers in their turn at once would lose increments."""
    for _ in range(times):
        with queue.turn():
            value = int(counter.read_text())
            time.sleep(0.001)
            counter.write_text(str(value + 1))


def _process(database: str, counter: str, times: int) -> None:
    queue = WriterQueue(database)
    threads = [threading.Thread(target=_bump, args=(queue, Path(counter), times)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _take_turn(database: str) -> None:
    with WriterQueue(database).turn():
        pass


def test_turns_exclude_each_other_across_threads_and_processes(tmp_path: Path) -> None:
    database, counter = str(tmp_path / "ledger.db"), tmp_path / "counter"
    counter.write_text("0")
    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(target=_process, args=(database, str(counter), 10)) for _ in range(3)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    assert int(counter.read_text()) == 3 * 3 * 10
    assert (tmp_path / "ledger.db-writers").exists()


def test_a_nested_turn_in_one_thread_does_not_hang(tmp_path: Path) -> None:
    queue = WriterQueue(str(tmp_path / "ledger.db"))
    with queue.turn(), queue.turn():
        pass
    # The outer turn released the file lock: another process can take a turn.
    context = multiprocessing.get_context("fork")
    other = context.Process(target=_take_turn, args=(str(tmp_path / "ledger.db"),))
    other.start()
    other.join(timeout=10)
    assert other.exitcode == 0


def test_an_in_memory_database_needs_no_file(tmp_path: Path) -> None:
    queue = WriterQueue(None)
    with queue.turn():
        pass
    assert list(tmp_path.iterdir()) == []
