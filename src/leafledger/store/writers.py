"""One queue for SQLite's writers, across the threads and processes of a server.

SQLite lets one connection write at a time. A writer that finds the database locked polls for
the lock with growing sleeps (up to 100 ms each), so under load some writers wait very long:
whoever releases the lock is usually first to take it again. leafledger's writers queue
before they begin instead: threads of one process on a lock, processes on an exclusive
`flock` of a file beside the database (`<database>-writers`), where a waiting process sleeps
in the kernel and wakes as soon as the lock is free. Writers outside leafledger's servers
(the CLI, other tools) still meet SQLite's own lock and its busy timeout.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class WriterQueue:
    def __init__(self, database_path: str | None) -> None:
        # Re-entrant: a nested write in the same thread must fail on SQLite's own lock (busy
        # timeout) as it always has, not hang here.
        self._threads = threading.RLock()
        self._depth = 0
        self._path = f"{database_path}-writers" if database_path else None
        self._fd: int | None = None
        self._pid = os.getpid()

    def _file(self) -> int | None:
        if self._path is None:
            return None  # an in-memory database lives in one process
        if self._fd is None or self._pid != os.getpid():
            # A forked worker opens its own descriptor: a shared one would share the lock.
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Wait for this writer's turn; hold it for the block."""
        with self._threads:
            fd = self._file() if self._depth == 0 else None
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if fd is not None:
                    fcntl.flock(fd, fcntl.LOCK_UN)
