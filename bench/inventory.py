"""Inventory benchmark (issue 10): package writes, the active list at any size, and the recall.

    python bench/inventory.py --packages 1000 --packages 1000000
    python bench/inventory.py --packages 1000 --database postgresql+psycopg://postgres@127.0.0.1:5432/test
    python bench/inventory.py --packages 1000 --genealogy 2000 --seconds 3   # a quick try

For each population size: a scratch database, the demo sandbox, an item, a room, N active
packages with their tags (bulk-inserted), a genealogy of about --genealogy nodes (a harvest
of --plants plants, 100 packages drawn from it, each split into the rest, evenly), tags and
source packages for the writes (seeding is not measured; the database is analyzed, and on
PostgreSQL vacuumed, as one grown to this size would be), then `leafledger serve --workers
N` and wrk at `--concurrency` connections on:
  - the bare endpoint of the same server (baseline),
  - GET /packages/v2/active?pageNumber=<random among the first --pages>&pageSize=20,
  - GET /leafledger/v1/recall/harvests/{id}: every package of the genealogy, at two
    connections (and 40 calls one at a time after 6 untimed ones, timed by curl: best
    and median, and the answer's size),
  - POST /packages/v2/ with 10 objects per request (packages from packages, 1 g each, with
    tags no other request uses; bench/wrk/packages.lua).
Needs `wrk` (Debian package `wrk`). Loopback only; every run is bounded by `--seconds`.
"""

from __future__ import annotations

import argparse
import base64
import shutil
import subprocess
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from common import demo, scratch_database, server, wrk
from sqlalchemy import insert, select

from leafledger.domain.models import (
    Facility,
    Harvest,
    HarvestPlant,
    Item,
    Location,
    Package,
    PackageSource,
    Plant,
    PlantBatch,
    Strain,
    Tag,
)
from leafledger.domain.services.package_counts import recount
from leafledger.store import Store

ITEM, LOCATION, STRAIN = "Bench Buds", "Bench Room", "Bench Strain"
CHUNK = 10_000
SLOTS = 8  # wrk threads (2) x runs (warm-up, measured) x spare
ROOTS = 100  # packages drawn straight from the harvest


class Seeder:
    """Bulk inserts into one facility, with tags of one prefix numbered in sequence."""

    def __init__(self, database: str, license_number: str) -> None:
        self.store = Store(database)
        # Packaged a week ago: a package made from one may not be dated before it.
        self.now, self.today = datetime.now(UTC), date.today() - timedelta(days=7)
        self.stamps = {"created_at": self.now, "last_modified": self.now}
        with self.store.transaction() as session:
            facility = session.scalars(
                select(Facility).where(Facility.license_number == license_number)
            ).one()
            strain = Strain(facility_id=facility.id, name=STRAIN, **self.stamps)
            location = Location(
                facility_id=facility.id,
                name=LOCATION,
                location_type_name="Default Location Type",
                for_plant_batches=True,
                for_plants=True,
                for_harvests=True,
                for_packages=True,
                **self.stamps,
            )
            session.add_all([strain, location])
            session.flush()
            item = Item(
                facility_id=facility.id,
                name=ITEM,
                category_name="Buds",
                quantity_type="WeightBased",
                unit_of_measure_name="Grams",
                strain_id=strain.id,
                **self.stamps,
            )
            session.add(item)
            session.flush()
            self.facility_id, self.strain_id = facility.id, strain.id
            self.location_id, self.item_id = location.id, item.id
        self.prefix = f"1A4INV{self.facility_id:04d}"

    def tags(
        self, session: Any, labels: list[str], kind: str = "Package", used: bool = True
    ) -> list[int]:
        rows = [
            {
                "facility_id": self.facility_id,
                "label": label,
                "kind": kind,
                "tag_type_name": f"Cannabis{kind}",
                "status": "Used" if used else "Available",
                "used_at": self.now if used else None,
                **self.stamps,
            }
            for label in labels
        ]
        return list(session.scalars(insert(Tag).returning(Tag.id), rows).all())

    def packages(self, labels: list[str], quantity: Decimal) -> list[int]:
        ids: list[int] = []
        for start in range(0, len(labels), CHUNK):
            part = labels[start : start + CHUNK]
            with self.store.transaction() as session:
                tag_ids = self.tags(session, part)
                ids += session.scalars(
                    insert(Package).returning(Package.id),
                    [
                        {
                            "facility_id": self.facility_id,
                            "label": label,
                            "tag_id": tag_id,
                            "item_id": self.item_id,
                            "package_type": "Product",
                            "quantity": quantity,
                            "original_quantity": quantity,
                            "unit_of_measure_name": "Grams",
                            "location_id": self.location_id,
                            "packaged_date": self.today,
                            **self.stamps,
                        }
                        for label, tag_id in zip(part, tag_ids, strict=True)
                    ],
                ).all()
        return ids

    def sources(self, rows: list[dict[str, Any]]) -> None:
        for start in range(0, len(rows), CHUNK):
            with self.store.transaction() as session:
                session.execute(
                    insert(PackageSource),
                    [
                        {
                            "facility_id": self.facility_id,
                            "unit_of_measure_name": "Grams",
                            **row,
                            **self.stamps,
                        }
                        for row in rows[start : start + CHUNK]
                    ],
                )

    def genealogy(self, nodes: int, plants: int) -> int:
        """A harvest of `plants` plants, ROOTS packages drawn from it and the rest of `nodes`
        split from those, evenly; the harvest's id."""
        with self.store.transaction() as session:
            batch = PlantBatch(
                facility_id=self.facility_id, name="Bench Batch", batch_type="Clone",
                strain_id=self.strain_id, location_id=self.location_id, untracked_count=0,
                tracked_count=plants, planted_date=self.today, active=False, **self.stamps,
            )  # fmt: skip
            harvest = Harvest(
                facility_id=self.facility_id, name="Bench Harvest", harvest_type="WholePlant",
                drying_location_id=self.location_id, unit_of_weight_name="Grams",
                total_wet_weight=Decimal(plants * 1000), current_weight=Decimal(plants * 1000),
                plant_count=plants, harvest_start_date=self.today, **self.stamps,
            )  # fmt: skip
            session.add_all([batch, harvest])
            session.flush()
            labels = [f"{self.prefix}P{n:09d}" for n in range(plants)]
            tag_ids = self.tags(session, labels, "Plant")
            plant_ids = session.scalars(
                insert(Plant).returning(Plant.id),
                [
                    {
                        "facility_id": self.facility_id,
                        "label": label,
                        "tag_id": tag_id,
                        "plant_batch_id": batch.id,
                        "strain_id": self.strain_id,
                        "location_id": self.location_id,
                        "growth_phase": "Flowering",
                        "state": "HarvestedFully",
                        "planted_date": self.today,
                        "harvest_count": 1,
                        "is_on_hold": False,
                        **self.stamps,
                    }
                    for label, tag_id in zip(labels, tag_ids, strict=True)
                ],
            ).all()
            session.execute(
                insert(HarvestPlant),
                [
                    {
                        "facility_id": self.facility_id,
                        "harvest_id": harvest.id,
                        "plant_id": plant_id,
                        "wet_weight": Decimal(1000),
                        "harvested_date": self.today,
                        **self.stamps,
                    }
                    for plant_id in plant_ids
                ],
            )
            harvest_id = harvest.id
        roots = min(ROOTS, nodes)
        root_ids = self.packages([f"{self.prefix}G{n:09d}" for n in range(roots)], Decimal(100))
        self.sources(
            [
                {"package_id": p, "source_harvest_id": harvest_id, "quantity": Decimal(100)}
                for p in root_ids
            ]
        )
        children = max(0, nodes - roots - plants - 3)
        child_ids = self.packages(
            [f"{self.prefix}C{n:09d}" for n in range(children)], Decimal("0.01")
        )
        self.sources(
            [
                {
                    "package_id": child,
                    "source_package_id": root_ids[n % roots],
                    "quantity": Decimal("0.01"),
                }
                for n, child in enumerate(child_ids)
            ]
        )
        return harvest_id

    def for_writes(self, tags_per_slot: int) -> None:
        """`tags_per_slot` available tags and one large source package per wrk slot."""
        sources = self.packages(
            [f"{self.prefix}W-SRC{slot:02d}" for slot in range(SLOTS)], Decimal(10**9)
        )
        assert len(sources) == SLOTS
        for slot in range(SLOTS):
            labels = [f"{self.prefix}W{slot:02d}{n:09d}" for n in range(tags_per_slot)]
            for start in range(0, len(labels), CHUNK):
                with self.store.transaction() as session:
                    self.tags(session, labels[start : start + CHUNK], used=False)

    def recount(self) -> None:
        with self.store.transaction() as session:
            recount(session, self.facility_id)  # the bulk inserts above bypass the ORM's counting

    def settle(self, database: str) -> None:
        settle = "VACUUM ANALYZE" if database.startswith("postgresql") else "ANALYZE"
        with self.store.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(settle)
        self.store.dispose()


def run(args: argparse.Namespace, packages: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="ll-bench-"))
    with scratch_database(args.database, workdir) as database:
        sandbox = demo(database)
        facilities = sandbox["facilities"]
        assert isinstance(facilities, list)
        license_number = next(
            f["license_number"] for f in facilities if f["license_type"] == "Cultivator"
        )
        started = time.monotonic()
        seeder = Seeder(database, license_number)
        seeder.packages([f"{seeder.prefix}A{n:09d}" for n in range(packages)], Decimal(10))
        harvest_id = seeder.genealogy(args.genealogy, args.plants)
        seeder.for_writes(args.tags_per_slot)
        seeder.recount()
        prefix = seeder.prefix + "W"
        seeder.settle(database)
        seeded = time.monotonic() - started
        token = base64.b64encode(f"{sandbox['vendor_key']}:{sandbox['user_key']}".encode())
        headers = {"Authorization": f"Basic {token.decode()}"}
        pages = max(1, min(args.pages, packages // 20))
        slotfile = workdir / "slot"
        slotfile.write_text("0\n")
        with server(database, args.workers) as base:
            print(
                f"\npackages: {packages:,} (+ a genealogy of ~{args.genealogy:,} nodes)  "
                f"database: {database.split('@')[-1]}  workers: {args.workers}  "
                f"concurrency: {args.concurrency}  seconds: {args.seconds}  "
                f"pages sampled: 1..{pages}  seeded in {seeded:.0f} s"
            )
            common = {"headers": headers, "seconds": args.seconds, "concurrency": args.concurrency}
            print(wrk("bare endpoint (/health)", base + "/health", **common).row())
            list_path = f"/packages/v2/active?licenseNumber={license_number}&pageSize=20"
            print(
                wrk(
                    "GET /packages/v2/active (random page)",
                    base + list_path,
                    script="pages.lua",
                    script_args=[list_path, str(pages)],
                    **common,
                ).row()
            )
            recall_path = (
                f"/leafledger/v1/recall/harvests/{harvest_id}?licenseNumber={license_number}"
            )
            for _ in range(WARM_UP):  # each worker's first recalls prepare its statements
                recall_time(base + recall_path, headers)
            timings = [recall_time(base + recall_path, headers) for _ in range(RECALLS)]
            answer = httpx.get(base + recall_path, headers=headers, timeout=60)
            assert answer.status_code == 200, answer.text
            found = answer.json()
            ordered = sorted(timings)
            print(
                f"{f'recall alone (best / median of {RECALLS})':<48} {ordered[0]:9.1f} ms  "
                f"{ordered[len(ordered) // 2]:.1f} ms  {found['PackageCount']:,} packages, "
                f"{len(answer.content) / 1e6:.1f} MB"
            )
            # Two connections (one per wrk thread): a recall answers megabytes, and a queue
            # of them only measures the queue (wrk gives up on a request after 2 s).
            recall = {**common, "concurrency": 2}
            print(
                wrk("GET /leafledger/v1/recall/harvests/{id}", base + recall_path, **recall).row()
            )
            yesterday = (date.today() - timedelta(days=1)).isoformat()
            post_path = f"/packages/v2/?licenseNumber={license_number}"
            print(
                wrk(
                    "POST /packages/v2/ (10 objects)",
                    base + post_path,
                    script="packages.lua",
                    script_args=[post_path, prefix, ITEM, LOCATION, yesterday, str(slotfile)],
                    **common,
                ).row()
            )


RECALLS = 40  # one at a time, after WARM_UP untimed ones
WARM_UP = 6


def recall_time(url: str, headers: dict[str, str]) -> float:
    """One recall's time in ms, as curl measures it (request sent to the last byte read; curl
    reads the 2 MB in C, where a Python client would add its own parsing), else by httpx."""
    if shutil.which("curl"):
        command = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", url]
        for key, value in headers.items():
            command += ["-H", f"{key}: {value}"]
        status, seconds = subprocess.run(
            command, check=True, capture_output=True, text=True
        ).stdout.split()
        assert status == "200", status
        return float(seconds) * 1000
    began = time.perf_counter()
    answer = httpx.get(url, headers=headers, timeout=60)
    assert answer.status_code == 200, answer.text
    return (time.perf_counter() - began) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="PostgreSQL server URL (default: SQLite scratch file)")
    parser.add_argument(
        "--packages", type=int, action="append", help="active packages (repeatable)"
    )
    parser.add_argument("--genealogy", type=int, default=10_000, help="nodes of the recalled tree")
    parser.add_argument("--plants", type=int, default=20, help="plants of the recalled harvest")
    parser.add_argument("--tags-per-slot", type=int, default=20_000, help="tags per wrk thread run")
    parser.add_argument("--pages", type=int, default=50, help="sample pages 1..N of the list")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    for packages in args.packages or [1_000, 1_000_000]:
        run(args, packages)


if __name__ == "__main__":
    main()
