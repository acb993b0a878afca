"""How many writes one server process runs at a time.

A write's Python work holds the interpreter lock for most of the request; only its database
round trips let go of it. Two writes per process keep one's computing overlapped with the
other's waiting on the database; more than that add no throughput, and each extra thread
makes every request queue for the lock again after each of its round trips (a write makes
five to ten), so latency grows and spreads. Writes beyond the slots wait their turn on the
event loop, first come first served, before they take a thread.

A write that waits for a database lock keeps its slot. The request holding that lock holds a
slot of its own (in this process or another) and finishes without needing another, so the
slots cannot deadlock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from anyio import CapacityLimiter, to_thread
from anyio.lowlevel import RunVar

T = TypeVar("T")


class WriteSlots:
    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError("a process needs at least one write slot")
        self.slots = slots
        # One limiter per event loop (a test client may run several loops in turn).
        self._limiter: RunVar[CapacityLimiter] = RunVar(f"leafledger_write_slots_{id(self)}")

    async def run(self, func: Callable[..., T], *args: object) -> T:
        """`func(*args)` in a worker thread, once one of the slots is free."""
        try:
            limiter = self._limiter.get()
        except LookupError:
            limiter = CapacityLimiter(self.slots)
            self._limiter.set(limiter)
        return await to_thread.run_sync(func, *args, limiter=limiter)
