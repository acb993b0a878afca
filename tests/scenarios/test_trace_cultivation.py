"""Seed to lot through the Trace dialect alone, then the same ledger read through Metrc v2.

The flow of test_cultivation.py: plant 100 clones, tag 40 of them into the vegetative phase,
flower them, harvest them into one harvest, record waste, make three lots in grams, ounces and
pounds, and finish the harvest. Every step is a Trace request (the tags, which no Trace
endpoint issues, come from the operator's `issue_tags`); every count and weight is checked on
the way through Trace reads, and at the end each of them is compared with what the Metrc v2
reads of the same rows answer.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger, unique
from tests.trace.conftest import MetrcCalls, TraceAccess, TraceClient, issued_tags


def _number(value: Any) -> Decimal:
    return Decimal(str(value))


def _listed(trace: TraceClient, **params: Any) -> list[dict[str, Any]]:
    response = trace.get("", limit=1000, **params)
    assert response.status_code == 200, response.text
    data: list[dict[str, Any]] = response.json()["results"]["data"]
    return data


def test_seed_to_lot_through_trace(
    client: TestClient, demo: DemoAccess, ledger: Ledger, store: Store
) -> None:
    trace = TraceAccess(demo.trace_api_key, demo.vendor_key, demo.user_key)
    facility = ledger.facility("Cultivator")
    ledger.grant_demo_user(facility.license_number)
    grow = TraceClient(client, trace, facility.license_number)
    day = (date.today() - timedelta(days=2)).isoformat() + "T00:00:00Z"
    plant_tags = issued_tags(store, facility.license_number, "plant", 40)
    package_tags = issued_tags(store, facility.license_number, "package", 4)

    locations, strains = grow.at("config/locations"), grow.at("config/strains")
    products, batches = grow.at("config/products"), grow.at("plant_batches")
    plants, harvests = grow.at("plants"), grow.at("harvests")
    room = locations.create(unique("Room"), "COLOC0001")
    strain = strains.data(
        "POST",
        body={
            "name": unique("Kush"),
            "cannabinoids": {"thc_percent": 21, "cbd_percent": 1},
            "contents": {"indica_percent": 60, "sativa_percent": 40},
        },
    )
    units = ("Grams", "Ounces", "Pounds")
    product_ids = {
        unit: products.data(
            "POST",
            body={
                "name": unique(f"Buds {unit}"),
                "category": {"id": "COPCAT0001"},
                "characteristics": {"unit_of_measure": unit, "strain": {"id": strain["id"]}},
            },
        )["id"]
        for unit in units
    }

    # 1. Plant 100 clones.
    batch = batches.data(
        "POST",
        body={
            "name": unique("Clones"),
            "type": {"id": "COPBT0002"},
            "quantity": {"unit_of_measure": "Each", "total": 100},
            "planted_date": day,
            "strain": {"id": strain["id"]},
            "origin": {"plants": None, "plant_batches": None, "lots": None},
            "locations": {"id": room["id"]},
        },
    )
    assert batch["type"] == {"id": "COPBT0002", "name": "clone"}
    assert (batch["quantity"]["untracked"], batch["quantity"]["tracked"]) == ("100", "0")

    # 2. Tag 40 of them into the vegetative phase, from the first plant tag on.
    tagging = {
        "origin": {"plant_batch": {"id": batch["id"]}},
        "quantity": 40,
        "barcode": plant_tags[0],
        "growth_phase": {"id": "COPGP0001", "growth_date": day},
        "is_mother_plant": False,
        "strain": {"id": strain["id"]},
        "locations": {"id": room["id"]},
    }
    made = plants.data("POST", body=tagging)
    assert [p["barcode"] for p in made] == plant_tags
    assert all(p["growth_phase"]["name"] == "vegetative" for p in made)
    tagged = batches.data("GET", f"/{batch['id']}")["quantity"]
    assert (tagged["untracked"], tagged["tracked"], tagged["total"]) == ("60", "40", "100")
    assert sorted(p["barcode"] for p in _listed(plants, entity_state="vegetative")) == plant_tags

    # More plants than the batch holds are refused, naming the field, and nothing changes.
    detail = plants.refused("POST", "", {**tagging, "quantity": 61, "barcode": plant_tags[0]})
    assert detail.startswith("quantity:") and "60" in detail
    assert batches.data("GET", f"/{batch['id']}")["quantity"]["untracked"] == "60"

    # 3. Flower them.
    for plant in made:
        flowered = plants.data(
            "PUT",
            f"/{plant['id']}",
            {
                "actions": {"id": "COPLUD0006"},
                "growth_phase": {"id": "COPGP0002", "growth_date": day},
                "locations": {"id": room["id"]},
            },
        )
        assert flowered["actions"] == {"id": "COPLUD0006", "name": "growth_phase"}
    assert _listed(plants, entity_state="vegetative") == []
    assert len(_listed(plants, entity_state="flowering")) == 40

    # 4. Harvest them into one harvest: 250.5 g of wet weight each.
    harvest = harvests.data(
        "POST",
        body={
            "name": unique("Harvest"),
            "harvest_date": {"start": day, "end": None},
            "type": {"id": "COHHT0001"},
            "plants": [
                {"id": p["id"], "quantity": "250.5", "unit_of_measure": "Grams"} for p in made
            ],
            "locations": {"id": room["id"]},
        },
    )
    assert _listed(plants, entity_state="flowering") == []
    assert len(_listed(plants, entity_state="harvested")) == 40
    assert harvest["strain"]["strains"] == [{"id": strain["id"], "name": strain["name"]}]
    assert harvest["totals"]["plants"]["number"] == "40"
    weights = harvest["totals"]["weights"]
    assert (weights["wet"], weights["current"], weights["unit_of_measure"]) == (
        "10020",
        "10020",
        "Grams",
    )
    at_harvest = f"/{harvest['id']}"

    # 5. Waste: 20 g.
    harvests.data(
        "PUT",
        at_harvest,
        {
            "action": {"id": "KMHAN0002"},
            "waste": [
                {"type": "Plant Material", "quantity": 20, "unit_of_measure": "Grams", "date": day}
            ],
        },
    )

    # 6. Three lots in three units, drawn from the harvest with exact conversion.
    draws = [("Grams", Decimal("1000")), ("Ounces", Decimal("16")), ("Pounds", Decimal("2"))]
    lots = [
        {
            "product": {"id": product_ids[unit]},
            "barcode": tag,
            "quantity": str(weight),
            "unit_of_measure": unit,
            "locations": {"id": room["id"]},
            "date": day,
        }
        for tag, (unit, weight) in zip(package_tags, draws, strict=False)
    ]
    with_lots = harvests.data(
        "PUT", at_harvest + "?expand=lots", {"action": {"id": "KMHAN0003"}, "products": lots}
    )
    drawn = Decimal("1000") + Decimal("16") * Decimal("28.349523125") + 2 * Decimal("453.59237")
    weights = with_lots["totals"]["weights"]
    assert _number(weights["current"]) == Decimal("10020") - 20 - drawn
    assert (weights["waste"], with_lots["totals"]["lots"]["number"]) == ("20", "3")
    assert [lot["barcode"] for lot in with_lots["lots"]] == package_tags[:3]
    for lot, (unit, weight) in zip(with_lots["lots"], draws, strict=True):
        assert (_number(lot["quantity"]), lot["unit_of_measure"]) == (weight, unit)

    # Drawing more than the harvest holds is refused; the harvest and the tag are untouched.
    too_much = {**lots[0], "barcode": package_tags[3], "quantity": 10_000}
    detail = harvests.refused(
        "PUT", at_harvest, {"action": {"id": "KMHAN0003"}, "products": [too_much]}
    )
    assert detail.startswith("products[0].quantity:"), detail
    assert harvests.data("GET", at_harvest)["totals"]["weights"] == weights

    # 7. Finish the harvest: it leaves the active list for the finished one.
    finished = harvests.data("PUT", at_harvest, {"action": {"id": "KMHAN0004"}, "date": day})
    assert finished["harvest_date"]["end"] == day
    assert harvest["id"] not in {h["id"] for h in _listed(harvests)}
    [listed] = _listed(harvests, entity_state="finished")
    assert [h["state"] for h in listed["entity_state"]] == ["active", "finished"]

    # The same ledger through Metrc v2: every count and weight agrees.
    metrc = MetrcCalls(client, demo.headers, facility.license_number)
    (metrc_batch,) = [
        b for b in metrc.listed("/plantbatches/v2/active") if b["Id"] == int(batch["id"])
    ]
    assert (metrc_batch["UntrackedCount"], metrc_batch["TrackedCount"]) == (60, 40)
    assert metrc.listed("/plants/v2/vegetative") == metrc.listed("/plants/v2/flowering") == []
    inactive = metrc.listed("/plants/v2/inactive")
    assert sorted(p["Label"] for p in inactive) == plant_tags
    assert {p["State"] for p in inactive} == {"HarvestedFully"}
    (metrc_harvest,) = [
        h for h in metrc.listed("/harvests/v2/inactive") if h["Id"] == int(harvest["id"])
    ]
    trace_weights = finished["totals"]["weights"]
    assert metrc_harvest["PlantCount"] == int(finished["totals"]["plants"]["number"]) == 40
    assert metrc_harvest["PackageCount"] == int(finished["totals"]["lots"]["number"]) == 3
    for metrc_key, trace_key in (
        ("TotalWetWeight", "wet"),
        ("CurrentWeight", "current"),
        ("TotalWasteWeight", "waste"),
        ("TotalPackagedWeight", "packaged"),
    ):
        assert _number(metrc_harvest[metrc_key]) == _number(trace_weights[trace_key]), metrc_key
    assert _number(metrc_harvest["TotalPackagedWeight"]) == drawn
    assert metrc_harvest["FinishedDate"] == day[:10]
    assert metrc_harvest["SourceStrainNames"] == strain["name"]
    packages = {p["Label"]: p for p in metrc.listed("/packages/v2/active")}
    for lot in with_lots["lots"]:
        package = packages[lot["barcode"]]
        assert _number(package["Quantity"]) == _number(lot["quantity"])
        assert package["UnitOfMeasureName"] == lot["unit_of_measure"]
        assert package["Id"] == int(lot["id"])
        assert harvest["name"] in package["SourceHarvestNames"]
    available = {t["Label"] for t in metrc.call("GET", "/tags/v2/package/available")}
    assert set(package_tags[:3]).isdisjoint(available) and package_tags[3] in available
