"""Pieces shared by the benchmarks: scratch databases, the server as a user starts it, wrk."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

WRK_LATENCY = re.compile(r"^\s+(50|90|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$")
WRK_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)")
WRK_ERRORS = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
WRK_SOCKET_ERRORS = re.compile(r"Socket errors: (.*)")
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
CLI = [sys.executable, "-m", "leafledger.cli"]
LUA = Path(__file__).parent / "wrk"


@contextmanager
def scratch_database(url: str | None, workdir: Path) -> Iterator[str]:
    """A new SQLite file, or a new database on the given PostgreSQL server, dropped afterwards."""
    if url is None:
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = f"leafledger_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(parsed, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def analyze(database: str, *tables: str) -> None:
    """Refresh the database's statistics (of `tables`, or all), as autovacuum or a DBA would."""
    from sqlalchemy import create_engine

    engine = create_engine(database, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE " + ", ".join(tables) if tables else "ANALYZE")
    engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bench_env(database: str) -> dict[str, str]:
    return {**os.environ, "LEAFLEDGER_DATABASE_URL": database, "LEAFLEDGER_RATE_LIMITS": "off"}


def demo(database: str) -> dict[str, object]:
    """Migrate and create the demo sandbox, as `leafledger demo --json` does for a user."""
    out = subprocess.run(
        [*CLI, "demo", "--json"],
        env=bench_env(database),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    payload: dict[str, object] = json.loads(out)
    return payload


@contextmanager
def server(database: str, workers: int) -> Iterator[str]:
    """`leafledger serve` on a free loopback port; yields its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # LEAFLEDGER_BENCH_LOG=<file> keeps the server's log (its errors, say) for a look.
    log = os.environ.get("LEAFLEDGER_BENCH_LOG")
    process = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--workers", str(workers)],
        env=bench_env(database),
        stdout=subprocess.DEVNULL,
        stderr=open(log, "a") if log else subprocess.DEVNULL,  # noqa: SIM115 (the child keeps it)
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit("the server exited before answering")
            try:
                if httpx.get(f"{base}/health", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not answer in time")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@dataclass
class WrkResult:
    name: str
    rate: float
    p50: float
    p99: float
    errors: int  # answers not 2xx or 3xx
    socket_errors: int = 0  # wrk's connect, read, write and timeout errors (timeout: 2 s)

    def row(self) -> str:
        return (
            f"{self.name:<48} {self.rate:>9.1f} req/s  p50 {self.p50:7.2f} ms  "
            f"p99 {self.p99:7.2f} ms  errors {self.errors}"
            + (f"  socket errors {self.socket_errors}" if self.socket_errors else "")
        )


def wrk(
    name: str,
    url: str,
    *,
    headers: dict[str, str],
    seconds: float,
    concurrency: int,
    script: str | None = None,
    script_args: list[str] | None = None,
    after_warm_up: Callable[[], None] | None = None,
) -> WrkResult:
    """Run wrk (1 s warm-up, then the measured run) and parse its summary."""
    command = ["wrk", "-t2", f"-c{concurrency}", "--latency"]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    if script:
        command += ["-s", str(LUA / script)]
    tail = [url, *(["--", *script_args] if script_args else [])]
    subprocess.run([*command, "-d1s", *tail], check=True, capture_output=True)
    if after_warm_up is not None:
        after_warm_up()
    out = subprocess.run(
        [*command, f"-d{max(1, int(seconds))}s", *tail], check=True, capture_output=True, text=True
    ).stdout
    rate, latency, errors, socket_errors = 0.0, {}, 0, 0
    for line in out.splitlines():
        if m := WRK_LATENCY.match(line):
            latency[m[1]] = float(m[2]) * UNIT_MS[m[3]]
        elif m := WRK_RATE.match(line):
            rate = float(m[1])
        elif m := WRK_ERRORS.search(line):
            errors += int(m[1])
        elif m := WRK_SOCKET_ERRORS.search(line):
            socket_errors += sum(int(n) for n in re.findall(r"\d+", m[1]))
    return WrkResult(
        name, rate, latency.get("50", 0.0), latency.get("99", 0.0), errors, socket_errors
    )
