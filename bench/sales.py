"""Sales benchmark (issue 11): receipts recorded under load, and the receipts list at size.

    python bench/sales.py --database postgresql+psycopg://postgres@127.0.0.1:5432/test
    python bench/sales.py --receipts 1000 --receipts 1000000 --database ...   # list vs size
    python bench/sales.py --receipts 1000 --seconds 2                         # a quick try

For each population size: a scratch database, the demo sandbox, and at its dispensary an item,
a room, --packages packages that may be sold (tested, with stock for any run) and N receipts
of one line each, all bulk-inserted in SQL (INSERT ... SELECT over generate_series on
PostgreSQL, a recursive series on SQLite), then vacuumed and analyzed; seeding is not
measured. Then `leafledger serve --workers N` and wrk at `--concurrency` connections on:
  - the bare endpoint of the same server (/health, the baseline),
  - GET /sales/v2/receipts/active?pageNumber=<random among the first --pages>&pageSize=20,
  - POST /sales/v2/receipts with 10 receipts of 3 lines each per request, each line from a
    random package, each receipt with an external number no other uses (skip: --only-list).
Needs `wrk` (Debian package `wrk`). Loopback only; every run is bounded by `--seconds`.
"""

from __future__ import annotations

import argparse
import base64
import tempfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from common import analyze, demo, scratch_database, server, wrk
from sqlalchemy import insert, select, text

from leafledger.domain.models import Facility, Item, Location, Package, Tag
from leafledger.domain.services.lookups import facility_today
from leafledger.domain.services.sales_counts import recount
from leafledger.store import Store

ITEM, LOCATION = "Bench Pre-roll", "Bench Floor"
STOCK = Decimal(10**12)  # units in each package: no run sells it out
LABEL_PREFIX = "1A4SALE"


def _series(dialect: str, count: int) -> str:
    """A subquery of the numbers 1..count, as column n."""
    if dialect == "postgresql":
        return f"(SELECT generate_series(1, {int(count)}) AS n)"
    return (
        f"(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {int(count)}) "
        "SELECT n FROM s)"
    )


def seed(database: str, license_number: str, packages: int, receipts: int) -> tuple[list[str], str]:
    """Bulk-insert an item, a room, `packages` sellable packages and `receipts` receipts of one
    line each; the package labels and the facility's time zone."""
    store = Store(database)
    now = datetime.now(UTC)
    stamps = {"created_at": now, "last_modified": now}
    with store.transaction() as session:
        facility = session.scalars(
            select(Facility).where(Facility.license_number == license_number)
        ).one()
        if not facility.can("CanSellToConsumers"):
            raise SystemExit(f"{license_number} cannot sell to consumers")
        today = facility_today(facility)
        local = datetime.now(ZoneInfo(facility.timezone)).replace(tzinfo=None)
        item = Item(
            facility_id=facility.id,
            name=ITEM,
            category_name="Buds",
            quantity_type="CountBased",
            unit_of_measure_name="Each",
            **stamps,
        )
        room = Location(
            facility_id=facility.id,
            name=LOCATION,
            location_type_name="Default Location Type",
            for_plant_batches=False,
            for_plants=False,
            for_harvests=False,
            for_packages=True,
            **stamps,
        )
        session.add_all([item, room])
        session.flush()
        labels = [f"{LABEL_PREFIX}{facility.id:04d}{n:012d}" for n in range(packages)]
        tag_ids = session.scalars(
            insert(Tag).returning(Tag.id),
            [
                {
                    "facility_id": facility.id,
                    "label": label,
                    "kind": "Package",
                    "tag_type_name": "CannabisPackage",
                    "status": "Used",
                    "used_at": now,
                    **stamps,
                }
                for label in labels
            ],
        ).all()
        package_ids = session.scalars(
            insert(Package).returning(Package.id),
            [
                {
                    "facility_id": facility.id,
                    "label": label,
                    "tag_id": tag_id,
                    "item_id": item.id,
                    "package_type": "Product",
                    "quantity": STOCK,
                    "original_quantity": STOCK,
                    "unit_of_measure_name": "Each",
                    "location_id": room.id,
                    "packaged_date": today,
                    "lab_testing_state": "TestPassed",
                    "initial_lab_testing_state": "TestPassed",
                    **stamps,
                }
                for label, tag_id in zip(labels, tag_ids, strict=True)
            ],
        ).all()
        facility_id, first_package, zone = facility.id, min(package_ids), facility.timezone
    dialect = store.engine.dialect.name
    # Receipts sold over the last days, one line each, all in SQL: a million rows in seconds.
    sold = (local - timedelta(days=1)).replace(microsecond=0)
    money = "5" if dialect == "sqlite" else "5.0"
    values = {"facility_id": facility_id, "now": now, "sold": sold, "day": sold.date()}
    with store.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO sales_receipts (facility_id, external_receipt_number, "
                "sales_date_time, sales_date, customer_type, total_packages, total_price, "
                "is_final, by_date, active, created_at, last_modified) "
                f"SELECT :facility_id, NULL, :sold, :day, 'Consumer', 1, '{money}', "
                f"false, false, true, :now, :now FROM {_series(dialect, receipts)} AS series"
            ),
            values,
        )
        connection.execute(
            text(
                "INSERT INTO sales_transactions (facility_id, receipt_id, package_id, quantity, "
                "unit_of_measure_name, drawn_quantity, total_price, created_at, last_modified) "
                f"SELECT :facility_id, id, {first_package} + (id % {len(package_ids)}), '1', "
                f"'Each', '1', '{money}', :now, :now FROM sales_receipts "
                "WHERE facility_id = :facility_id"
            ),
            values,
        )
    with store.transaction() as session:
        recount(session, facility_id)  # the bulk inserts above bypass the ORM's counting
    settle = "VACUUM ANALYZE" if dialect == "postgresql" else "ANALYZE"
    with store.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(settle)
    store.dispose()
    return labels, zone


def run(args: argparse.Namespace, receipts: int) -> None:
    with scratch_database(args.database, Path(tempfile.mkdtemp(prefix="ll-bench-"))) as database:
        sandbox = demo(database)
        facilities = sandbox["facilities"]
        assert isinstance(facilities, list)
        license_number = next(
            f["license_number"] for f in facilities if f["license_type"] == "Dispensary"
        )
        labels, zone = seed(database, license_number, args.packages, receipts)
        token = base64.b64encode(f"{sandbox['vendor_key']}:{sandbox['user_key']}".encode())
        headers = {"Authorization": f"Basic {token.decode()}"}
        pages = max(1, min(args.pages, receipts // 20))
        with server(database, args.workers) as base:
            print(
                f"\nreceipts: {receipts:,}  packages: {args.packages}  "
                f"database: {database.split('@')[-1]}  workers: {args.workers}  "
                f"concurrency: {args.concurrency}  seconds: {args.seconds}  "
                f"pages sampled: 1..{pages}"
            )
            common = {"headers": headers, "seconds": args.seconds, "concurrency": args.concurrency}
            print(wrk("bare endpoint (/health)", base + "/health", **common).row())
            list_path = f"/sales/v2/receipts/active?licenseNumber={license_number}&pageSize=20"
            print(
                wrk(
                    "GET /sales/v2/receipts/active (random page)",
                    base + list_path,
                    script="pages.lua",
                    script_args=[list_path, str(pages)],
                    **common,
                ).row()
            )
            if not args.only_list:
                post_path = f"/sales/v2/receipts?licenseNumber={license_number}"
                # An hour ago on the facility's clock: never in its future.
                sold = (datetime.now(UTC) - timedelta(hours=1)).astimezone(ZoneInfo(zone))
                print(
                    wrk(
                        "POST /sales/v2/receipts (10 receipts x 3 lines)",
                        base + post_path,
                        script="receipts.lua",
                        script_args=[
                            post_path,
                            labels[0][:-12],  # the labels' stem, before their 12-digit number
                            str(len(labels)),
                            sold.replace(tzinfo=None).isoformat(timespec="seconds"),
                        ],
                        after_warm_up=lambda: analyze(database, "sales_receipts"),
                        **common,
                    ).row()
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="PostgreSQL server URL (default: SQLite scratch file)")
    parser.add_argument("--receipts", type=int, action="append", help="population (repeatable)")
    parser.add_argument("--packages", type=int, default=3000, help="sellable packages to seed")
    parser.add_argument("--pages", type=int, default=50, help="sample pages 1..N of the list")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only-list", action="store_true", help="skip the receipts target")
    args = parser.parse_args()
    for receipts in args.receipts or [1_000, 1_000_000]:
        run(args, receipts)


if __name__ == "__main__":
    main()
