"""Racing clients cannot take more from a source package, or package more from a processing
job, than it holds: real servers (two workers) on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from leafledger.domain.actor import CLI
from leafledger.domain.models import Item, Location, Package, ProcessingJob, Tag
from leafledger.domain.services.facilities import create_facility
from leafledger.domain.services.identity import create_integrator, create_user, employ
from leafledger.domain.services.lookups import facility_today
from leafledger.permissions import all_permissions
from leafledger.store import Store, upgrade
from tests.race import race
from tests.servers import scratch_database, serving

LICENSE = "RACE-MFG-1"
CLIENTS = 8


@pytest.fixture(params=["sqlite", "postgresql"])
def database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, dict[str, str]]]:
    """A scratch database with a manufacturer, its employee, an item, a room, a package of
    100 g and package tags; its URL and Basic headers."""
    with scratch_database(request.param, tmp_path) as url:
        store = Store(url)
        upgrade(store.engine)
        with store.transaction() as session:
            facility = create_facility(
                session, CLI, license_number=LICENSE, name="Race", state_code="CO",
                license_type="Manufacturer",
            )  # fmt: skip
            vendor = create_integrator(session, CLI, "Race Vendor")
            user = create_user(session, CLI, "Race User", "RACE-EMP")
            employ(session, CLI, user.holder, facility, all_permissions())
            item = Item(
                facility_id=facility.id,
                name="Oil",
                category_name="Concentrate",
                quantity_type="WeightBased",
                unit_of_measure_name="Grams",
            )
            room = Location(
                facility_id=facility.id,
                name="Lab",
                location_type_name="Default",
                for_plant_batches=False,
                for_plants=False,
                for_harvests=False,
                for_packages=True,
            )
            tags = [
                Tag(
                    facility_id=facility.id,
                    label=f"RACE-TAG-{n:02d}",
                    kind="Package",
                    tag_type_name="CannabisPackage",
                    status="Used" if n == 0 else "Available",
                )
                for n in range(CLIENTS + 1)
            ]
            session.add_all([item, room, *tags])
            session.flush()
            session.add(
                Package(
                    facility_id=facility.id,
                    label=tags[0].label,
                    tag_id=tags[0].id,
                    item_id=item.id,
                    quantity=Decimal(100),
                    original_quantity=Decimal(100),
                    unit_of_measure_name="Grams",
                    location_id=room.id,
                    packaged_date=facility_today(facility),
                )
            )
        store.dispose()
        token = base64.b64encode(f"{vendor.key}:{user.key}".encode()).decode()
        yield url, {"Authorization": f"Basic {token}"}


def _stored(url: str) -> tuple[Decimal, list[tuple[Decimal, Decimal]]]:
    """The source package's quantity, and each job's (taken in, packaged) weight."""
    store = Store(url)
    try:
        with store.read() as session:
            source = session.scalars(select(Package.quantity).where(Package.label == "RACE-TAG-00"))
            jobs = session.execute(
                select(ProcessingJob.consumed_weight, ProcessingJob.packaged_weight)
            ).all()
            return source.one(), [(taken, packaged) for taken, packaged in jobs]
    finally:
        store.dispose()


def _refusals(responses: list[httpx.Response]) -> list[int]:
    return sorted(r.status_code for r in responses)


def test_racing_starts_and_packaging_never_overdraw(
    database: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    url, headers = database
    with serving(url, tmp_path / "server.log", workers=2) as server:

        def send(method: str, path: str, body: list[dict[str, object]]) -> httpx.Response:
            return httpx.request(
                method,
                f"{server.url}{path}",
                params={"licenseNumber": LICENSE},
                json=body,
                headers=headers,
                timeout=30,
            )

        made = send(
            "POST", "/processing/v2/jobtypes", [{"Name": "Extract", "Category": "Extraction"}]
        )
        assert made.status_code == 200, made.text

        def start(i: int) -> httpx.Response:
            line = {"Label": "RACE-TAG-00", "Quantity": 60, "UnitOfMeasure": "Grams"}
            return send(
                "POST",
                "/processing/v2/start",
                [{"JobName": f"Job {i}", "JobType": "Extract", "Packages": [line]}],
            )

        started = race(start, CLIENTS)
        assert _refusals(started) == [200] + [400] * (CLIENTS - 1), [r.text for r in started]
        [job_name] = [f"Job {i}" for i, r in enumerate(started) if r.status_code == 200]

        def package(i: int) -> httpx.Response:
            tag = f"RACE-TAG-{i + 1:02d}"
            body = {
                "JobName": job_name,
                "Tag": tag,
                "Item": "Oil",
                "Quantity": 40,
                "UnitOfMeasure": "Grams",
            }
            return send("POST", "/processing/v2/createpackages", [body])

        packaged = race(package, CLIENTS)
        assert _refusals(packaged) == [200] + [400] * (CLIENTS - 1), [r.text for r in packaged]
    for refused in (r for r in [*started, *packaged] if r.status_code == 400):
        message = str(refused.json())
        assert "exceeds the quantity" in message or "is more than" in message, message
    assert _stored(url) == (Decimal(40), [(Decimal(60), Decimal(40))])
