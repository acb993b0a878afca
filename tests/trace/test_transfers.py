"""Trace transfers over the same rows as Metrc's: made in Trace and read in Metrc, made in
Metrc (and the leafledger extension) and read in Trace; depart, void and receive as PUT
actions; templates; who reads what; refusals in the Trace envelope with nothing changed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger
from tests.trace.conftest import TraceAccess, TraceClient, assert_fixed_page_cost
from tests.transfers import (
    ARRIVAL,
    DEPARTURE,
    Carrier,
    Party,
    Shipping,
    audit_length,
    package_row,
)

TRANSFER_KEYS = {
    "license",
    "id",
    "name",
    "type",
    "master_manifest",
    "shipper",
    "totals",
    "departure_timestamp",
    "transfers",
    "additional",
    "entity_state",
}


@pytest.fixture()
def ship(client: TestClient, demo: DemoAccess, ledger: Ledger, store: Store) -> Shipping:
    return Shipping.start(client, demo, ledger, store)


@pytest.fixture()
def carrier(ship: Shipping) -> Carrier:
    return ship.carrier()


@pytest.fixture()
def shop(ship: Shipping) -> Party:
    return ship.party("Dispensary")


def traced(client: TestClient, trace: TraceAccess, party: Party) -> TraceClient:
    return TraceClient(client, trace, party.license, resource="transfers")


def transporter(carrier: Carrier) -> dict[str, Any]:
    """The carrier's leg, by the ids of its facility, driver and vehicle."""
    drivers = carrier.api.ok("GET", "/transporters/v2/drivers")["Data"]
    vehicles = carrier.api.ok("GET", "/transporters/v2/vehicles")["Data"]
    driver = next(d for d in drivers if d["DriversLicenseNumber"] == carrier.driver)
    vehicle = next(v for v in vehicles if v["LicensePlateNumber"] == carrier.plate)
    return {
        "facilities": {"id": str(carrier.facility.id)},
        "drivers": [{"id": str(driver["Id"])}],
        "vehicles": [{"id": str(vehicle["Id"])}],
    }


def shipment(recipient: Party, lots: list[int], **more: Any) -> dict[str, Any]:
    return {
        "transfer_type": {"id": "COKOMTT0001"},
        "receiver": {"facilities": {"id": str(recipient.facility.id)}},
        "route_detail": "Scott street to El Camino Real",
        "estimated_departure_timestamp": DEPARTURE,
        "estimated_arrival_timestamp": ARRIVAL,
        "lots": [{"id": str(lot)} for lot in lots],
        **more,
    }


def lot_ids(store: Store, labels: list[str]) -> list[int]:
    return [package_row(store, label).id for label in labels]


def states(view: dict[str, Any]) -> list[str]:
    return [entry["state"] for entry in view["entity_state"]]


def test_a_transfer_made_in_trace_is_metrcs_and_moves_through_put_actions(
    client: TestClient,
    trace: TraceAccess,
    ship: Shipping,
    carrier: Carrier,
    shop: Party,
    store: Store,
) -> None:
    labels = ship.packages("40", "25")
    lots = lot_ids(store, labels)
    shipper = traced(client, trace, ship.shipper)
    made = shipper.send(
        "POST",
        "",
        {
            "name": "Trace transfers 2199",
            "master_manifest": {"number": "da7f7fe3"},
            "shipper": {"facilities": {"id": str(ship.shipper.facility.id)}},
            "transfers": [shipment(shop, lots)],
            "transporter": transporter(carrier),
        },
    )
    assert made.status_code == 200, made.text
    body = made.json()
    assert [w["type"] for w in body["warnings"]] == ["not_kept"]
    view = body["results"]["data"]
    assert set(view) == TRANSFER_KEYS
    transfer_id = int(view["id"])
    assert view["master_manifest"]["number"] == f"{transfer_id:010d}"
    assert view["shipper"]["facilities"]["license_number"] == ship.shipper.license
    (stop,) = view["transfers"]
    assert stop["receiver"]["facilities"]["license_number"] == shop.license
    assert stop["transfer_type"] == {"id": "COKOMTT0001", "name": "Transfer"}
    assert stop["route_detail"] == "Scott street to El Camino Real"
    assert stop["estimated_departure_timestamp"] == "2024-03-06T09:15:00Z"
    (leg,) = stop["transporter"]
    assert leg["facilities"]["license_number"] == carrier.license
    assert leg["drivers"][0]["drivers_license_number"] == carrier.driver
    assert leg["vehicles"][0]["license_plate"] == carrier.plate
    assert [(lot["barcode"], lot["quantity"], lot["state"]) for lot in stop["lots"]] == [
        (labels[0], "40", "in_transit"),
        (labels[1], "25", "in_transit"),
    ]
    assert states(view) == ["active"]

    # The same transfer in Metrc's lists: the shipper's outgoing, the recipient's incoming.
    (outgoing,) = ship.shipper.api.ok("GET", "/transfers/v2/outgoing")["Data"]
    assert (outgoing["Id"], outgoing["PackageCount"]) == (transfer_id, 2)
    assert ship.delivery_of(transfer_id, shop) == int(stop["id"])

    # Depart (the shipper), then receive (the recipient): one short, one rejected.
    departed = shipper.data("PUT", f"/{transfer_id}", {"action": {"id": "KOMTA0001"}})
    assert states(departed) == ["active", "in_transit"]
    assert departed["entity_state"][-1]["reason"].startswith("transfer departed")
    in_transit = ship.shipper.api.ok("GET", "/packages/v2/intransit")["Data"]
    assert {p["Label"] for p in in_transit} == set(labels)
    receiver = traced(client, trace, shop)
    received = receiver.send(
        "PUT",
        f"/{transfer_id}",
        {
            "action": "receive",
            "lots": [
                {
                    "id": str(lots[0]),
                    "state": "accepted",
                    "received_quantity": "39.5",
                    "unit_of_measure": "Grams",
                },
                {"id": str(lots[1]), "state": "rejected", "reason": "Broken seal"},
            ],
        },
    )
    assert received.status_code == 200, received.text
    answer = received.json()["results"]["data"]
    assert answer["actions"] == {"id": "KOMTA0003", "name": "receive"}
    (arrived,) = answer["transfers"]
    assert arrived["received_timestamp"] is not None
    by_label = {lot["barcode"]: lot for lot in arrived["lots"]}
    assert by_label[labels[0]]["state"] == "accepted"
    assert (by_label[labels[0]]["received_quantity"], by_label[labels[0]]["shortage"]) == (
        "39.5",
        "0.5",
    )
    assert by_label[labels[1]]["rejection_reason"] == "Broken seal"
    assert arrived["totals"]["received"] == {"accepted": 1, "rejected": 1}
    shop_stock = shop.api.ok("GET", "/packages/v2/active")["Data"]
    assert {p["Label"]: Decimal(str(p["Quantity"])) for p in shop_stock} == {
        labels[0]: Decimal("39.5")
    }
    (rejected,) = ship.shipper.api.ok("GET", "/transfers/v2/rejected")["Data"]
    assert rejected["Id"] == transfer_id

    # Listed in Trace for both: the shipper's outgoing, the recipient's incoming.
    assert [t["id"] for t in shipper.data("GET")] == [str(transfer_id)]
    assert [t["id"] for t in receiver.get(direction="incoming").json()["results"]["data"]] == [
        str(transfer_id)
    ]
    assert receiver.get(direction="outgoing").json()["results"]["data"] == []
    assert [t["id"] for t in shipper.get(entity_state="received").json()["results"]["data"]] == [
        str(transfer_id)
    ]
    assert shipper.get(entity_state="active").json()["results"]["data"] == []


def test_a_transfer_made_through_metrc_reads_in_trace_and_a_recipient_sees_its_own_stop(
    client: TestClient,
    trace: TraceAccess,
    ship: Shipping,
    carrier: Carrier,
    shop: Party,
) -> None:
    other = ship.party("Dispensary")
    first, second = ship.packages("10"), ship.packages("20")
    transfer_id = ship.register(
        Shipping.destination(shop, first, [carrier.leg()]),
        Shipping.destination(other, second, [carrier.leg()]),
    )
    view = traced(client, trace, ship.shipper).data("GET", f"/{transfer_id}")
    assert [s["receiver"]["facilities"]["license_number"] for s in view["transfers"]] == [
        shop.license,
        other.license,
    ]
    assert view["transfers"][0]["lots"][0]["barcode"] == first[0]
    mine = traced(client, trace, shop).data("GET", f"/{transfer_id}")
    assert [s["receiver"]["facilities"]["license_number"] for s in mine["transfers"]] == [
        shop.license
    ]
    assert mine["license"]["license_number"] == shop.license
    # Not party to it: 401; no such transfer: 404.
    stranger = traced(client, trace, ship.party("Dispensary"))
    assert stranger.get(f"/{transfer_id}").status_code == 401
    assert stranger.get("/999999").status_code == 404


def test_refusals_name_the_trace_field_and_change_nothing(
    client: TestClient,
    trace: TraceAccess,
    ship: Shipping,
    carrier: Carrier,
    shop: Party,
    store: Store,
) -> None:
    lots = lot_ids(store, ship.packages("5"))
    shipper = traced(client, trace, ship.shipper)
    leg = transporter(carrier)
    before = audit_length(store)
    assert "receiver" in shipper.refused(
        "POST",
        "",
        {"transfers": [{**shipment(shop, lots), "receiver": {"facilities": {"id": "999999"}}}],
         "transporter": leg},
    )  # fmt: skip
    teleport = shipment(shop, lots, transfer_type="Teleport")
    assert "transfer type" in shipper.refused(
        "POST", "", {"transfers": [teleport], "transporter": leg}
    )
    assert "vehicle" in shipper.refused(
        "POST",
        "",
        {"transfers": [shipment(shop, lots)], "transporter": {**leg, "vehicles": []}},
    )
    assert "shipper" in shipper.refused(
        "POST",
        "",
        {
            "shipper": {"facilities": {"id": str(shop.facility.id)}},
            "transfers": [shipment(shop, lots)],
            "transporter": leg,
        },
    )
    assert audit_length(store) == before
    view = shipper.data("POST", "", {"transfers": [shipment(shop, lots)], "transporter": leg})
    transfer_id = view["id"]
    receiver = traced(client, trace, shop)
    assert "only the shipper" in receiver.refused("PUT", f"/{transfer_id}", {"action": "depart"})
    assert "not departed" in receiver.refused(
        "PUT",
        f"/{transfer_id}",
        {"action": "receive", "lots": [{"id": str(lots[0]), "state": "accepted"}]},
    )
    assert "action" in shipper.refused("PUT", f"/{transfer_id}", {})
    voided = shipper.data("PUT", f"/{transfer_id}", {"action": "void"})
    assert states(voided)[-1] == "voided"
    assert shipper.get(entity_state="voided").json()["results"]["data"][0]["id"] == transfer_id


def test_templates_are_made_changed_archived_and_shipped_from(
    client: TestClient,
    trace: TraceAccess,
    ship: Shipping,
    carrier: Carrier,
    shop: Party,
    store: Store,
) -> None:
    lots = lot_ids(store, ship.packages("7", "8"))
    shipper = TraceClient(client, trace, ship.shipper.license, resource="transfers/template")
    made = shipper.data(
        "POST",
        "",
        {
            "name": "Weekly",
            "transfers": [shipment(shop, lots)],
            "transporter": transporter(carrier),
        },
    )
    template_id = made["id"]
    assert made["additional"]["is_template"] and made["type"] == "template"
    assert made["master_manifest"]["number"] is None
    assert [lot["quantity"] for lot in made["transfers"][0]["lots"]] == ["7", "8"]
    (listed,) = ship.shipper.api.ok("GET", "/transfers/v2/templates/outgoing")["Data"]
    assert (listed["Id"], listed["Name"]) == (int(template_id), "Weekly")
    renamed = shipper.data("PUT", f"/{template_id}", {"name": "Fortnightly"})
    assert renamed["name"] == "Fortnightly"
    assert len(renamed["transfers"][0]["lots"]) == 2  # kept as they were
    # A transfer from it, through Trace.
    transfers = traced(client, trace, ship.shipper)
    copied = transfers.data("POST", "", {"template": {"id": template_id}})
    assert copied["additional"]["template_id"] == template_id
    assert [lot["barcode"] for lot in copied["transfers"][0]["lots"]] == [
        lot["barcode"] for lot in made["transfers"][0]["lots"]
    ]
    archived = shipper.data("PUT", f"/{template_id}", {"entity_state": [{"state": "inactive"}]})
    assert states(archived)[-1] == "inactive"
    assert ship.shipper.api.ok("GET", "/transfers/v2/templates/outgoing")["Data"] == []


def test_helper_lists_and_a_page_costs_the_same_at_any_size(
    client: TestClient,
    trace: TraceAccess,
    ship: Shipping,
    carrier: Carrier,
    shop: Party,
    store: Store,
) -> None:
    for _ in range(3):
        ship.register(Shipping.destination(shop, ship.packages("1", "2"), [carrier.leg()]))
    assert_fixed_page_cost(traced(client, trace, ship.shipper), store)
    types = client.get("/co/v1/transfers/types", headers=trace.headers).json()["results"]["data"]
    assert types[0] == {"id": "COKOMTT0001", "name": "Transfer"}
    actions = client.get("/co/v1/transfers/actions", headers=trace.headers).json()
    assert [a["name"] for a in actions["results"]["data"]] == ["depart", "void", "receive"]
