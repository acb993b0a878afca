"""Distribution benchmark (issue 12): a 100-package transfer registered, departed, printed and
received, and its PDF manifest.

    python bench/distribution.py
    python bench/distribution.py --packages 100 --repetitions 5 [--database postgresql+psycopg://postgres@127.0.0.1:5432/test]

A scratch database and the demo sandbox; the sandbox's cultivator ships to its dispensary,
carried by its distributor (a driver and a vehicle on record). For each repetition, `--packages`
tested packages are bulk-inserted at the cultivator (seeding is not measured), then, against
`leafledger serve --workers N`, one request each, timed from the client:

  - POST /leafledger/v1/transfers            register (one destination, every package),
  - POST /leafledger/v1/transfers/{id}/depart
  - GET  /transfers/v2/manifest/{id}/pdf     the PDF manifest (target: under one second),
  - GET  /transfers/v2/manifest/{id}/html
  - POST /leafledger/v1/transfers/{id}/receive  every package accepted (one 0.5 g short).

It prints min / median / max of each over the repetitions, the PDF's size and pages, and the
time to render the PDF alone (documents/manifest.py, in this process, from the read model).
Loopback only; sequential requests (these are single-user operations).
"""

from __future__ import annotations

import argparse
import base64
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from common import demo, scratch_database, server
from sqlalchemy import insert, select

from leafledger.documents.manifest import render_pdf
from leafledger.domain.models import Facility, Item, Location, Package, Tag
from leafledger.domain.queries.manifests import manifest_for
from leafledger.store import Store

ROOM = "Bench Vault"


def seed_packages(database: str, license_number: str, count: int) -> list[str]:
    """`count` tested packages of 100 g at the facility, bulk-inserted; their labels."""
    store = Store(database)
    now, today = datetime.now(UTC), date.today() - timedelta(days=1)
    stamps = {"created_at": now, "last_modified": now}
    run = uuid.uuid4().hex[:8].upper()
    with store.transaction() as session:
        facility = session.scalars(
            select(Facility).where(Facility.license_number == license_number)
        ).one()
        room = session.scalars(
            select(Location).where(Location.facility_id == facility.id, Location.name == ROOM)
        ).first()
        if room is None:
            room = Location(
                facility_id=facility.id,
                name=ROOM,
                location_type_name="Default Location Type",
                for_plant_batches=False,
                for_plants=False,
                for_harvests=False,
                for_packages=True,
                **stamps,
            )
            session.add(room)
        item = Item(
            facility_id=facility.id,
            name=f"Bench Pre-Roll {run}",
            category_name="Buds",
            quantity_type="WeightBased",
            unit_of_measure_name="Grams",
        )
        session.add(item)
        session.flush()
        ids = (facility.id, room.id, item.id)
    facility_id, room_id, item_id = ids
    labels = [f"1A4BENCH{run}{n:08d}" for n in range(count)]
    with store.transaction() as session:
        tag_ids = session.scalars(
            insert(Tag).returning(Tag.id),
            [
                {
                    "facility_id": facility_id,
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
        session.execute(
            insert(Package),
            [
                {
                    "facility_id": facility_id,
                    "label": label,
                    "tag_id": tag_id,
                    "item_id": item_id,
                    "package_type": "Product",
                    "quantity": Decimal(100),
                    "original_quantity": Decimal(100),
                    "unit_of_measure_name": "Grams",
                    "location_id": room_id,
                    "packaged_date": today,
                    "lab_testing_state": "TestPassed",
                    **stamps,
                }
                for label, tag_id in zip(labels, tag_ids, strict=True)
            ],
        )
    store.dispose()
    return labels


class Client:
    def __init__(self, base: str, headers: dict[str, str]) -> None:
        self.http = httpx.Client(base_url=base, headers=headers, timeout=120.0)

    def call(self, method: str, path: str, licence: str, body: Any = None) -> httpx.Response:
        response = self.http.request(method, path, params={"licenseNumber": licence}, json=body)
        if response.status_code != 200:
            raise SystemExit(f"{method} {path}: {response.status_code} {response.text[:500]}")
        return response


def timed(action: Callable[[], httpx.Response]) -> tuple[float, httpx.Response]:
    start = time.perf_counter()
    response = action()
    return (time.perf_counter() - start) * 1000, response


def run(args: argparse.Namespace) -> None:
    with scratch_database(args.database, Path(tempfile.mkdtemp(prefix="ll-bench-"))) as database:
        sandbox = demo(database)
        facilities = sandbox["facilities"]
        assert isinstance(facilities, list)
        licence = {f["license_type"]: f["license_number"] for f in facilities}
        grower, shop, carrier = licence["Cultivator"], licence["Dispensary"], licence["Distributor"]
        token = base64.b64encode(f"{sandbox['vendor_key']}:{sandbox['user_key']}".encode())
        headers = {"Authorization": f"Basic {token.decode()}"}
        batches = [seed_packages(database, grower, args.packages) for _ in range(args.repetitions)]
        times: dict[str, list[float]] = {}
        pdf_bytes, pdf_pages, last_transfer = 0, 0, 0
        with server(database, args.workers) as base:
            api = Client(base, headers)
            api.call(
                "POST",
                "/transporters/v2/drivers",
                carrier,
                [{"Name": "Bench Driver", "EmployeeId": "EMP-B", "DriversLicenseNumber": "DL-B"}],
            )
            api.call(
                "POST",
                "/transporters/v2/vehicles",
                carrier,
                [{"Make": "Volvo", "Model": "FH16", "LicensePlateNumber": "PLATE-B"}],
            )
            print(
                f"\npackages per transfer: {args.packages}  repetitions: {args.repetitions}  "
                f"database: {database.split('@')[-1]}  workers: {args.workers}"
            )
            for labels in batches:
                destination = {
                    "RecipientLicenseNumber": shop,
                    "TransferTypeName": "Transfer",
                    "PlannedRoute": "Bench route",
                    "EstimatedDepartureDateTime": datetime.now(UTC).isoformat(),
                    "EstimatedArrivalDateTime": (
                        datetime.now(UTC) + timedelta(hours=2)
                    ).isoformat(),
                    "Transporters": [
                        {
                            "TransporterFacilityLicenseNumber": carrier,
                            "DriverLicenseNumber": "DL-B",
                            "VehicleLicensePlateNumber": "PLATE-B",
                        }
                    ],
                    "Packages": [{"PackageLabel": label} for label in labels],
                }
                spent, made = timed(
                    lambda d=destination: api.call(  # type: ignore[misc]
                        "POST", "/leafledger/v1/transfers", grower, [{"Destinations": [d]}]
                    )
                )
                transfer_id = int(made.json()["Ids"][0])
                times.setdefault("register", []).append(spent)
                own, manifest = f"/leafledger/v1/transfers/{transfer_id}", "/transfers/v2/manifest"
                steps: list[tuple[str, str, str, str, Any]] = [
                    ("depart", "POST", f"{own}/depart", grower, None),
                    ("PDF manifest", "GET", f"{manifest}/{transfer_id}/pdf", grower, None),
                    ("HTML manifest", "GET", f"{manifest}/{transfer_id}/html", grower, None),
                    (
                        "receive",
                        "POST",
                        f"{own}/receive",
                        shop,
                        {
                            "Packages": [
                                {
                                    "PackageLabel": label,
                                    "ShipmentPackageState": "Accepted",
                                    "ReceivedQuantity": "99.5" if n == 0 else "100",
                                    "ReceivedUnitOfMeasureName": "Grams",
                                }
                                for n, label in enumerate(labels)
                            ]
                        },
                    ),
                ]  # fmt: skip
                for name, method, path, party, body in steps:
                    spent, answer = timed(
                        lambda m=method, p=path, who=party, b=body: api.call(m, p, who, b)  # type: ignore[misc]
                    )
                    times.setdefault(name, []).append(spent)
                    if name == "PDF manifest":
                        pdf_bytes = len(answer.content)
                        pdf_pages = answer.content.count(b"/Type /Page\n")
                last_transfer = transfer_id
        print(f"{'operation':<20} {'min ms':>9} {'median ms':>10} {'max ms':>9}")
        for name, spent in times.items():
            print(
                f"{name:<20} {min(spent):9.1f} {statistics.median(spent):10.1f} {max(spent):9.1f}"
            )
        print(f"PDF manifest: {pdf_bytes:,} bytes, {pdf_pages} page(s)")
        store = Store(database)
        with store.read() as session:
            grower_id = session.scalars(
                select(Facility.id).where(Facility.license_number == grower)
            ).one()
            found = manifest_for(session, last_transfer, grower_id)
        assert found is not None
        rendering = []
        for _ in range(args.repetitions):
            start = time.perf_counter()
            render_pdf(found)
            rendering.append((time.perf_counter() - start) * 1000)
        store.dispose()
        print(
            f"render_pdf alone ({len(found.packages)} packages): "
            f"median {statistics.median(rendering):.1f} ms, min {min(rendering):.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="PostgreSQL server URL (default: SQLite scratch file)")
    parser.add_argument("--packages", type=int, default=100, help="packages per transfer")
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--workers", type=int, default=1)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
