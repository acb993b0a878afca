"""Real `leafledger serve` processes on scratch databases, for tests that need several workers,
a crash, or concurrent clients over HTTP.

`scratch_database(kind, tmp_path)` gives a new SQLite file or a new PostgreSQL database (on the
server named by LEAFLEDGER_TEST_DATABASE_URL, dropped afterwards); `Server` starts, kills and
restarts the server on it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import _postgres_database

START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def scratch_database(kind: str, tmp_path: Path) -> Iterator[str]:
    """A database URL nothing else uses: `kind` is "sqlite" or "postgresql"."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    base = os.environ.get("LEAFLEDGER_TEST_DATABASE_URL")
    if not base:
        pytest.skip("set LEAFLEDGER_TEST_DATABASE_URL to run this on PostgreSQL")
    yield from _postgres_database(base)


class Server:
    """`leafledger serve --workers N` on `database_url`, on a free port, rate limits off."""

    def __init__(self, database_url: str, log: Path, workers: int = 2) -> None:
        self.database_url = database_url
        self.log = log
        self.workers = workers
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        env = {
            **os.environ,
            "LEAFLEDGER_DATABASE_URL": self.database_url,
            "LEAFLEDGER_RATE_LIMITS": "off",
            "PYTHONUNBUFFERED": "1",
        }
        command = [sys.executable, "-m", "leafledger.cli", "serve", "--port", str(self.port)]
        command += ["--workers", str(self.workers)]
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(
                command,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited with {self.process.returncode}:\n{self.output()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        pytest.fail(f"the server did not answer within {START_TIMEOUT} s:\n{self.output()}")

    def kill(self) -> None:
        """SIGKILL to every process of the server (the supervisor and its workers)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-40:])


@contextmanager
def serving(database_url: str, log: Path, workers: int = 2) -> Iterator[Server]:
    server = Server(database_url, log, workers).start()
    try:
        yield server
    finally:
        server.stop()
