"""Trace sales benchmark (issue 11): `POST /{state}/v1/sales` under load, beside the same
server's Metrc receipts and its bare endpoint.

    python bench/trace_sales.py --database postgresql+psycopg://postgres@127.0.0.1:5432/test
    python bench/trace_sales.py --receipts 1000 --seconds 2 --packages 300   # a quick try

The dispensary of a scratch database is seeded as bench/sales.py seeds it (sellable packages
and N receipts, in bulk SQL, not measured). Then `leafledger serve --workers N` and wrk at
`--concurrency` connections on:
  - the bare endpoint of the same server (/health, the baseline),
  - POST /{state}/v1/sales with 10 sales of 3 line items each per request (each line one unit
    of a random lot at 9.99 with a 10 % sales tax, each sale with its own external id),
  - GET /{state}/v1/sales?limit=20 (the first page).
Needs `wrk` (Debian package `wrk`). Loopback only; every run is bounded by `--seconds`.
"""

from __future__ import annotations

import argparse
import base64
import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from common import analyze, demo, scratch_database, server, wrk
from sales import seed
from sqlalchemy import func, select

from leafledger.domain.models import Facility, Package
from leafledger.store import Store


def lot_range(database: str, license_number: str) -> tuple[int, int, str]:
    """The first seeded package id, how many ids follow it without a gap, and the state."""
    store = Store(database)
    with store.read() as session:
        facility = session.scalars(
            select(Facility).where(Facility.license_number == license_number)
        ).one()
        low, high, count = session.execute(
            select(func.min(Package.id), func.max(Package.id), func.count()).where(
                Package.facility_id == facility.id
            )
        ).one()
        state = facility.state_code.lower()
    store.dispose()
    if high - low + 1 != count:
        raise SystemExit("the seeded package ids are not contiguous")
    return int(low), int(count), state


def run(args: argparse.Namespace, receipts: int) -> None:
    with scratch_database(args.database, Path(tempfile.mkdtemp(prefix="ll-bench-"))) as database:
        sandbox = demo(database)
        facilities = sandbox["facilities"]
        assert isinstance(facilities, list)
        license_number = next(
            f["license_number"] for f in facilities if f["license_type"] == "Dispensary"
        )
        _labels, zone = seed(database, license_number, args.packages, receipts)
        first, lots, state = lot_range(database, license_number)
        keys = json.dumps({"vendor-key": sandbox["vendor_key"], "api-key": sandbox["user_key"]})
        headers = {
            "x-api-key": str(sandbox["trace_api_key"]),
            "Authorization": "KMP-JSON token=" + base64.b64encode(keys.encode()).decode(),
        }
        with server(database, args.workers) as base:
            print(
                f"\nreceipts: {receipts:,}  lots: {lots}  database: {database.split('@')[-1]}  "
                f"workers: {args.workers}  concurrency: {args.concurrency}  "
                f"seconds: {args.seconds}"
            )
            common = {"headers": headers, "seconds": args.seconds, "concurrency": args.concurrency}
            print(wrk("bare endpoint (/health)", base + "/health", **common).row())
            post_path = f"/{state}/v1/sales?license_number={license_number}"
            # An hour ago: never in the facility's future (and answered with a warning).
            sold = datetime.now(UTC) - timedelta(hours=1)
            local = sold.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
            print(
                wrk(
                    f"POST /{state}/v1/sales (10 sales x 3 lines)",
                    base + post_path,
                    script="trace_sales.lua",
                    script_args=[
                        post_path,
                        str(first),
                        str(lots),
                        local.isoformat(timespec="seconds"),
                        sold.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    ],
                    after_warm_up=lambda: analyze(database, "sales_receipts"),
                    **common,
                ).row()
            )
            list_path = f"/{state}/v1/sales?license_number={license_number}&limit=20"
            print(
                wrk(
                    f"GET /{state}/v1/sales (limit 20, offset 0)",
                    base + list_path,
                    **common,
                ).row()
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="PostgreSQL server URL (default: SQLite scratch file)")
    parser.add_argument("--receipts", type=int, action="append", help="population (repeatable)")
    parser.add_argument("--packages", type=int, default=3000, help="sellable packages to seed")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    for receipts in args.receipts or [1_000]:
        run(args, receipts)


if __name__ == "__main__":
    main()
