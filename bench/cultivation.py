"""Cultivation load benchmark (issue 3): plant lists and plantings with a large plant population.

    python bench/cultivation.py --plants 100000
    python bench/cultivation.py --plants 100000 --database postgresql+psycopg://postgres@127.0.0.1:5432/test
    python bench/cultivation.py --plants 1000 --plants 1000000 --only-list   # latency vs size

For each population size: a scratch database, the demo sandbox, a strain, a location, a plant
batch and N vegetative plants with their tags (bulk-inserted, then analyzed and vacuumed;
seeding is not measured), then
`leafledger serve --workers N` and wrk at `--concurrency` connections on:
  - the bare endpoint of the same server (baseline),
  - GET /plants/v2/vegetative?pageNumber=<random among the first --pages>&pageSize=20,
  - POST /plantbatches/v2/plantings with 10 objects per request (unique batch names).
The plantings target analyzes plant_batches after wrk's warm-up: with autovacuum off (as on
the CI machine's PostgreSQL) the planner would otherwise go on believing the table holds one
row while it grows by thousands, and pick an index that scans every batch of the facility.
Needs `wrk` (Debian package `wrk`). Loopback only; every run is bounded by `--seconds`.
"""

from __future__ import annotations

import argparse
import base64
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from common import analyze, demo, scratch_database, server, wrk
from sqlalchemy import insert, select

from leafledger.domain.models import Facility, Location, Plant, PlantBatch, Strain, Tag
from leafledger.domain.services.plant_counts import recount
from leafledger.store import Store

STRAIN, LOCATION = "Bench Strain", "Bench Room"
CHUNK = 10_000


def seed(database: str, license_number: str, plants: int) -> None:
    """Bulk-insert a strain, a location, a batch and `plants` tagged vegetative plants."""
    store = Store(database)
    now, today = datetime.now(UTC), date.today()
    stamps = {"created_at": now, "last_modified": now}
    with store.transaction() as session:
        facility = session.scalars(
            select(Facility).where(Facility.license_number == license_number)
        ).one()
        if not facility.can("CanGrowPlants"):
            raise SystemExit(f"{license_number} cannot grow plants")
        strain = Strain(facility_id=facility.id, name=STRAIN, **stamps)
        location = Location(
            facility_id=facility.id,
            name=LOCATION,
            location_type_name="Default Location Type",
            for_plant_batches=True,
            for_plants=True,
            for_harvests=True,
            for_packages=True,
            **stamps,
        )
        session.add_all([strain, location])
        session.flush()
        batch = PlantBatch(
            facility_id=facility.id,
            name="Bench Batch",
            batch_type="Clone",
            strain_id=strain.id,
            location_id=location.id,
            untracked_count=0,
            tracked_count=plants,
            planted_date=today,
            **stamps,
        )
        session.add(batch)
        session.flush()
        ids = (facility.id, strain.id, location.id, batch.id)
    facility_id, strain_id, location_id, batch_id = ids
    prefix = f"1A4BENCH{facility_id:04d}"
    for start in range(0, plants, CHUNK):
        numbers = range(start, min(plants, start + CHUNK))
        with store.transaction() as session:
            tag_ids = session.scalars(
                insert(Tag).returning(Tag.id),
                [
                    {
                        "facility_id": facility_id,
                        "label": f"{prefix}{n:012d}",
                        "kind": "Plant",
                        "tag_type_name": "CannabisPlant",
                        "status": "Used",
                        "used_at": now,
                        **stamps,
                    }
                    for n in numbers
                ],
            ).all()
            session.execute(
                insert(Plant),
                [
                    {
                        "facility_id": facility_id,
                        "label": f"{prefix}{n:012d}",
                        "tag_id": tag_id,
                        "plant_batch_id": batch_id,
                        "strain_id": strain_id,
                        "location_id": location_id,
                        "growth_phase": "Vegetative",
                        "state": "Tracked",
                        "planted_date": today,
                        "vegetative_date": today,
                        "harvest_count": 0,
                        "is_on_hold": False,
                        **stamps,
                    }
                    for n, tag_id in zip(numbers, tag_ids, strict=True)
                ],
            )
    with store.transaction() as session:
        recount(session, facility_id)  # the bulk inserts above bypass the ORM's counting
    # Let the database settle as one that grew to this size would have: statistics gathered
    # (a bulk-loaded one has none and plans blindly) and, on PostgreSQL, the vacuum that
    # autovacuum would otherwise start in the middle of the measurements.
    settle = "VACUUM ANALYZE" if database.startswith("postgresql") else "ANALYZE"
    with store.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(settle)
    store.dispose()


def run(args: argparse.Namespace, plants: int) -> None:
    with scratch_database(args.database, Path(tempfile.mkdtemp(prefix="ll-bench-"))) as database:
        sandbox = demo(database)
        facilities = sandbox["facilities"]
        assert isinstance(facilities, list)
        license_number = next(
            f["license_number"] for f in facilities if f["license_type"] == "Cultivator"
        )
        seed(database, license_number, plants)
        token = base64.b64encode(f"{sandbox['vendor_key']}:{sandbox['user_key']}".encode())
        headers = {"Authorization": f"Basic {token.decode()}"}
        pages = max(1, min(args.pages, plants // 20))
        with server(database, args.workers) as base:
            print(
                f"\nplants: {plants:,}  database: {database.split('@')[-1]}  "
                f"workers: {args.workers}  concurrency: {args.concurrency}  "
                f"seconds: {args.seconds}  pages sampled: 1..{pages}"
            )
            common = {"headers": headers, "seconds": args.seconds, "concurrency": args.concurrency}
            print(wrk("bare endpoint (/health)", base + "/health", **common).row())
            list_path = f"/plants/v2/vegetative?licenseNumber={license_number}&pageSize=20"
            print(
                wrk(
                    "GET /plants/v2/vegetative (random page)",
                    base + list_path,
                    script="pages.lua",
                    script_args=[list_path, str(pages)],
                    **common,
                ).row()
            )
            if not args.only_list:
                # Yesterday: today in UTC may still be tomorrow at the facility (America/Denver).
                yesterday = (date.today() - timedelta(days=1)).isoformat()
                post_path = f"/plantbatches/v2/plantings?licenseNumber={license_number}"
                print(
                    wrk(
                        "POST /plantbatches/v2/plantings (10 objects)",
                        base + post_path,
                        script="plantings.lua",
                        script_args=[post_path, STRAIN, LOCATION, yesterday],
                        # The warm-up planted the first batches: statistics that know of
                        # them, as autovacuum would gather on a database that grows.
                        after_warm_up=lambda: analyze(database, "plant_batches"),
                        **common,
                    ).row()
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="PostgreSQL server URL (default: SQLite scratch file)")
    parser.add_argument("--plants", type=int, action="append", help="population (repeatable)")
    parser.add_argument("--pages", type=int, default=50, help="sample pages 1..N of the list")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only-list", action="store_true", help="skip the plantings target")
    args = parser.parse_args()
    for plants in args.plants or [100_000]:
        run(args, plants)


if __name__ == "__main__":
    main()
