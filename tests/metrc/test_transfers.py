"""Transfers through HTTP: templates, registration, departure, hubs, receipt, external incoming
transfers, the lists and what each refuses (a 400 naming the row, nothing changed).

The requests of leafledger's own extension (register, depart, receive, void) are those of
dialects/leafledger/; everything else is Metrc's rows, v2 and v1.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from leafledger.dialects.kit.endpoint import Endpoint
from leafledger.dialects.metrc.table import ROWS
from leafledger.domain.models import PackageShipment, Tag
from leafledger.permissions import all_permissions
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger, basic_auth, unique
from tests.metrc.test_harvests import example
from tests.statements import page_statements
from tests.transfers import (
    ARRIVAL,
    DEPARTURE,
    Carrier,
    Party,
    Shipping,
    accept,
    audit_length,
    package_row,
    reject,
)


@pytest.fixture()
def ship(client: TestClient, demo: DemoAccess, ledger: Ledger, store: Store) -> Shipping:
    return Shipping.start(client, demo, ledger, store)


@pytest.fixture()
def carrier(ship: Shipping) -> Carrier:
    return ship.carrier()


@pytest.fixture()
def shop(ship: Shipping) -> Party:
    return ship.party("Dispensary")


def keys(key: str) -> list[str]:
    """The keys of the first record of a v2 response example."""
    documented = example(key)
    record = documented["Data"][0] if isinstance(documented, dict) else documented[0]
    return list(record)


def data(body: Any) -> list[dict[str, Any]]:
    return body["Data"] if isinstance(body, dict) else body  # type: ignore[no-any-return]


def refused(response: Any, row: int | None = 0) -> str:
    """The message of a 400 (naming `row`, when the body was an array)."""
    assert response.status_code == 400, response.text
    body = response.json()
    if row is None:
        return str(body["Message"])
    assert body[0]["row"] == row, body
    return str(body[0]["message"])


# --- templates -------------------------------------------------------------------------------


def template_body(
    ship: Shipping, shop: Party, carrier: Carrier, labels: list[str]
) -> dict[str, Any]:
    destination = ship.destination(shop, labels, [carrier.leg()])
    destination["Packages"][0].update(
        {"WholesalePrice": "3.50", "GrossWeight": "20.5", "GrossUnitOfWeightName": "Grams"}
    )
    return {"Name": unique("Template"), "Destinations": [destination]}


def test_a_template_is_listed_with_its_deliveries_packages_and_transporters(
    ship: Shipping, shop: Party, carrier: Carrier
) -> None:
    labels = ship.packages("100", "50")
    body = template_body(ship, shop, carrier, labels)
    (template_id,) = ship.shipper.api.ok("POST", "/transfers/v2/templates/outgoing", [body])["Ids"]
    (listed,) = ship.shipper.api.ok("GET", "/transfers/v2/templates/outgoing")["Data"]
    assert list(listed) == keys("GET /transfers/v2/templates/outgoing")
    assert (listed["Id"], listed["Name"], listed["ManifestNumber"]) == (
        template_id,
        body["Name"],
        None,
    )
    assert (listed["DeliveryCount"], listed["PackageCount"], listed["ReceivedPackageCount"]) == (
        1,
        2,
        0,
    )
    assert listed["TransporterFacilityLicenseNumber"] == carrier.license
    assert listed["DriverVehicleLicenseNumber"] == carrier.driver
    assert listed["VehicleLicensePlateNumber"] == carrier.plate
    assert listed["ShipperFacilityLicenseNumber"] == ship.shipper.license

    (delivery,) = data(
        ship.shipper.api.ok("GET", f"/transfers/v2/templates/outgoing/{template_id}/deliveries")
    )
    assert list(delivery) == keys("GET /transfers/v2/templates/outgoing/{id}/deliveries")
    assert delivery["RecipientFacilityLicenseNumber"] == shop.license
    assert delivery["EstimatedDepartureDateTime"] == "2024-03-06T09:15:00+00:00"
    assert delivery["ShipmentTransactionType"] == "Standard"
    base = f"/transfers/v2/templates/outgoing/deliveries/{delivery['Id']}"
    packages = data(ship.shipper.api.ok("GET", f"{base}/packages"))
    assert list(packages[0]) == keys(
        "GET /transfers/v2/templates/outgoing/deliveries/{id}/packages"
    )
    assert [p["PackageLabel"] for p in packages] == labels
    assert packages[0]["ShipmentPackageState"] is None  # a plan: nothing shipped yet
    assert Decimal(str(packages[0]["ShippedQuantity"])) == 100
    legs = data(ship.shipper.api.ok("GET", f"{base}/transporters"))
    assert list(legs[0]) == keys(
        "GET /transfers/v2/templates/outgoing/deliveries/{id}/transporters"
    )
    details = ship.shipper.api.ok("GET", f"{base}/transporters/details")
    assert isinstance(details, list)  # not paged, as documented
    assert list(details[0]) == keys(
        "GET /transfers/v2/templates/outgoing/deliveries/{id}/transporters/details"
    )
    assert (details[0]["DriverVehicleLicenseNumber"], details[0]["VehicleMake"]) == (
        carrier.driver,
        "Volvo",
    )

    # v1 answers the same records, as bare arrays.
    assert [t["Id"] for t in ship.shipper.api.ok("GET", "/transfers/v1/templates")] == [template_id]
    v1 = ship.shipper.api.ok("GET", f"/transfers/v1/templates/{template_id}/deliveries")
    assert [d["Id"] for d in v1] == [delivery["Id"]]
    assert (
        len(
            ship.shipper.api.ok(
                "GET", f"/transfers/v1/templates/deliveries/{delivery['Id']}/packages"
            )
        )
        == 2
    )


def test_a_template_is_updated_in_place_and_archived(
    ship: Shipping, shop: Party, carrier: Carrier
) -> None:
    labels = ship.packages("10", "20", "30")
    other = ship.party("Manufacturer")
    body = template_body(ship, shop, carrier, labels[:2])
    body["Destinations"].append(ship.destination(other, [labels[2]], [carrier.leg()]))
    (template_id,) = ship.shipper.api.ok("POST", "/transfers/v2/templates/outgoing", [body])["Ids"]
    path = f"/transfers/v2/templates/outgoing/{template_id}/deliveries"
    first, _ = data(ship.shipper.api.ok("GET", path))
    # Keep the first destination (now one package), drop the second, add a new one.
    kept = ship.destination(shop, [labels[1]], [carrier.leg()], TransferDestinationId=first["Id"])
    new = ship.destination(other, [labels[0]], [carrier.leg()], TransferDestinationId=0)
    change = {"TransferTemplateId": template_id, "Name": "Renamed", "Destinations": [kept, new]}
    assert ship.shipper.api.ok("PUT", "/transfers/v2/templates/outgoing", [change])["Ids"] == [
        template_id
    ]
    now = data(ship.shipper.api.ok("GET", path))
    assert now[0]["Id"] == first["Id"] and now[1]["Id"] != first["Id"]
    assert [d["RecipientFacilityLicenseNumber"] for d in now] == [shop.license, other.license]
    assert [d["DeliveryPackageCount"] for d in now] == [1, 1]
    packages = f"/transfers/v2/templates/outgoing/deliveries/{now[1]['Id']}/packages"
    assert [p["PackageLabel"] for p in data(ship.shipper.api.ok("GET", packages))] == [labels[0]]
    (listed,) = ship.shipper.api.ok("GET", "/transfers/v2/templates/outgoing")["Data"]
    assert (listed["Name"], listed["DeliveryCount"], listed["PackageCount"]) == ("Renamed", 2, 2)
    # A destination id not of this template is refused, and nothing changes.
    before = audit_length(ship.store)
    wrong = {**change, "Destinations": [{**kept, "TransferDestinationId": 987654321}]}
    message = refused(ship.shipper.api.call("PUT", "/transfers/v2/templates/outgoing", [wrong]))
    assert message.startswith("Destinations[0].TransferDestinationId")
    assert audit_length(ship.store) == before

    assert ship.shipper.api.ok("DELETE", f"/transfers/v2/templates/outgoing/{template_id}")[
        "Ids"
    ] == [template_id]
    assert ship.shipper.api.ok("GET", "/transfers/v2/templates/outgoing")["Data"] == []
    again = ship.shipper.api.call("DELETE", f"/transfers/v2/templates/outgoing/{template_id}")
    assert "archived" in refused(again, None)


def test_v1_template_writes_answer_an_empty_200(
    ship: Shipping, shop: Party, carrier: Carrier
) -> None:
    labels = ship.packages("10")
    response = ship.shipper.api.call(
        "POST", "/transfers/v1/templates", [template_body(ship, shop, carrier, labels)]
    )
    assert response.status_code == 200 and response.content == b""
    (template,) = ship.shipper.api.ok("GET", "/transfers/v1/templates")
    change = {**template_body(ship, shop, carrier, labels), "TransferTemplateId": template["Id"]}
    response = ship.shipper.api.call("PUT", "/transfers/v1/templates", [change])
    assert response.status_code == 200 and response.content == b""
    response = ship.shipper.api.call("DELETE", f"/transfers/v1/templates/{template['Id']}")
    assert response.status_code == 200 and response.content == b""


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"RecipientLicenseNumber": "NO-SUCH-LICENCE"}, "Destinations[0].RecipientLicenseNumber"),
        ({"TransferTypeName": "Teleport"}, "Destinations[0].TransferTypeName"),
        ({"TransferTypeName": "External Incoming"}, "Destinations[0].TransferTypeName"),
        ({"TransferTypeName": "Lab Sample Transfer"}, "Destinations[0].TransferTypeName"),
        ({"TransferTypeName": "Wholesale Manifest"}, "Destinations[0].InvoiceNumber"),
        (
            {"EstimatedArrivalDateTime": "2024-03-05T00:00:00Z"},
            "Destinations[0].EstimatedArrivalDateTime",
        ),
        ({"EstimatedDepartureDateTime": None}, "Destinations[0].EstimatedDepartureDateTime"),
        ({"Transporters": []}, "Destinations[0].Transporters"),
        ({"Packages": []}, "Destinations[0].Packages"),
        ({"GrossUnitOfWeightId": 3}, "Destinations[0].GrossUnitOfWeightId"),
        ({"GrossWeight": 5}, "Destinations[0].GrossUnitOfWeightName"),
    ],
)
def test_a_faulty_destination_is_refused_naming_its_field_and_nothing_changes(
    ship: Shipping, shop: Party, carrier: Carrier, change: dict[str, Any], field: str
) -> None:
    labels = ship.packages("10")
    body = template_body(ship, shop, carrier, labels)
    body["Destinations"][0].update(change)
    before = audit_length(ship.store)
    ok = template_body(ship, shop, carrier, labels)
    response = ship.shipper.api.call("POST", "/transfers/v2/templates/outgoing", [ok, body])
    assert refused(response, row=1).startswith(field)
    assert audit_length(ship.store) == before
    assert ship.shipper.api.ok("GET", "/transfers/v2/templates/outgoing")["Data"] == []


LEG = "Destinations[0].Transporters[0]"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"TransporterFacilityLicenseNumber": "NO-SUCH"},
            f"{LEG}.TransporterFacilityLicenseNumber",
        ),
        ({"DriverLicenseNumber": "NOBODY"}, f"{LEG}: No driver"),
        ({"VehicleLicensePlateNumber": None}, f"{LEG}.VehicleLicensePlateNumber"),
        ({"DriverLayoverLeg": "Sideways"}, f"{LEG}.DriverLayoverLeg"),
        (
            {
                "TransporterDetails": [
                    {"DriverLicenseNumber": "NOBODY", "VehicleLicensePlateNumber": "X"}
                ]
            },
            f"{LEG}.TransporterDetails[0]: No driver",
        ),
    ],
)
def test_a_faulty_transporter_is_refused_naming_its_field(
    ship: Shipping, shop: Party, carrier: Carrier, change: dict[str, Any], field: str
) -> None:
    labels = ship.packages("10")
    body = template_body(ship, shop, carrier, labels)
    body["Destinations"][0]["Transporters"][0].update(change)
    message = refused(ship.shipper.api.call("POST", "/transfers/v2/templates/outgoing", [body]))
    assert message.startswith(field), message


def test_an_archived_driver_cannot_carry_a_transfer(
    ship: Shipping, shop: Party, carrier: Carrier
) -> None:
    (driver,) = [d for d in carrier.api.ok("GET", "/transporters/v2/drivers")["Data"]]
    carrier.api.ok("DELETE", f"/transporters/v2/drivers/{driver['Id']}")
    body = template_body(ship, shop, carrier, ship.packages("10"))
    message = refused(ship.shipper.api.call("POST", "/transfers/v2/templates/outgoing", [body]))
    assert (
        message.startswith("Destinations[0].Transporters[0].DriverLicenseNumber")
        and "archived" in message
    )


def test_licence_types_decide_who_ships_to_whom(ship: Shipping, carrier: Carrier) -> None:
    labels = ship.packages("10")
    lab = ship.party("Testing Lab")
    to_lab = ship.destination(lab, labels, [carrier.leg()])
    message = refused(
        ship.shipper.api.call("POST", "/leafledger/v1/transfers", [{"Destinations": [to_lab]}])
    )
    assert "Testing Lab" in message and message.startswith("Destinations[0].TransferTypeName")
    # Wholesale does not go back to a grower; a dispensary does not ship wholesale.
    grower = ship.party("Cultivator")
    wholesale = ship.destination(grower, labels, [carrier.leg()], "Wholesale")
    assert "Cultivator" in refused(
        ship.shipper.api.call("POST", "/leafledger/v1/transfers", [{"Destinations": [wholesale]}])
    )
    shop = ship.party("Dispensary")
    assert ship.shipper.api.ok(
        "POST",
        "/leafledger/v1/transfers",
        [{"Destinations": [ship.destination(shop, labels, [carrier.leg()], "Wholesale")]}],
    )


def test_a_layover_is_a_third_facility_once_per_delivery(
    ship: Shipping, shop: Party, carrier: Carrier
) -> None:
    labels = ship.packages("10")
    own = ship.carrier("Dispensary")
    at_end = ship.destination(own, labels, [own.leg(layover=True)])
    message = refused(
        ship.shipper.api.call("POST", "/leafledger/v1/transfers", [{"Destinations": [at_end]}])
    )
    assert message.startswith("Destinations[0].Transporters[0].IsLayover")
    twice = ship.destination(shop, labels, [carrier.leg(layover=True), carrier.leg(layover=True)])
    message = refused(
        ship.shipper.api.call("POST", "/leafledger/v1/transfers", [{"Destinations": [twice]}])
    )
    assert message.startswith("Destinations[0].Transporters[1].IsLayover")


# --- registering and departing ---------------------------------------------------------------


def test_a_transfer_is_registered_from_a_template(
    ship: Shipping, shop: Party, carrier: Carrier
) -> None:
    labels = ship.packages("100", "50")
    (template_id,) = ship.shipper.api.ok(
        "POST", "/transfers/v2/templates/outgoing", [template_body(ship, shop, carrier, labels)]
    )["Ids"]
    (transfer_id,) = ship.shipper.api.ok(
        "POST", "/leafledger/v1/transfers", [{"TransferTemplateId": template_id}]
    )["Ids"]
    (outgoing,) = ship.shipper.api.ok("GET", "/transfers/v2/outgoing")["Data"]
    assert list(outgoing) == keys("GET /transfers/v2/outgoing")
    assert outgoing["Id"] == transfer_id and outgoing["OriginatingTemplateId"] == template_id
    assert outgoing["ManifestNumber"] == f"{transfer_id:010d}" and outgoing["PackageCount"] == 2
    delivery_id = ship.delivery_of(transfer_id, shop)
    wholesale = data(
        shop.api.ok("GET", f"/transfers/v2/deliveries/{delivery_id}/packages/wholesale")
    )
    assert list(wholesale[0]) == keys("GET /transfers/v2/deliveries/{id}/packages/wholesale")
    assert [(w["PackageLabel"], w["ShipperWholesalePrice"]) for w in wholesale] == [
        (labels[0], 3.5),
        (labels[1], None),
    ]
    # The template stays for reuse; its packages are on a transfer now, so not twice.
    message = refused(
        ship.shipper.api.call(
            "POST", "/leafledger/v1/transfers", [{"TransferTemplateId": template_id}]
        )
    )
    assert f"already on transfer {transfer_id:010d}" in message


def test_the_gate_decides_which_packages_travel(
    ship: Shipping, shop: Party, carrier: Carrier
) -> None:
    ready = ship.packages("10")[0]
    untested = ship.packages("10", lab_testing_state="NotSubmitted")[0]
    held = ship.packages("10", is_on_hold=True)[0]
    before = audit_length(ship.store)
    for label, reason in ((untested, "NotSubmitted in lab testing"), (held, "on hold")):
        destination = ship.destination(shop, [ready, label], [carrier.leg()])
        message = refused(
            ship.shipper.api.call(
                "POST", "/leafledger/v1/transfers", [{"Destinations": [destination]}]
            )
        )
        assert message.startswith("Destinations[0].Packages[1]") and reason in message
    trade = ship.destination(shop, [ready], [carrier.leg()], "Trade Sample")
    message = refused(
        ship.shipper.api.call("POST", "/leafledger/v1/transfers", [{"Destinations": [trade]}])
    )
    assert "trade samples only" in message
    assert audit_length(ship.store) == before
    assert ship.shipper.api.ok("GET", "/transfers/v2/outgoing")["Data"] == []


def test_departed_packages_are_in_transit_and_cannot_change(
    ship: Shipping, shop: Party, carrier: Carrier
) -> None:
    going = ship.packages("100", "50")
    staying = ship.packages("10")[0]
    transfer_id = ship.register(ship.destination(shop, going, [carrier.leg()]))
    # Registered, not departed: still the shipper's active packages.
    active = {p["Label"] for p in ship.shipper.api.ok("GET", "/packages/v2/active")["Data"]}
    assert set(going) <= active
    ship.depart(transfer_id)
    active = [p["Label"] for p in ship.shipper.api.ok("GET", "/packages/v2/active")["Data"]]
    assert active == [staying]
    in_transit = ship.shipper.api.ok("GET", "/packages/v2/intransit")["Data"]
    assert [p["Label"] for p in in_transit] == going and in_transit[0]["LocationName"] is None
    assert [p["Label"] for p in ship.shipper.api.ok("GET", "/packages/v1/active")] == [staying]

    before = audit_length(ship.store)
    label = going[0]
    changes = [
        (
            "POST",
            "/packages/v2/adjust",
            {
                "Label": label,
                "Quantity": -1,
                "UnitOfMeasure": "Grams",
                "AdjustmentReason": "Drying",
            },
        ),
        ("PUT", "/packages/v2/location", {"Label": label, "Location": ship.grow.location}),
        ("PUT", "/packages/v2/note", {"PackageLabel": label, "Note": "x"}),
        ("PUT", "/packages/v2/finish", {"Label": label}),
        (
            "POST",
            "/packages/v2/",
            {
                "Tag": ship.grow.package_tags(1)[0],
                "Item": None,
                "Quantity": 1,
                "UnitOfMeasure": "Grams",
                "UseSameItem": True,
                "Ingredients": [{"Package": label, "Quantity": 1, "UnitOfMeasure": "Grams"}],
            },
        ),
    ]
    for method, path, body in changes:
        message = refused(ship.shipper.api.call(method, path, [body]))
        assert "in transit" in message, (path, message)
    assert audit_length(ship.store) == before
    # Departure happens once; a departed transfer is not voided.
    assert "has departed" in refused(
        ship.shipper.api.call("POST", f"/leafledger/v1/transfers/{transfer_id}/depart"), None
    )
    assert "has departed" in refused(
        ship.shipper.api.call("DELETE", f"/leafledger/v1/transfers/{transfer_id}"), None
    )


def test_departure_asks_the_gate_again(
    ship: Shipping, shop: Party, carrier: Carrier, store: Store
) -> None:
    label = ship.packages("10")[0]
    transfer_id = ship.register(ship.destination(shop, [label], [carrier.leg()]))
    with store.transaction() as session:
        package = session.scalars(
            select(PackageShipment).where(PackageShipment.manifest_number == f"{transfer_id:010d}")
        ).one()
        from leafledger.domain.models import Package

        held = session.get(Package, package.package_id)
        assert held is not None
        held.is_on_hold = True
    message = refused(
        ship.shipper.api.call("POST", f"/leafledger/v1/transfers/{transfer_id}/depart"), None
    )
    assert "on hold" in message
    assert package_row(ship.store, label).in_transit is False


def test_a_transfer_is_voided_before_it_departs(
    ship: Shipping, shop: Party, carrier: Carrier
) -> None:
    label = ship.packages("10")[0]
    transfer_id = ship.register(ship.destination(shop, [label], [carrier.leg()]))
    assert ship.shipper.api.ok("DELETE", f"/leafledger/v1/transfers/{transfer_id}")["Ids"] == [
        transfer_id
    ]
    (outgoing,) = ship.shipper.api.ok("GET", "/transfers/v2/outgoing")["Data"]
    assert outgoing["IsVoided"] is True
    assert data(shop.api.ok("GET", "/transfers/v2/incoming"))[0]["IsVoided"] is True
    assert "voided" in refused(
        ship.shipper.api.call("POST", f"/leafledger/v1/transfers/{transfer_id}/depart"), None
    )
    # Its package is free again.
    assert ship.register(ship.destination(shop, [label], [carrier.leg()])) > transfer_id


# --- receiving -------------------------------------------------------------------------------


def test_a_delivery_is_received_short_and_with_a_rejection(
    ship: Shipping, shop: Party, carrier: Carrier
) -> None:
    short, rejected, whole = ship.packages("100", "50", "16")
    transfer_id = ship.register(ship.destination(shop, [short, rejected, whole], [carrier.leg()]))
    ship.depart(transfer_id)
    response = ship.receive(
        shop,
        transfer_id,
        accept(short, "99.25", Location=None, ReceiverWholesalePrice="7"),
        reject(rejected),
        accept(whole, "16"),
    )
    delivery_id = ship.delivery_of(transfer_id, shop)
    assert response.status_code == 200 and response.json() == {
        "Ids": [delivery_id],
        "Warnings": None,
    }

    received = {p["Label"]: p for p in shop.api.ok("GET", "/packages/v2/active")["Data"]}
    assert set(received) == {short, whole}
    assert Decimal(str(received[short]["Quantity"])) == Decimal("99.25")
    lines = {
        p["PackageLabel"]: p
        for p in data(shop.api.ok("GET", f"/transfers/v2/deliveries/{delivery_id}/packages"))
    }
    assert list(next(iter(lines.values()))) == keys("GET /transfers/v2/deliveries/{id}/packages")
    assert (lines[short]["ShipmentPackageState"], lines[rejected]["ShipmentPackageState"]) == (
        "Accepted",
        "Rejected",
    )
    with ship.store.read() as session:
        shipments = {
            s.package_id: s
            for s in session.scalars(
                select(PackageShipment).where(PackageShipment.delivery_id == delivery_id)
            )
        }
    for label in (short, whole):
        line = shipments[package_row(ship.store, label).id]
        assert line.shipped_quantity == line.received_quantity + line.shortage  # nothing lost
    assert shipments[package_row(ship.store, short).id].shortage == Decimal("0.75")
    assert shipments[package_row(ship.store, rejected).id].rejection_reason == "Damaged in transit"

    # The rejected package is back at the shipper, among its active packages.
    back = [p["Label"] for p in ship.shipper.api.ok("GET", "/packages/v2/active")["Data"]]
    assert back == [rejected]
    assert ship.shipper.api.ok("GET", "/packages/v2/intransit")["Data"] == []
    (shown,) = ship.shipper.api.ok("GET", "/transfers/v2/rejected")["Data"]
    assert list(shown) == keys("GET /transfers/v2/rejected")
    assert (shown["Id"], shown["DeliveryId"], shown["ReceivedPackageCount"]) == (
        transfer_id,
        delivery_id,
        2,
    )
    assert [t["Id"] for t in ship.shipper.api.ok("GET", "/transfers/v1/rejected")] == [transfer_id]
    transferred = {
        t["PackageLabel"]: t["ShipmentPackageStateName"]
        for t in ship.shipper.api.ok("GET", "/packages/v2/transferred")["Data"]
    }
    assert transferred == {short: "Accepted", rejected: "Rejected", whole: "Accepted"}
    (incoming,) = shop.api.ok("GET", "/transfers/v2/incoming")["Data"]
    assert list(incoming) == keys("GET /transfers/v2/incoming")
    assert (incoming["ReceivedDeliveryCount"], incoming["DeliveryReceivedPackageCount"]) == (1, 2)
    assert incoming["ReceivedDateTime"] is not None
    (delivery,) = data(shop.api.ok("GET", f"/transfers/v2/{transfer_id}/deliveries"))
    assert list(delivery) == keys("GET /transfers/v2/{id}/deliveries")
    assert delivery["RejectedPackagesReturned"] is True
    base = f"/transfers/v2/deliveries/{delivery_id}"
    (leg,) = data(shop.api.ok("GET", f"{base}/transporters"))
    assert list(leg) == keys("GET /transfers/v2/deliveries/{id}/transporters")
    assert leg["TransporterFacilityLicenseNumber"] == carrier.license
    (driver,) = data(shop.api.ok("GET", f"{base}/transporters/details"))
    assert list(driver) == keys("GET /transfers/v2/deliveries/{id}/transporters/details")
    v1 = f"/transfers/v1/deliveries/{delivery_id}"
    assert [p["PackageLabel"] for p in shop.api.ok("GET", f"{v1}/packages")] == [
        short,
        rejected,
        whole,
    ]
    assert len(shop.api.ok("GET", f"{v1}/packages/wholesale")) == 3
    assert (
        shop.api.ok("GET", f"{v1}/transporters")[0]["TransporterFacilityLicenseNumber"]
        == carrier.license
    )
    assert (
        shop.api.ok("GET", f"{v1}/transporters/details")[0]["DriverVehicleLicenseNumber"]
        == carrier.driver
    )
    assert [d["Id"] for d in shop.api.ok("GET", f"/transfers/v1/{transfer_id}/deliveries")] == [
        delivery_id
    ]
    assert [t["DeliveryId"] for t in shop.api.ok("GET", "/transfers/v1/incoming")] == [delivery_id]
    # Received once.
    again = ship.receive(
        shop, transfer_id, accept(short, "1"), reject(rejected), accept(whole, "1")
    )
    assert "received already" in refused(again, None)


def test_received_packages_can_change_and_keep_their_genealogy(
    ship: Shipping, shop: Party, carrier: Carrier
) -> None:
    (label,) = ship.packages("10")
    transfer_id = ship.register(ship.destination(shop, [label], [carrier.leg()]))
    ship.depart(transfer_id)
    room = unique("Vault")
    shop.api.ok("POST", "/locations/v2/", [{"Name": room, "LocationTypeName": "Default"}])
    response = ship.receive(shop, transfer_id, accept(label, "10", Location=room))
    assert response.status_code == 200, response.text
    (package,) = shop.api.ok("GET", "/packages/v2/active")["Data"]
    assert (package["Label"], package["LocationName"]) == (label, room)
    note = [{"PackageLabel": label, "Note": "arrived"}]
    assert shop.api.ok("PUT", "/packages/v2/note", note)
    # It is the shop's now: the shipper can no longer find it.
    assert ship.shipper.api.call("PUT", "/packages/v2/note", note).status_code == 400


@pytest.mark.parametrize(
    ("decision", "field"),
    [
        ({"ReceivedQuantity": "10.5"}, "Packages[0].ReceivedQuantity"),  # more than shipped
        ({"ReceivedQuantity": "0"}, "Packages[0].ReceivedQuantity"),
        ({"ReceivedQuantity": None}, "Packages[0].ReceivedQuantity"),
        ({"ReceivedUnitOfMeasureName": "Each"}, "Packages[0].ReceivedUnitOfMeasureName"),
        ({"ShipmentPackageState": "Lost"}, "Packages[0].ShipmentPackageState"),
        ({"ShipmentPackageState": "Rejected"}, "Packages[0].RejectionReason"),
        ({"PackageLabel": "NOT-ON-IT"}, "Packages[0].PackageLabel"),
        ({"Location": "Nowhere"}, "Packages[0].Location"),
    ],
)
def test_a_faulty_receipt_is_refused_naming_its_field_and_nothing_changes(
    ship: Shipping, shop: Party, carrier: Carrier, decision: dict[str, Any], field: str
) -> None:
    (label,) = ship.packages("10")
    transfer_id = ship.register(ship.destination(shop, [label], [carrier.leg()]))
    ship.depart(transfer_id)
    before = audit_length(ship.store)
    decided = {**accept(label, "10"), **decision}
    if decision.get("ShipmentPackageState") == "Rejected":
        decided = {"PackageLabel": label, "ShipmentPackageState": "Rejected"}
    message = refused(ship.receive(shop, transfer_id, decided), None)
    assert message.startswith(field), message
    assert audit_length(ship.store) == before
    assert package_row(ship.store, label).in_transit is True


def test_every_package_is_decided_and_only_the_recipient_receives(
    ship: Shipping, shop: Party, carrier: Carrier
) -> None:
    first, second = ship.packages("10", "10")
    transfer_id = ship.register(ship.destination(shop, [first, second], [carrier.leg()]))
    assert "not departed" in refused(
        ship.receive(shop, transfer_id, accept(first, "10"), accept(second, "10")), None
    )
    ship.depart(transfer_id)
    message = refused(ship.receive(shop, transfer_id, accept(first, "10")), None)
    assert message.startswith("Packages:") and second in message
    twice = ship.receive(shop, transfer_id, accept(first, "10"), accept(first, "10"))
    assert refused(twice, None).startswith("Packages[1].PackageLabel")
    # The shipper (or anyone else) is not the recipient; a missing transfer is not found.
    assert ship.receive(ship.shipper, transfer_id, accept(first, "10")).status_code == 401
    assert ship.receive(shop, 987654321, accept(first, "10")).status_code == 404


def test_a_shortage_in_another_unit_is_exact(ship: Shipping, shop: Party, carrier: Carrier) -> None:
    (label,) = ship.packages("1", unit="Pounds", item=ship.grow.item())
    transfer_id = ship.register(ship.destination(shop, [label], [carrier.leg()]))
    ship.depart(transfer_id)
    assert ship.receive(shop, transfer_id, accept(label, "15", "Ounces")).status_code == 200
    row = package_row(ship.store, label)
    assert row.quantity == Decimal("0.9375") and row.unit_of_measure_name == "Pounds"
    with ship.store.read() as session:
        line = session.scalars(
            select(PackageShipment).where(PackageShipment.package_id == row.id)
        ).one()
    assert (line.shipped_quantity, line.received_quantity, line.shortage) == (
        1,
        Decimal("0.9375"),
        Decimal("0.0625"),
    )


# --- hubs ------------------------------------------------------------------------------------


def test_a_hub_passes_a_delivery_through_its_steps_in_order(
    ship: Shipping, shop: Party, carrier: Carrier
) -> None:
    (label,) = ship.packages("10")
    transfer_id = ship.register(
        ship.destination(shop, [label], [carrier.leg(layover=True, DriverLayoverLeg="ToLayover")])
    )
    delivery_id = ship.delivery_of(transfer_id, shop)
    assert "not departed" in refused(ship.hub_step(carrier, "arrive", delivery_id))
    ship.depart(transfer_id)
    before = audit_length(ship.store)
    for step in ("checkin", "checkout", "depart"):
        assert "has not arrived" in refused(ship.hub_step(carrier, step, delivery_id))
    assert "no return trip" in refused(ship.hub_step(carrier, "arrive", delivery_id, "Return"))
    assert "lay over" in refused(ship.hub_step(shop, "arrive", delivery_id))
    assert audit_length(ship.store) == before
    assert "has not reached hub" in refused(
        ship.receive(shop, transfer_id, accept(label, "10")), None
    )
    order = ("arrive", "checkin", "checkout", "depart")
    for done, step in enumerate(order):
        assert ship.hub_step(carrier, step, delivery_id).json() == {
            "Ids": [delivery_id],
            "Warnings": None,
        }
        if done + 2 < len(order):  # the step after next is not yet due
            assert "follows" in refused(ship.hub_step(carrier, order[done + 2], delivery_id))
        again = refused(ship.hub_step(carrier, step, delivery_id))  # nor is a step twice
        assert "follows" in again or "comes first" in again
        (stop,) = carrier.api.ok("GET", "/transfers/v2/hub")["Data"]
    assert list(stop) == keys("GET /transfers/v2/hub")
    assert stop["IsLayover"] is True and stop["DeliveryId"] == delivery_id
    assert stop["TransporterActualArrivalDateTime"] and stop["TransporterActualDepartureDateTime"]
    assert stop["ShipmentTransporterDetails"][0]["DriverLayoverLeg"] == "ToLayover"
    assert ship.receive(shop, transfer_id, accept(label, "10")).status_code == 200
    assert "received already" in refused(ship.hub_step(carrier, "arrive", delivery_id))


def test_the_hub_list_filters_by_estimated_arrival(
    ship: Shipping, shop: Party, carrier: Carrier
) -> None:
    (label,) = ship.packages("10")
    ship.register(ship.destination(shop, [label], [carrier.leg(layover=True)]))
    window = {
        "estimatedArrivalStart": "2024-03-06T00:00:00Z",
        "estimatedArrivalEnd": "2024-03-06T23:00:00Z",
    }
    assert len(carrier.api.ok("GET", "/transfers/v2/hub", **window)["Data"]) == 1
    earlier = {
        "estimatedArrivalStart": "2024-03-01T00:00:00Z",
        "estimatedArrivalEnd": "2024-03-01T23:00:00Z",
    }
    assert carrier.api.ok("GET", "/transfers/v2/hub", **earlier)["Data"] == []
    both = {
        **window,
        "lastModifiedStart": "2024-03-06T00:00:00Z",
        "lastModifiedEnd": "2024-03-06T23:00:00Z",
    }
    assert carrier.api.call("GET", "/transfers/v2/hub", **both).status_code == 400


# --- external incoming -----------------------------------------------------------------------


def external_body(lab: Party, item: str, tags: list[str | None], **more: Any) -> dict[str, Any]:
    return {
        "ShipperLicenseNumber": "OUT-OF-STATE-1",
        "ShipperName": "Far Away Farms",
        "ShipperAddress1": "1 Road",
        "Destinations": [
            {
                "RecipientLicenseNumber": lab.license,
                "TransferTypeName": "External Incoming",
                "EstimatedDepartureDateTime": DEPARTURE,
                "EstimatedArrivalDateTime": ARRIVAL,
                "Packages": [
                    {
                        "ItemName": item,
                        "Quantity": "10",
                        "UnitOfMeasureName": "Grams",
                        "PackagedDate": "2024-02-04",
                        "ExternalId": unique("EXT"),
                        **({"PackageLabel": tag} if tag else {}),
                    }
                    for tag in tags
                ],
            }
        ],
        **more,
    }


@pytest.fixture()
def lab(ship: Shipping) -> Party:
    party = ship.party("Testing Lab")
    return party


def lab_item(ship: Shipping, lab: Party) -> str:
    name = unique("Buds")
    strain = unique("Strain")
    lab.api.ok(
        "POST",
        "/strains/v2/",
        [
            {
                "Name": strain,
                "TestingStatus": "None",
                "ThcLevel": 0.2,
                "CbdLevel": 0.01,
                "IndicaPercentage": 50,
                "SativaPercentage": 50,
            }
        ],
    )
    lab.api.ok(
        "POST",
        "/items/v2/",
        [{"ItemCategory": "Buds", "Name": name, "UnitOfMeasure": "Grams", "Strain": strain}],
    )
    return name


def package_tags(lab: Party, count: int) -> list[str]:
    labels: list[str] = lab.api.ok(
        "POST", "/sandbox/v2/facility/tags", {"TagType": "Marijuana Package", "Count": count}
    )["Labels"]
    return labels


def test_an_external_incoming_transfer_makes_the_receivers_packages(
    ship: Shipping, lab: Party, store: Store
) -> None:
    item = lab_item(ship, lab)
    tags = package_tags(lab, 3)
    (transfer_id,) = lab.api.ok(
        "POST", "/transfers/v2/external/incoming", [external_body(lab, item, [tags[2], None])]
    )["Ids"]
    (incoming,) = lab.api.ok("GET", "/transfers/v2/incoming")["Data"]
    assert (
        incoming["Id"],
        incoming["ShipperFacilityLicenseNumber"],
        incoming["ShipmentLicenseType"],
    ) == (transfer_id, "OUT-OF-STATE-1", 1)
    lines = data(lab.api.ok("GET", f"/transfers/v2/deliveries/{incoming['DeliveryId']}/packages"))
    # The named tag, then the oldest available one; both used now, once.
    assert [line["PackageLabel"] for line in lines] == [tags[2], tags[0]]
    assert all(line["ItemName"] == item for line in lines)
    with store.read() as session:
        statuses = {
            t.label: t.status for t in session.scalars(select(Tag).where(Tag.label.in_(tags)))
        }
    assert statuses == {tags[0]: "Used", tags[1]: "Available", tags[2]: "Used"}
    # In transit until received: not among the lab's packages, and not changeable.
    assert lab.api.ok("GET", "/packages/v2/active")["Data"] == []
    assert "in transit" in refused(
        lab.api.call("PUT", "/packages/v2/note", [{"PackageLabel": tags[0], "Note": "x"}])
    )
    response = ship.receive(lab, transfer_id, accept(tags[2], "9.5"), reject(tags[0]))
    assert response.status_code == 200, response.text
    (kept,) = lab.api.ok("GET", "/packages/v2/active")["Data"]
    assert (kept["Label"], kept["Quantity"], kept["ItemFromFacilityLicenseNumber"]) == (
        tags[2],
        9.5,
        None,
    )
    assert package_row(store, tags[0]).archived_date is not None  # went back outside the ledger
    # Once received, it no longer changes.
    change = {**external_body(lab, item, [None]), "TransferId": transfer_id}
    assert "received" in refused(lab.api.call("PUT", "/transfers/v2/external/incoming", [change]))
    assert "received" in refused(
        lab.api.call("DELETE", f"/transfers/v2/external/incoming/{transfer_id}"), None
    )


def test_an_external_plan_is_changed_and_voided_before_receipt(
    ship: Shipping, lab: Party, store: Store
) -> None:
    item = lab_item(ship, lab)
    tags = package_tags(lab, 4)
    (transfer_id,) = lab.api.ok(
        "POST", "/transfers/v2/external/incoming", [external_body(lab, item, [tags[0], tags[1]])]
    )["Ids"]
    (incoming,) = lab.api.ok("GET", "/transfers/v2/incoming")["Data"]
    change = external_body(lab, item, [None, tags[3]], TransferId=transfer_id)
    change["Destinations"][0]["TransferDestinationId"] = incoming["DeliveryId"]
    change["Destinations"][0]["Packages"][0]["Quantity"] = "12"
    assert lab.api.ok("PUT", "/transfers/v2/external/incoming", [change])["Ids"] == [transfer_id]
    lines = data(lab.api.ok("GET", f"/transfers/v2/deliveries/{incoming['DeliveryId']}/packages"))
    # The first package was kept (its tag too) with its new quantity, the second replaced.
    assert [(line["PackageLabel"], line["ShippedQuantity"]) for line in lines] == [
        (tags[0], 12),
        (tags[3], 10),
    ]
    assert package_row(store, tags[1]).archived_date is not None
    assert lab.api.ok("DELETE", f"/transfers/v2/external/incoming/{transfer_id}")["Ids"] == [
        transfer_id
    ]
    assert package_row(store, tags[0]).archived_date is not None
    assert lab.api.ok("GET", "/transfers/v2/incoming")["Data"][0]["IsVoided"] is True
    assert "voided" in refused(ship.receive(lab, transfer_id, accept(tags[0], "1")), None)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ShipperName": None}, "ShipperName"),
        ({"Destinations": [{"TransferTypeName": "Transfer"}]}, "Destinations[0].TransferTypeName"),
        (
            {"Destinations": [{"RecipientLicenseNumber": None}]},
            "Destinations[0].RecipientLicenseNumber",
        ),
        ({"Packages": [{"ItemName": "Nothing"}]}, "Destinations[0].Packages[0].ItemName"),
        (
            {"Packages": [{"UnitOfMeasureName": "Each"}]},
            "Destinations[0].Packages[0].UnitOfMeasureName",
        ),
        ({"Packages": [{"PackageLabel": "NOT-A-TAG"}]}, ""),
        ({"Packages": [{"IsFinishedGood": True}]}, ""),
    ],
)
def test_a_faulty_external_plan_is_refused_and_nothing_changes(
    ship: Shipping, lab: Party, change: dict[str, Any], field: str
) -> None:
    item = lab_item(ship, lab)
    package_tags(lab, 2)
    body = external_body(lab, item, [None])
    if "Destinations" in change:
        body["Destinations"][0].update(change["Destinations"][0])
        if "RecipientLicenseNumber" in change["Destinations"][0]:
            body["Destinations"][0]["RecipientLicenseNumber"] = ship.shipper.license
    elif "Packages" in change:
        body["Destinations"][0]["Packages"][0].update(change["Packages"][0])
    else:
        body.update(change)
    before = audit_length(ship.store)
    message = refused(lab.api.call("POST", "/transfers/v2/external/incoming", [body]))
    assert message.startswith(field), message
    assert audit_length(ship.store) == before


def test_v1_external_writes_answer_an_empty_200(ship: Shipping, lab: Party) -> None:
    item = lab_item(ship, lab)
    package_tags(lab, 2)
    response = lab.api.call(
        "POST", "/transfers/v1/external/incoming", [external_body(lab, item, [None])]
    )
    assert response.status_code == 200 and response.content == b""
    (incoming,) = lab.api.ok("GET", "/transfers/v1/incoming")
    change = external_body(lab, item, [None], TransferId=incoming["Id"])
    response = lab.api.call("PUT", "/transfers/v1/external/incoming", [change])
    assert response.status_code == 200 and response.content == b""
    response = lab.api.call("DELETE", f"/transfers/v1/external/incoming/{incoming['Id']}")
    assert response.status_code == 200 and response.content == b""
    assert lab.api.ok("GET", "/transfers/v1/incoming")[0]["IsVoided"] is True


def test_only_a_facility_that_may_receive_from_outside_records_external_transfers(
    ship: Shipping, shop: Party
) -> None:
    body = external_body(shop, "Buds", [None])
    assert "may not receive transfers from outside" in refused(
        shop.api.call("POST", "/transfers/v2/external/incoming", [body])
    )


# --- who may read a transfer without a licence ------------------------------------------------


def test_rows_without_a_licence_answer_the_parties_of_a_transfer_only(
    ship: Shipping, shop: Party, carrier: Carrier, ledger: Ledger
) -> None:
    first, second = ship.packages("10", "10")
    other = ship.party("Dispensary")
    transfer_id = ship.register(
        ship.destination(shop, [first], [carrier.leg()]),
        ship.destination(other, [second], [carrier.leg()]),
    )
    client = ship.client
    path = f"/transfers/v2/{transfer_id}/deliveries"
    owner = data(ship.shipper.api.ok("GET", path))
    assert [d["RecipientFacilityLicenseNumber"] for d in owner] == [shop.license, other.license]
    shop_user = ledger.user({shop.license: all_permissions()})
    seen = data(client.get(path, headers=shop_user).json())
    assert [d["RecipientFacilityLicenseNumber"] for d in seen] == [shop.license]
    carrier_user = ledger.user({carrier.license: all_permissions()})
    assert len(data(client.get(path, headers=carrier_user).json())) == 2
    stranger = ledger.user({ship.party("Dispensary").license: all_permissions()})
    assert client.get(path, headers=stranger).status_code == 401
    no_rights = ledger.user({shop.license: ["View Packages"]})
    assert client.get(path, headers=no_rights).status_code == 403
    assert client.get("/transfers/v2/987654321/deliveries", headers=shop_user).status_code == 404
    delivery_id = seen[0]["Id"]
    other_delivery = next(d["Id"] for d in owner if d["Id"] != delivery_id)
    assert (
        client.get(
            f"/transfers/v2/deliveries/{other_delivery}/packages", headers=shop_user
        ).status_code
        == 401
    )
    assert (
        client.get(
            f"/transfers/v2/deliveries/{delivery_id}/packages", headers=shop_user
        ).status_code
        == 200
    )
    # A template is its owner's only; a transfer id is no template id, nor the reverse.
    assert (
        client.get(
            f"/transfers/v2/templates/outgoing/{transfer_id}/deliveries", headers=shop_user
        ).status_code
        == 404
    )
    bad = basic_auth("nope", "nope")
    assert client.get(path, headers=bad).status_code == 401


def test_required_lab_test_batches_of_a_delivery_package(
    ship: Shipping, shop: Party, carrier: Carrier
) -> None:
    (label,) = ship.packages("10", required_lab_test_batches=["Flower Potency"])
    transfer_id = ship.register(ship.destination(shop, [label], [carrier.leg()]))
    with ship.store.read() as session:
        shipment_id = session.scalars(
            select(PackageShipment.id).where(
                PackageShipment.package_id == package_row(ship.store, label).id
            )
        ).one()
    body = shop.api.ok(
        "GET", f"/transfers/v2/deliveries/package/{shipment_id}/requiredlabtestbatches"
    )
    assert list(body["Data"][0]) == keys(
        "GET /transfers/v2/deliveries/package/{id}/requiredlabtestbatches"
    )
    assert [(b["PackageId"], b["LabTestBatchName"]) for b in body["Data"]] == [
        (package_row(ship.store, label).id, "Flower Potency")
    ]
    assert (
        shop.api.ok(
            "GET", f"/transfers/v1/deliveries/package/{shipment_id}/requiredlabtestbatches"
        )[0]["LabTestBatchName"]
        == "Flower Potency"
    )
    assert transfer_id


# --- lists: statements, windows --------------------------------------------------------------


def busy(ship: Shipping, shop: Party, carrier: Carrier, transfers: int = 3) -> list[int]:
    """Transfers of two packages each, one layover, departed and received with a rejection;
    a template of each."""
    made = []
    for _ in range(transfers):
        first, second = ship.packages("10", "10")
        destination = ship.destination(shop, [first, second], [carrier.leg(layover=True)])
        ship.shipper.api.ok(
            "POST",
            "/transfers/v2/templates/outgoing",
            [{"Name": unique("T"), "Destinations": [destination]}],
        )
        transfer_id = ship.register(destination)
        ship.depart(transfer_id)
        delivery_id = ship.delivery_of(transfer_id, shop)
        for step in ("arrive", "checkin", "checkout", "depart"):
            assert ship.hub_step(carrier, step, delivery_id).status_code == 200
        assert (
            ship.receive(shop, transfer_id, accept(first, "9"), reject(second)).status_code == 200
        )
        made.append(transfer_id)
    return made


def test_a_page_of_any_transfer_list_costs_the_same_statements_at_any_size(
    ship: Shipping, shop: Party, carrier: Carrier, client: TestClient, store: Store
) -> None:
    made = busy(ship, shop, carrier)
    delivery_id = ship.delivery_of(made[0], shop)
    (template,) = ship.shipper.api.ok("GET", "/transfers/v2/templates/outgoing", pageSize="1")[
        "Data"
    ]
    template_delivery = data(
        ship.shipper.api.ok("GET", f"/transfers/v2/templates/outgoing/{template['Id']}/deliveries")
    )[0]["Id"]
    lists = [
        (ship.shipper, "/transfers/v2/outgoing", 3),
        (ship.shipper, "/transfers/v2/templates/outgoing", 3),
        (ship.shipper, "/transfers/v2/rejected", 3),
        (shop, "/transfers/v2/incoming", 3),
        (carrier, "/transfers/v2/hub", 3),
        (ship.shipper, f"/transfers/v2/deliveries/{delivery_id}/packages", 2),
        (ship.shipper, f"/transfers/v2/deliveries/{delivery_id}/packages/wholesale", 2),
        (
            ship.shipper,
            f"/transfers/v2/templates/outgoing/deliveries/{template_delivery}/packages",
            2,
        ),
    ]
    for party, path, count in lists:
        found = page_statements(
            client,
            store.engine,
            path,
            party.api.headers,
            {"licenseNumber": party.license},
            sizes=(1, count),
        )
        assert [records for records, _ in found.values()] == [1, count], path
        assert found[1][1] == found[count][1], (path, found)


def test_lists_are_windowed_by_last_modified(ship: Shipping, shop: Party, carrier: Carrier) -> None:
    busy(ship, shop, carrier, transfers=1)
    old = {"lastModifiedStart": "2000-01-01T00:00:00Z", "lastModifiedEnd": "2000-01-02T00:00:00Z"}
    for party, path in (
        (ship.shipper, "/transfers/v2/outgoing"),
        (ship.shipper, "/transfers/v2/templates/outgoing"),
        (shop, "/transfers/v2/incoming"),
        (carrier, "/transfers/v2/hub"),
    ):
        assert party.api.ok("GET", path, **old)["Data"] == [], path
        assert len(party.api.ok("GET", path)["Data"]) == 1, path
    assert ship.shipper.api.ok("GET", "/transfers/v1/outgoing", **old) == []


# --- the examples' request bodies ------------------------------------------------------------

WRITES = [
    row
    for row in ROWS
    if row.resource == "Transfers" and row.version == "v2" and row.schema is not None
]


def example_requests(shared_dir: Path) -> dict[str, Any]:
    return dict(
        json.loads((shared_dir / "spec/metrc/v2-examples.json").read_text(), parse_float=Decimal)
    )


@pytest.mark.parametrize("row", WRITES, ids=lambda row: f"{row.method} {row.path}")
def test_the_v2_request_examples_read_as_commands(shared_dir: Path, row: Endpoint) -> None:
    """Every object of the example request of each v2 transfer write is a valid body."""
    objects = example_requests(shared_dir)[f"{row.method} {row.path.rstrip('/')}"][
        "request_example"
    ]
    assert row.schema is not None and objects
    for obj in objects:
        assert (
            row.schema.model_validate(obj).to_command({"template": None, "transfer": None})
            is not None
        )


def test_every_transfer_row_is_served() -> None:
    missing = [
        f"{r.method} {r.path}" for r in ROWS if r.resource == "Transfers" and not r.implemented
    ]
    assert missing == []


def test_the_lists_of_one_transfer_cost_the_same_statements_at_any_size(
    ship: Shipping, carrier: Carrier, client: TestClient, store: Store
) -> None:
    """The rows without a licence (a transfer's deliveries, a delivery's legs and drivers, a
    package's lab test batches) load their target and check the caller once, then page."""
    shops = [ship.party("Dispensary") for _ in range(3)]
    labels = ship.packages(
        "10", "10", "10", required_lab_test_batches=["Flower Potency", "Flower Contaminants"]
    )
    second, third = ship.carrier(), ship.carrier()
    legs = [carrier.leg(layover=True), second.leg(layover=True), third.leg()]
    transfer_id = ship.register(
        *(ship.destination(shop, [label], legs) for shop, label in zip(shops, labels, strict=True))
    )
    delivery_id = ship.delivery_of(transfer_id, shops[0])
    with store.read() as session:
        shipment_id = session.scalars(
            select(PackageShipment.id).where(PackageShipment.delivery_id == delivery_id)
        ).one()
    params = {"licenseNumber": ship.shipper.license}  # ignored by these rows
    for path, count in (
        (f"/transfers/v2/{transfer_id}/deliveries", 3),
        (f"/transfers/v2/deliveries/{delivery_id}/transporters", 3),
        (f"/transfers/v2/deliveries/{delivery_id}/transporters/details", 3),
        (f"/transfers/v2/deliveries/package/{shipment_id}/requiredlabtestbatches", 2),
    ):
        found = page_statements(
            client, store.engine, path, ship.shipper.api.headers, params, sizes=(1, count)
        )
        assert [records for records, _ in found.values()] == [1, count], path
        assert found[1][1] == found[count][1], (path, found)
