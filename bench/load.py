"""Reproducible HTTP load benchmark against a leafledger server started as a user would start it.

    python bench/load.py                       # SQLite file in a temp folder
    python bench/load.py --database postgresql+psycopg://postgres@127.0.0.1:5432/test

It migrates the database and creates the demo sandbox (`leafledger demo --json`), starts
`leafledger serve` on a free loopback port with rate limits off, then drives each target with
`--concurrency` clients for `--seconds` seconds and prints throughput and latency percentiles.
Traffic goes to 127.0.0.1 only; every loop is bounded by time and stops by itself.

The load comes from `wrk` when it is installed (Debian package `wrk`), else from a Python
client. The Python client shares the two cores with the server and saturates first (around
500 requests/s here), so its numbers measure the client as much as the server.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

WRK_LATENCY = re.compile(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$")
WRK_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)")
WRK_ERRORS = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    def row(self) -> str:
        lat = sorted(self.latencies_ms) or [0.0]

        def pct(p: float) -> float:
            return lat[min(len(lat) - 1, int(p * len(lat)))]

        rate = self.requests / self.seconds if self.seconds else 0.0
        return (
            f"{self.name:<44} {rate:>9.1f} req/s  p50 {pct(0.50):7.2f} ms  "
            f"p99 {pct(0.99):7.2f} ms  mean {statistics.fmean(lat):7.2f} ms  "
            f"errors {self.errors}"
        )


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def drive(
    client: httpx.AsyncClient, name: str, path: str, concurrency: int, seconds: float
) -> Result:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            response = await client.get(path)
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Result(name, len(latencies), errors, time.perf_counter() - started, latencies)


def wait_until_up(base: str, server: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server exited before answering")
        try:
            if httpx.get(f"{base}/health", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not answer in time")


def targets(demo: dict[str, object]) -> list[tuple[str, str]]:
    facilities = demo["facilities"]
    assert isinstance(facilities, list)
    license_number = facilities[0]["license_number"]
    return [
        ("bare endpoint (/health)", "/health"),
        ("GET /unitsofmeasure/v2/active", "/unitsofmeasure/v2/active"),
        ("GET /facilities/v2/", "/facilities/v2/"),
        (
            "GET /employees/v2/ (paged)",
            f"/employees/v2/?licenseNumber={license_number}&pageSize=20",
        ),
    ]


def basic_token(demo: dict[str, object]) -> str:
    return base64.b64encode(f"{demo['vendor_key']}:{demo['user_key']}".encode()).decode()


def run_wrk(base: str, demo: dict[str, object], args: argparse.Namespace) -> None:
    header = f"Authorization: Basic {basic_token(demo)}"
    for name, path in targets(demo):
        command = ["wrk", "-t2", f"-c{args.concurrency}", "--latency", "-H", header]
        subprocess.run([*command, "-d1s", base + path], check=True, capture_output=True)
        out = subprocess.run(
            [*command, f"-d{int(args.seconds)}s", base + path],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        rate, latency, errors = 0.0, {}, 0
        for line in out.splitlines():
            if m := WRK_LATENCY.match(line):
                latency[m[1]] = float(m[2]) * UNIT_MS[m[3]]
            elif m := WRK_RATE.match(line):
                rate = float(m[1])
            elif m := WRK_ERRORS.search(line):
                errors = int(m[1])
        print(
            f"{name:<44} {rate:>9.1f} req/s  p50 {latency.get('50', 0):7.2f} ms  "
            f"p99 {latency.get('99', 0):7.2f} ms  errors {errors}"
        )


async def run_targets(base: str, demo: dict[str, object], args: argparse.Namespace) -> None:
    token = basic_token(demo)
    limits = httpx.Limits(max_connections=args.concurrency)
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Basic {token}"}, limits=limits, timeout=30
    ) as client:
        for name, path in targets(demo):
            await drive(client, name, path, args.concurrency, 1.0)  # warm-up
            print((await drive(client, name, path, args.concurrency, args.seconds)).row())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database",
        help="PostgreSQL server URL to create a scratch database on (default: a new SQLite file)",
    )
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument(
        "--client",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="load generator (auto: wrk when installed)",
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="leafledger-bench-"))
    with scratch_database(args.database, workdir) as database:
        run_against(database, args)


def run_against(database: str, args: argparse.Namespace) -> None:
    env = {**os.environ, "LEAFLEDGER_DATABASE_URL": database, "LEAFLEDGER_RATE_LIMITS": "off"}
    exe = [sys.executable, "-m", "leafledger.cli"]
    demo = json.loads(
        subprocess.run(
            [*exe, "demo", "--json"], env=env, check=True, capture_output=True, text=True
        ).stdout
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*exe, "serve", "--port", str(port), "--workers", str(args.workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(base, server)
        client = args.client
        if client == "auto":
            client = "wrk" if shutil.which("wrk") else "python"
        print(
            f"database: {database.split('@')[-1]}  workers: {args.workers}  client: {client}  "
            f"concurrency: {args.concurrency}  seconds per target: {args.seconds}"
        )
        if client == "wrk":
            run_wrk(base, demo, args)
        else:
            asyncio.run(run_targets(base, demo, args))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
