"""Trace harvests: cutting plants in, actions, lots, deactivation, refusals, and the same
harvests through Metrc."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from leafledger.store import Store
from tests.conftest import unique
from tests.trace.conftest import MetrcCalls, assert_fixed_page_cost
from tests.trace.grow import DAY, Grow

HARVEST_KEYS = {
    "license", "actions", "id", "name", "harvest_date", "type", "strain", "totals",
    "locations", "is_on_hold", "additional", "waste", "lots", "entity_state",
}  # fmt: skip


def _put(grow: Grow, harvest: dict[str, Any], action: int, **body: Any) -> dict[str, Any]:
    change: dict[str, Any] = {"action": {"id": f"KMHAN000{action}"}, **body}
    data: dict[str, Any] = grow.harvests.data("PUT", f"/{harvest['id']}", change)
    return data


def test_create_cuts_the_plants_into_a_new_harvest(grow: Grow, metrc: MetrcCalls) -> None:
    plants = grow.flowering(2)
    harvest = grow.harvest(plants, weight="120.5")
    assert set(harvest) == HARVEST_KEYS
    assert harvest["type"] == {"id": "COHHT0001", "name": "harvest"}
    assert harvest["harvest_date"] == {"start": DAY, "end": None}
    assert harvest["strain"] == {
        "number": "1",
        "unit_of_measure": "Each",
        "strains": [{"id": grow.strain["id"], "name": grow.strain["name"]}],
    }
    assert harvest["totals"] == {
        "plants": {"number": "2", "unit_of_measure": "Each"},
        "lots": {"number": "0"},
        "weights": {
            "unit_of_measure": "Grams",
            "wet": "241",
            "current": "241",
            "waste": "0",
            "packaged": "0",
            "restored": "0",
        },
    }
    assert harvest["locations"] == {"id": grow.room["id"], "name": grow.room["name"]}
    assert [(h["state"], h["reason"]) for h in harvest["entity_state"]] == [
        ("active", "harvest created")
    ]
    seen = metrc.call("GET", f"/harvests/v2/{harvest['id']}")
    assert (seen["Name"], seen["PlantCount"], seen["HarvestType"]) == (
        harvest["name"],
        2,
        "WholePlant",
    )
    assert Decimal(str(seen["TotalWetWeight"])) == Decimal("241")
    cut = grow.plants.get(f"/{plants[0]['id']}", expand="harvest").json()["results"]["data"]
    assert cut["entity_state"][-1]["state"] == "harvested"
    assert cut["harvest"] == [
        {
            "harvest": {"id": harvest["id"], "name": harvest["name"]},
            "quantity": "120.5",
            "unit_of_measure": "Grams",
            "date": DAY,
        }
    ]


def test_types_and_actions_lists(grow: Grow) -> None:
    client, headers = grow.fresh.client, grow.fresh.access.headers
    types = client.get("/co/v1/harvests/types", headers=headers).json()["results"]["data"]
    assert types == [
        {"id": "COHHT0001", "name": "harvest"},
        {"id": "COHHT0002", "name": "manicure_harvest"},
    ]
    for state in ("co", "ca"):
        actions = client.get(f"/{state}/v1/harvests/actions", headers=headers).json()
        ids = {a["name"]: a["id"] for a in actions["results"]["data"]}
        assert ids["move"] == "KMHAN0006" and len(ids) == 8


def test_a_manicure_leaves_the_plants_growing(grow: Grow) -> None:
    plants = grow.flowering(1)
    harvest = grow.harvest(plants, weight="10", kind="COHHT0002")
    assert harvest["type"]["name"] == "manicure_harvest"
    plant = grow.plants.get(f"/{plants[0]['id']}", expand="manicure,harvest").json()
    data = plant["results"]["data"]
    assert data["entity_state"][-1]["state"] == "flowering"
    assert [m["quantity"] for m in data["manicure"]] == ["10"] and data["harvest"] == []


def test_actions_through_trace_seen_by_metrc(grow: Grow, metrc: MetrcCalls) -> None:
    first, second, third = grow.flowering(3)
    harvest = grow.harvest([first], weight="200")
    added = _put(
        grow, harvest, 1, plants=[{"id": second["id"], "quantity": 100, "unit_of_measure": "Grams"}]
    )
    assert added["actions"] == {"id": "KMHAN0001", "name": "add_plants"}
    assert added["totals"]["weights"]["wet"] == "300"
    _put(
        grow,
        harvest,
        2,
        waste=[
            {"type": "Plant Material", "quantity": "12.5", "unit_of_measure": "Grams", "date": DAY}
        ],
    )
    product = grow.product("Ounces")
    [tag] = grow.tags("package", 1)
    lot = {
        "product": {"id": product["id"]},
        "barcode": tag,
        "quantity": 2,
        "unit_of_measure": "Ounces",
        "date": DAY,
    }
    with_lots = grow.harvests.data(
        "PUT", f"/{harvest['id']}?expand=all", {"action": {"id": "KMHAN0003"}, "products": [lot]}
    )
    [made] = with_lots["lots"]
    assert (made["barcode"], made["quantity"], made["unit_of_measure"]) == (tag, "2", "Ounces")
    assert made["drawn"] == {"quantity": "56.69904625", "unit_of_measure": "Grams"}
    assert [(w["type"], w["quantity"]) for w in with_lots["waste"]] == [("Plant Material", "12.5")]
    room = grow.fresh.create(unique("Drying"), "COLOC0005")
    _put(grow, harvest, 6, locations={"id": room["id"]}, move_date=DAY)
    renamed = _put(grow, harvest, 7, name="Renamed Harvest")
    finished = _put(grow, harvest, 4, date=DAY)
    assert finished["harvest_date"]["end"] == DAY
    assert [h["state"] for h in finished["entity_state"]] == ["active", "finished"]
    seen = metrc.call("GET", f"/harvests/v2/{harvest['id']}")
    assert (seen["Name"], seen["DryingLocationName"], seen["FinishedDate"]) == (
        renamed["name"],
        room["name"],
        DAY[:10],
    )
    assert (seen["PlantCount"], seen["PackageCount"]) == (2, 1)
    for key, value in (("TotalWasteWeight", "12.5"), ("TotalPackagedWeight", "56.69904625")):
        assert Decimal(str(seen[key])) == Decimal(value)
    package = metrc.call("GET", f"/packages/v2/{made['id']}")
    assert (package["Label"], package["Item"]["Name"]) == (tag, product["name"])
    reopened = _put(grow, harvest, 5)
    assert [h["state"] for h in reopened["entity_state"]] == ["active", "finished", "active"]
    assert reopened["entity_state"][-1]["reason"] == "harvest unfinished"
    assert third["id"] not in {
        p["id"] for p in grow.plants.get("", entity_state="harvested").json()["results"]["data"]
    }


def test_restore_plants_and_deactivate(grow: Grow, metrc: MetrcCalls) -> None:
    first, second = grow.flowering(2)
    harvest = grow.harvest([first, second], weight="50")
    restored = _put(grow, harvest, 8, plants=[{"id": first["id"]}])
    assert restored["totals"]["weights"]["restored"] == "50"
    assert grow.plants.data("GET", f"/{first['id']}")["entity_state"][-1] == {
        **grow.plants.data("GET", f"/{first['id']}")["entity_state"][-1],
        "state": "flowering",
        "reason": "plant restored",
    }
    response = grow.harvests.send("DELETE", f"/{harvest['id']}", {})
    assert response.json() == {
        "results": {"type": "object", "data": {"id": harvest["id"], "deleted": True}},
        "warnings": [],
    }
    assert grow.plants.data("GET", f"/{second['id']}")["entity_state"][-1]["state"] == "flowering"
    assert harvest["id"] not in {h["id"] for h in grow.harvests.data("GET")}
    [deleted] = grow.harvests.get("", entity_state="deleted").json()["results"]["data"]
    assert deleted["entity_state"][-1] == {
        **deleted["entity_state"][-1],
        "state": "inactive",
        "reason": "harvest archived",
    }
    assert harvest["id"] not in {str(h["Id"]) for h in metrc.listed("/harvests/v2/active")}
    # The name is free again, and a harvest drawn on cannot be deactivated.
    again = grow.harvest([first], weight="5")
    assert again["name"] != harvest["name"]
    _put(
        grow,
        again,
        2,
        waste=[{"type": "Plant Material", "quantity": 1, "unit_of_measure": "Grams"}],
    )
    assert "Waste or packages" in grow.harvests.refused("DELETE", f"/{again['id']}", {})


def test_a_metrc_harvest_changed_through_trace(grow: Grow, metrc: MetrcCalls) -> None:
    [plant] = grow.flowering(1)
    name = unique("Metrc Harvest")
    metrc.call(
        "PUT",
        "/plants/v2/harvest",
        [
            {
                "Plant": plant["barcode"],
                "Weight": 80,
                "UnitOfWeight": "Grams",
                "DryingLocation": grow.room["name"],
                "HarvestName": name,
                "ActualDate": DAY[:10],
            }
        ],
    )
    [listed] = [h for h in grow.harvests.data("GET") if h["name"] == name]
    assert listed["totals"]["weights"]["wet"] == "80"
    [named] = grow.harvests.get("", name=name).json()["results"]["data"]
    assert named["id"] == listed["id"]
    _put(grow, listed, 7, name=name + " (renamed)")
    assert metrc.call("GET", f"/harvests/v2/{listed['id']}")["Name"] == name + " (renamed)"


def test_refusals_name_the_field_and_change_nothing(grow: Grow) -> None:
    plant, spare = grow.flowering(2)
    [vegetative] = grow.vegetative(1)
    harvest = grow.harvest([plant], weight="10")
    body = {"name": unique("H"), "type": {"id": "COHHT0001"}, "locations": {"id": grow.room["id"]}}
    gram = {"id": spare["id"], "quantity": 1, "unit_of_measure": "Grams"}
    for change, field in (
        ({"name": harvest["name"], "plants": [gram]}, "name"),
        ({"plants": []}, "plants"),
        ({"plants": [{"id": spare["id"]}]}, "plants[0].quantity"),
        ({"plants": [{**gram, "unit_of_measure": "Liters"}]}, "plants[0].unit_of_measure"),
        ({"plants": [{**gram, "id": vegetative["id"]}]}, "Plant"),
        ({"type": {"id": "COHHT0009"}}, "type"),
    ):
        assert grow.harvests.refused("POST", "", {**body, **change}).startswith(field), change
    product = grow.product()
    [tag] = grow.tags("package", 1)
    lot = {
        "product": {"id": product["id"]},
        "barcode": tag,
        "quantity": 11,
        "unit_of_measure": "Grams",
    }
    lots, waste = {"id": "KMHAN0003"}, {"id": "KMHAN0002"}
    gold = {"type": "Gold", "quantity": 1, "unit_of_measure": "Grams"}
    each = {**lot, "quantity": 1, "unit_of_measure": "Each"}
    at = f"/{harvest['id']}"
    for change, field in (
        ({"action": lots, "products": [lot]}, "products[0].quantity"),
        ({"action": lots, "products": [each]}, "products[0].unit_of_measure"),
        ({"action": waste, "waste": [gold]}, "waste[0].type"),
        ({"action": {"id": "KMHAN0001"}, "plants": [{**gram, "id": vegetative["id"]}]}, "Plant"),
        ({"action": {"id": "KMHAN0006"}}, "locations"),
        ({"action": {"id": "KMHAN0099"}}, "action"),
    ):  # fmt: skip
        assert grow.harvests.refused("PUT", at, change).startswith(field), change
    assert grow.harvests.data("GET", at) == harvest
    assert [h["id"] for h in grow.harvests.data("GET")] == [harvest["id"]]


def test_a_page_costs_the_same_statements_at_any_size(grow: Grow, store: Store) -> None:
    plants = grow.flowering(3)
    for plant in plants:
        grow.harvest([plant])
    assert_fixed_page_cost(grow.harvests, store)
    assert_fixed_page_cost(grow.harvests, store, expand="all")
