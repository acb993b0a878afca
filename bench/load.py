"""HTTP throughput of the foundation endpoints, against the server started as a user starts it.

    python bench/load.py                                              # SQLite scratch file
    python bench/load.py --database postgresql+psycopg://postgres@127.0.0.1:5432/test

Needs `wrk` (Debian package `wrk`). Creates a scratch database (on PostgreSQL: a new database on
that server, dropped afterwards), the demo sandbox, then `leafledger serve --workers N` on a free
loopback port with rate limits off, and drives each target with `--concurrency` connections.
Traffic goes to 127.0.0.1 only; every run is bounded by `--seconds`.
"""

from __future__ import annotations

import argparse
import base64
import tempfile
from pathlib import Path

from common import demo, scratch_database, server, wrk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="PostgreSQL server URL (default: SQLite scratch file)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    args = parser.parse_args()

    with scratch_database(args.database, Path(tempfile.mkdtemp(prefix="ll-bench-"))) as database:
        sandbox = demo(database)
        token = base64.b64encode(f"{sandbox['vendor_key']}:{sandbox['user_key']}".encode())
        headers = {"Authorization": f"Basic {token.decode()}"}
        facilities = sandbox["facilities"]
        assert isinstance(facilities, list)
        license_number = facilities[0]["license_number"]
        targets = [
            ("bare endpoint (/health)", "/health"),
            ("GET /unitsofmeasure/v2/active", "/unitsofmeasure/v2/active"),
            ("GET /facilities/v2/", "/facilities/v2/"),
            (
                "GET /employees/v2/ (paged)",
                f"/employees/v2/?licenseNumber={license_number}&pageSize=20",
            ),
        ]
        with server(database, args.workers) as base:
            print(
                f"database: {database.split('@')[-1]}  workers: {args.workers}  "
                f"concurrency: {args.concurrency}  seconds per target: {args.seconds}"
            )
            for name, path in targets:
                result = wrk(
                    name,
                    base + path,
                    headers=headers,
                    seconds=args.seconds,
                    concurrency=args.concurrency,
                )
                print(result.row())


if __name__ == "__main__":
    main()
