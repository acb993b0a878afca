"""A harness for races: N clients send at once, then the test checks an invariant.

`race(send, n)` runs `send(i)` for i in 0..n-1 from n threads released together by a barrier,
and returns the responses in order of i. Aim it at a real server (tests/servers.py) with
several workers to race processes, or at one object through any client.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def race(send: Callable[[int], T], n: int) -> list[T]:
    start = threading.Barrier(n)

    def at_once(i: int) -> T:
        start.wait()
        return send(i)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(at_once, range(n)))
