"""Distribution end to end through the HTTP API, once with the v2 rows and once with the v1
ones where Metrc has them (hubs are v2 only; registering, departing and receiving are
leafledger's extension, the same for both).

A cultivator harvests 1000 g and packages 600 g of it into three packages (300, 200, 100 g),
which pass their lab tests (set in the ledger: lab results are another part of the project).
It ships them, from a template, to a distributor, which receives them in full and ships them
on to a dispensary, by way of a hub. The hub arrives, checks in, checks out and departs the
delivery, each step in its turn. The dispensary receives one package 0.5 g short, rejects
one (back at the distributor) and accepts the third, then makes a package of its own from a
received one, and sells from another (when this tree serves sales). Every quantity, state and
genealogy link is checked along the way: nothing is created or lost, and the dispensary's
packages still name the cultivator's harvest. The same transfers read through the Trace
dialect, and through the PDF manifest, as what the Metrc rows say.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select

from leafledger.domain.models import Package, PackageShipment
from leafledger.domain.queries.recall_sales import SaleHit, sales_of
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger, unique
from tests.metrc.test_harvests import harvest_into
from tests.metrc.test_packages import ingredient, package_body
from tests.metrc.test_sales import now_at
from tests.package_counts import assert_package_counts_kept
from tests.trace.conftest import TraceAccess, TraceClient
from tests.transfers import Party, Shipping, accept, package_row, reject

WRITES = {
    "v2": {
        "packages": "/harvests/v2/packages",
        "templates": "/transfers/v2/templates/outgoing",
    },
    "v1": {
        "packages": "/harvests/v1/create/packages",
        "templates": "/transfers/v1/templates",
    },
}


def _records(body: Any) -> list[dict[str, Any]]:
    return body["Data"] if isinstance(body, dict) else body  # type: ignore[no-any-return]


def _number(value: Any) -> Decimal:
    return Decimal(str(value))


def read(party: Party, version: str, path: str) -> list[dict[str, Any]]:
    """Every record of a list of `version` ({v} in the path)."""
    return _records(party.api.ok("GET", path.replace("{v}", version)))


def quantities(party: Party) -> dict[str, Decimal]:
    active = party.api.ok("GET", "/packages/v2/active")["Data"]
    return {p["Label"]: _number(p["Quantity"]) for p in active}


def passed_lab_tests(store: Store, labels: list[str]) -> None:
    with store.transaction() as session:
        for package in session.scalars(select(Package).where(Package.label.in_(labels))):
            package.lab_testing_state = "TestPassed"


@pytest.mark.parametrize("version", ["v2", "v1"])
def test_cultivator_to_distributor_to_dispensary_through_a_hub(
    client: TestClient, demo: DemoAccess, ledger: Ledger, store: Store, version: str
) -> None:
    ship = Shipping.start(client, demo, ledger, store)
    grower, grow = ship.shipper, ship.grow
    distributor = ship.carrier("Distributor")
    hub = ship.carrier("Distributor")
    shop = ship.party("Dispensary")
    write = WRITES[version]

    # 1. The cultivator's packages, from one harvest.
    harvest_name = unique("Harvest")
    harvest = harvest_into(grower.api, grow, ["600", "400"], harvest_name)
    item, tags = grow.item(), grow.package_tags(3)
    body = [
        package_body(grow, tag, item, "Grams", [ingredient(harvest, weight)])
        for tag, weight in zip(tags, (300, 200, 100), strict=True)
    ]
    grower.api.ok("POST", write["packages"], body)
    passed_lab_tests(store, tags)
    assert quantities(grower) == {tags[0]: 300, tags[1]: 200, tags[2]: 100}
    assert_package_counts_kept(store)  # created

    # 2. To the distributor, from a template, carried by the distributor itself.
    first_leg = Shipping.destination(distributor, tags, [distributor.leg()])
    grower.api.ok(
        "POST", write["templates"], [{"Name": unique("Weekly"), "Destinations": [first_leg]}]
    )
    (template,) = read(grower, version, write["templates"])  # the same path lists them
    first = grower.api.ok(
        "POST", "/leafledger/v1/transfers", [{"TransferTemplateId": template["Id"]}]
    )["Ids"][0]
    ship.depart(first)
    assert quantities(grower) == {}
    assert {p["Label"] for p in grower.api.ok("GET", "/packages/v2/intransit")["Data"]} == set(tags)
    assert_package_counts_kept(store)  # departed: in transit
    (outgoing,) = read(grower, version, "/transfers/{v}/outgoing")
    assert (outgoing["Id"], outgoing["OriginatingTemplateId"], outgoing["PackageCount"]) == (
        first,
        template["Id"],
        3,
    )
    (arriving,) = read(distributor, version, "/transfers/{v}/incoming")
    assert arriving["ShipperFacilityLicenseNumber"] == grower.license
    response = ship.receive(
        distributor, first, *(accept(tag, q) for tag, q in zip(tags, (300, 200, 100), strict=True))
    )
    assert response.status_code == 200, response.text
    assert quantities(distributor) == {tags[0]: 300, tags[1]: 200, tags[2]: 100}
    assert_package_counts_kept(store)  # received: transferred, the receiver's

    # 3. On to the dispensary, laying over at the hub.
    second_leg = Shipping.destination(
        shop, tags, [hub.leg(layover=True, DriverLayoverLeg="ToLayover")]
    )
    second = ship.register(second_leg, by=distributor)
    ship.depart(second, by=distributor)
    assert quantities(distributor) == {}
    assert_package_counts_kept(store)  # departed again
    (delivery,) = read(distributor, version, f"/transfers/{{v}}/{second}/deliveries")
    delivery_id = delivery["Id"]
    for step, too_early in (
        ("arrive", "checkin"),
        ("checkin", "checkout"),
        ("checkout", "depart"),
        ("depart", None),
    ):
        if too_early is not None:
            assert Shipping.hub_step(hub, too_early, delivery_id).status_code == 400
        assert Shipping.hub_step(hub, step, delivery_id).status_code == 200
    (stop,) = hub.api.ok("GET", "/transfers/v2/hub")["Data"]
    assert stop["TransporterActualDepartureDateTime"] is not None

    # 4. The dispensary receives: one short, one rejected, one whole.
    response = ship.receive(
        shop,
        second,
        accept(tags[0], "299.5"),
        reject(tags[1], "Broken seal"),
        accept(tags[2], "100"),
    )
    assert response.status_code == 200, response.text
    assert quantities(shop) == {tags[0]: Decimal("299.5"), tags[2]: 100}
    assert quantities(distributor) == {tags[1]: 200}  # the rejected one, back at its shipper
    assert quantities(grower) == {}
    assert_package_counts_kept(store)  # accepted, short, rejected (back at its shipper)
    (rejected,) = read(distributor, version, "/transfers/{v}/rejected")
    assert (rejected["Id"], rejected["DeliveryId"]) == (second, delivery_id)
    lines = {
        p["PackageLabel"]: p
        for p in read(shop, version, f"/transfers/{{v}}/deliveries/{delivery_id}/packages")
    }
    assert {label: line["ShipmentPackageState"] for label, line in lines.items()} == {
        tags[0]: "Accepted",
        tags[1]: "Rejected",
        tags[2]: "Accepted",
    }
    assert _number(lines[tags[0]]["ReceivedQuantity"]) == Decimal("299.5")
    assert {
        t["PackageLabel"]: t["ShipmentPackageStateName"]
        for t in grower.api.ok("GET", "/packages/v2/transferred")["Data"]
    } == dict.fromkeys(tags, "Accepted")

    # 5. Nothing created or lost: every shipment balances, and the 600 g are all accounted for.
    with store.read() as session:
        shipments = list(
            session.scalars(
                select(PackageShipment).where(
                    PackageShipment.package_id.in_([package_row(store, t).id for t in tags])
                )
            )
        )
    shortage = Decimal(0)
    for line in shipments:
        if line.state == "Accepted":
            assert line.shipped_quantity == line.received_quantity + line.shortage
            shortage += line.shortage
    assert len(shipments) == 6 and shortage == Decimal("0.5")
    held = sum(quantities(shop).values()) + sum(quantities(distributor).values())
    assert held + shortage == 600

    # 6. Genealogy runs through both transfers, and on into what the dispensary makes.
    received = {p["Label"]: p for p in shop.api.ok("GET", "/packages/v2/active")["Data"]}
    assert received[tags[0]]["SourceHarvestNames"] == harvest_name
    roots = shop.api.ok("GET", f"/packages/v2/{received[tags[0]]['Id']}/source/harvests")
    assert [(r["Name"], r["HarvestedByFacilityLicenseNumber"]) for r in _records(roots)] == [
        (harvest_name, grower.license)
    ]
    (shop_tag,) = shop.api.ok(
        "POST", "/sandbox/v2/facility/tags", {"TagType": "Marijuana Package", "Count": 1}
    )["Labels"]
    made = {
        "Tag": shop_tag,
        "UseSameItem": True,
        "Quantity": 10,
        "UnitOfMeasure": "Grams",
        "ActualDate": grow.today,
        "Ingredients": [{"Package": tags[0], "Quantity": 10, "UnitOfMeasure": "Grams"}],
    }
    shop.api.ok("POST", "/packages/v2/", [made])
    mine = {p["Label"]: p for p in shop.api.ok("GET", "/packages/v2/active")["Data"]}
    assert (mine[shop_tag]["SourcePackageLabels"], mine[shop_tag]["SourceHarvestNames"]) == (
        tags[0],
        harvest_name,
    )
    assert _number(mine[tags[0]]["Quantity"]) == Decimal("289.5")
    assert_package_counts_kept(store)  # a package made from a received one

    # 7. The dispensary sells from a received package.
    sale = shop.api.call(
        "POST",
        "/sales/v2/receipts",
        [
            {
                "SalesDateTime": now_at(shop.facility),
                "SalesCustomerType": "Consumer",
                "Transactions": [
                    {
                        "PackageLabel": tags[2],
                        "Quantity": 1,
                        "UnitOfMeasure": "Grams",
                        "TotalAmount": 10,
                    }
                ],
            }
        ],
    )
    assert sale.status_code == 200, sale.text
    assert quantities(shop)[tags[2]] == 99
    assert_package_counts_kept(store)  # a sale that does not finish the package
    # The cultivator's recall of its harvest reaches across both transfers, to the sale.
    found = grower.api.ok("GET", f"/leafledger/v1/recall/harvests/{harvest}")
    recalled = {p["Label"]: p for p in found["Packages"] if p["Label"]}
    assert set(tags) <= set(recalled)
    (sold,) = [s for s in found["Sales"] if s["PackageLabel"] == tags[2]]
    assert (sold["Quantity"], sold["UnitOfMeasureName"]) == (1, "Grams")
    assert sold["FacilityLicenseNumber"] == shop.license and sold["Visible"] is True
    with store.read() as session:
        sold_from = session.scalars(select(Package.id).where(Package.label == tags[2])).all()
        # Someone employed nowhere sees that a sale was made, and nothing of it.
        assert sales_of(session, sold_from, user_id=None) == [
            SaleHit(None, None, None, None, None, None, None, False)
        ]

    # 8. The Trace view of the same transfers: the dispensary's shipment, lot by lot, and the
    # cultivator's first transfer, received in full.
    trace = TraceAccess(demo.trace_api_key, demo.vendor_key, demo.user_key)
    state = shop.facility.state_code.lower()
    shop_trace = TraceClient(client, trace, shop.license, state, "transfers")
    (incoming,) = shop_trace.get(direction="incoming").json()["results"]["data"]
    assert incoming["id"] == str(second)
    assert incoming["master_manifest"]["number"] == f"{second:010d}"
    assert [entry["state"] for entry in incoming["entity_state"]][-1] == "in_transit"
    (stop,) = incoming["transfers"]
    assert stop["received_timestamp"] is not None
    assert [leg["is_layover"] for leg in stop["transporter"]] == [True]
    assert {lot["barcode"]: (lot["state"], lot["received_quantity"]) for lot in stop["lots"]} == {
        tags[0]: ("accepted", "299.5"),
        tags[1]: ("rejected", None),
        tags[2]: ("accepted", "100"),
    }
    grower_trace = TraceClient(client, trace, grower.license, state, "transfers")
    (shipped,) = grower_trace.get(entity_state="received").json()["results"]["data"]
    assert shipped["id"] == str(first)
    assert shipped["additional"]["template_id"] == str(template["Id"])

    # 9. The manifest of the second transfer, as its shipper prints it.
    pdf = distributor.api.call("GET", f"/transfers/v2/manifest/{second}/pdf")
    assert pdf.status_code == 200
    text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf.content)).pages
    )
    for expected in (
        f"Manifest No. {second:010d}",
        distributor.license,
        shop.license,
        hub.license,
        "layover (hub)",
        *tags,
        "Accepted 299.5 Grams (short 0.5)",
        "Rejected: Broken seal",
    ):
        assert expected in text, expected
