"""Racing sales cannot sell more of a package than it holds: 200 one-unit sales at once against
a package of 10, on real servers (two workers) on SQLite and PostgreSQL. Exactly 10 succeed,
the package ends at 0, and every refusal is a 400 naming the package."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, select

from leafledger.domain.actor import CLI
from leafledger.domain.models import Item, Location, Package, SalesReceipt, Tag
from leafledger.domain.services.facilities import create_facility
from leafledger.domain.services.identity import create_integrator, create_user, employ
from leafledger.domain.services.lookups import facility_today
from leafledger.permissions import all_permissions
from leafledger.store import Store, upgrade
from tests.race import race
from tests.servers import scratch_database, serving

LICENSE = "RACE-DSP-1"
LABEL = "RACE-SALE-PKG"
STOCK = 10
SALES = 200
# Threads released at once per wave: 200 sockets at a time would measure the machine, not
# the ledger; the waves still race two workers for one package row.
WAVE = 50


@pytest.fixture(params=["sqlite", "postgresql"])
def database(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, dict[str, str], str]]:
    """A scratch database with a dispensary, its employee, and a package of 10 units that may
    be sold; its URL, Basic headers and time zone."""
    with scratch_database(request.param, tmp_path) as url:
        store = Store(url)
        upgrade(store.engine)
        with store.transaction() as session:
            facility = create_facility(
                session, CLI, license_number=LICENSE, name="Race Shop", state_code="CO",
                license_type="Dispensary",
            )  # fmt: skip
            vendor = create_integrator(session, CLI, "Race Vendor")
            user = create_user(session, CLI, "Race User", "RACE-EMP")
            employ(session, CLI, user.holder, facility, all_permissions())
            item = Item(
                facility_id=facility.id,
                name="Pre-roll",
                category_name="Buds",
                quantity_type="CountBased",
                unit_of_measure_name="Each",
            )
            room = Location(
                facility_id=facility.id, name="Floor", location_type_name="Default",
                for_plant_batches=False, for_plants=False, for_harvests=False, for_packages=True,
            )  # fmt: skip
            tag = Tag(
                facility_id=facility.id,
                label=LABEL,
                kind="Package",
                tag_type_name="CannabisPackage",
                status="Used",
            )
            session.add_all([item, room, tag])
            session.flush()
            session.add(
                Package(
                    facility_id=facility.id,
                    label=LABEL,
                    tag_id=tag.id,
                    item_id=item.id,
                    quantity=Decimal(STOCK),
                    original_quantity=Decimal(STOCK),
                    unit_of_measure_name="Each",
                    location_id=room.id,
                    packaged_date=facility_today(facility),
                    lab_testing_state="TestPassed",
                )
            )
            zone = facility.timezone
        store.dispose()
        token = base64.b64encode(f"{vendor.key}:{user.key}".encode()).decode()
        yield url, {"Authorization": f"Basic {token}"}, zone


def _stored(url: str) -> tuple[Decimal, int]:
    store = Store(url)
    try:
        with store.read() as session:
            left = session.scalars(select(Package.quantity).where(Package.label == LABEL)).one()
            receipts = session.scalar(select(func.count()).select_from(SalesReceipt))
            return left, int(receipts or 0)
    finally:
        store.dispose()


def test_racing_sales_sell_exactly_what_the_package_holds(
    database: tuple[str, dict[str, str], str], tmp_path: Path
) -> None:
    url, headers, zone = database
    sold_at = (datetime.now(ZoneInfo(zone)) - timedelta(minutes=1)).replace(tzinfo=None)
    body = [
        {
            "SalesDateTime": sold_at.isoformat(timespec="seconds"),
            "SalesCustomerType": "Consumer",
            "Transactions": [
                {"PackageLabel": LABEL, "Quantity": 1, "UnitOfMeasure": "Each", "TotalAmount": 5}
            ],
        }
    ]
    with serving(url, tmp_path / "server.log", workers=2) as server:
        # One connection per sale, as the other race tests do: a client's pool shared by the
        # racing threads once failed a read with EBADF on the client side (not the server).
        def sell(_: int) -> httpx.Response:
            return httpx.post(
                f"{server.url}/sales/v2/receipts",
                params={"licenseNumber": LICENSE},
                json=body,
                headers=headers,
                timeout=120,
            )

        responses: list[httpx.Response] = []
        for _ in range(SALES // WAVE):
            responses += race(sell, WAVE)
    statuses = [r.status_code for r in responses]
    assert statuses.count(200) == STOCK, sorted(set(statuses))
    assert statuses.count(400) == SALES - STOCK, sorted(set(statuses))
    for refused in (r for r in responses if r.status_code == 400):
        message = str(refused.json())
        assert LABEL in message, message
    left, receipts = _stored(url)
    assert (left, receipts) == (Decimal(0), STOCK)
