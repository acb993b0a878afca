"""Plant endpoints, v1 and v2, through HTTP: reads, growth phase, move, re-tag, strain, destroy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from leafledger.domain.models import Plant, Tag
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger
from tests.metrc.test_plant_batches import Grow, example_keys, make_grow
from tests.statements import page_statements


def grown(
    client: TestClient, ledger: Ledger, store: Store, demo: DemoAccess, tags: int = 60
) -> Grow:
    """A facility with 10 vegetative plants tagged 1..10 from a batch "Clones" of 20."""
    made = make_grow(client, ledger, store, demo, tags=tags)
    assert made.plant("Clones", 20).status_code == 200
    body = {
        "Name": "Clones",
        "Count": 10,
        "StartingTag": made.tag(1),
        "GrowthPhase": "Vegetative",
        "NewLocation": made.room,
        "GrowthDate": "2024-01-20",
    }
    assert made.send("POST", "/plantbatches/v2/growthphase", [body]).status_code == 200
    return made


@pytest.fixture()
def grow(client: TestClient, ledger: Ledger, store: Store, demo: DemoAccess) -> Grow:
    return grown(client, ledger, store, demo)


def plant(grow: Grow, label: str) -> dict[str, Any]:
    response = grow.send("GET", f"/plants/v2/{label}")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def test_reads_by_id_label_and_phase_have_the_example_keys(grow: Grow, shared_dir: Path) -> None:
    by_label = plant(grow, grow.tag(1))
    assert set(by_label) == example_keys(shared_dir, "GET /plants/v2/{label}")
    assert (by_label["State"], by_label["GrowthPhase"]) == ("Tracked", "Vegetative")
    assert by_label["PlantBatchName"] == "Clones"
    assert by_label["StrainName"] == grow.strain
    by_id = grow.send("GET", f"/plants/v2/{by_label['Id']}").json()
    assert by_id == by_label
    assert grow.send("GET", f"/plants/v1/{by_label['Id']}").json() == by_label
    page = grow.send("GET", "/plants/v2/vegetative", pageSize=3, pageNumber=2).json()
    assert page["Total"] == 10
    assert [p["Label"] for p in page["Data"]] == [grow.tag(4), grow.tag(5), grow.tag(6)]
    assert set(page["Data"][0]) == example_keys(shared_dir, "GET /plants/v2/vegetative")
    assert len(grow.send("GET", "/plants/v1/vegetative").json()) == 10
    assert grow.send("GET", "/plants/v2/flowering").json()["Total"] == 0


@pytest.mark.parametrize("version", ["v2", "v1"])
def test_growth_phase_only_moves_forward(grow: Grow, version: str) -> None:
    method, path = ("PUT", "/plants/v2/growthphase")
    if version == "v1":
        method, path = ("POST", "/plants/v1/changegrowthphases")
    body = {"Label": grow.tag(1), "GrowthPhase": "Flowering", "GrowthDate": "2024-02-01"}
    assert grow.send(method, path, [body]).status_code == 200
    flowering = plant(grow, grow.tag(1))
    assert (flowering["GrowthPhase"], flowering["FloweringDate"]) == ("Flowering", "2024-02-01")
    back = grow.send(method, path, [{**body, "GrowthPhase": "Vegetative"}])
    assert back.status_code == 400
    assert "only move forward" in back.json()[0]["message"]
    assert [p["Label"] for p in grow.send("GET", "/plants/v1/flowering").json()] == [grow.tag(1)]


def test_growth_phase_with_a_new_tag_retires_the_old(grow: Grow, store: Store) -> None:
    body = {"Label": grow.tag(2), "NewTag": grow.tag(50), "GrowthPhase": "Flowering"}
    assert grow.send("PUT", "/plants/v2/growthphase", [body]).status_code == 200
    assert plant(grow, grow.tag(50))["GrowthPhase"] == "Flowering"
    assert grow.send("GET", f"/plants/v2/{grow.tag(2)}").status_code == 404
    with store.read() as session:
        statuses = dict(
            session.execute(
                select(Tag.label, Tag.status).where(Tag.label.in_([grow.tag(2), grow.tag(50)]))
            ).all()
        )
    assert statuses == {grow.tag(2): "Retired", grow.tag(50): "Used"}


def test_mother_phase_needs_the_facility_capability(grow: Grow, store: Store) -> None:
    body = {"Label": grow.tag(3), "GrowthPhase": "Mother"}
    refused = grow.send("PUT", "/plants/v2/growthphase", [body])
    assert refused.status_code == 400
    assert "mother plants" in refused.json()[0]["message"]
    with store.transaction() as session:
        from leafledger.domain.models import Facility

        facility = session.get(Facility, grow.facility.id)
        assert facility is not None
        facility.capabilities = {**facility.capabilities, "CanTrackMotherPlantsAsGrowthPhase": True}
    assert grow.send("PUT", "/plants/v2/growthphase", [body]).status_code == 200
    mothers = grow.send("GET", "/plants/v2/mother").json()["Data"]
    assert [m["Label"] for m in mothers] == [grow.tag(3)]
    assert grow.send("GET", "/plants/v2/vegetative").json()["Total"] == 9


@pytest.mark.parametrize("version", ["v2", "v1"])
def test_move_only_to_a_location_for_plants(grow: Grow, version: str) -> None:
    method, path = (
        ("PUT", "/plants/v2/location") if version == "v2" else ("POST", "/plants/v1/moveplants")
    )
    refused = grow.send(method, path, [{"Label": grow.tag(1), "Location": grow.storage}])
    assert refused.status_code == 400
    assert "cannot hold plants" in refused.json()[0]["message"]
    moved = grow.send(method, path, [{"Label": grow.tag(1), "Location": grow.plants_only}])
    assert moved.status_code == 200
    assert plant(grow, grow.tag(1))["LocationName"] == grow.plants_only


def test_retag_and_change_strain(grow: Grow) -> None:
    plant_id = plant(grow, grow.tag(4))["Id"]
    used = grow.send("PUT", "/plants/v2/tag", [{"Id": plant_id, "NewTag": grow.tag(5)}])
    assert used.status_code == 400
    assert "used only once" in used.json()[0]["message"]
    retag = grow.send("PUT", "/plants/v2/tag", [{"Id": plant_id, "NewTag": grow.tag(40)}])
    assert retag.json()["Ids"] == [plant_id]
    strain = grow.send(
        "PUT", "/plants/v2/strain", [{"Id": plant_id, "StrainName": grow.other_strain}]
    )
    assert strain.status_code == 200
    changed = plant(grow, grow.tag(40))
    assert (changed["Id"], changed["StrainName"]) == (plant_id, grow.other_strain)


@pytest.mark.parametrize("version", ["v2", "v1"])
def test_destroy_with_waste_takes_the_plant_out_of_the_active_lists(
    grow: Grow, version: str
) -> None:
    body = {
        "Label": grow.tag(6),
        "WasteMethodName": "Compost",
        "WasteMaterialMixed": "Soil",
        "WasteWeight": 15.5,
        "WasteUnitOfMeasureName": "grams",
        "WasteReasonName": "Disease",
        "ActualDate": "2024-01-25",
    }
    for change, message in [
        ({"WasteReasonName": "Bad Vibes"}, "unknown"),
        ({"WasteWeight": 0}, "requires a waste weight"),
        ({"WasteMethodName": "Incinerator"}, "not a plant waste method"),
        ({"WasteUnitOfMeasureName": "Liters"}, "not a unit of weight"),
        ({"WasteReasonName": "Other"}, "requires a note"),
    ]:
        refused = grow.send("DELETE", f"/plants/{version}/", [{**body, **change}])
        assert refused.status_code == 400, change
        assert message in refused.json()[0]["message"]
    assert grow.send("DELETE", f"/plants/{version}/", [body]).status_code == 200
    gone = plant(grow, grow.tag(6))
    assert (gone["State"], gone["DestroyedDate"]) == ("Destroyed", "2024-01-25")
    assert gone["DestroyedByUserName"]
    assert grow.send("GET", "/plants/v2/vegetative").json()["Total"] == 9
    assert [p["Label"] for p in grow.send("GET", "/plants/v2/inactive").json()["Data"]] == [
        grow.tag(6)
    ]
    again = grow.send("DELETE", f"/plants/{version}/", [body])
    assert again.status_code == 400
    waste = grow.send("GET", "/plants/v2/waste").json()["Data"]
    assert [(w["WasteWeight"], w["PlantCount"]) for w in waste] == [(15.5, 1)]
    # counts of the batch are not touched by a tagged plant's fate
    assert grow.batch("Clones")["TrackedCount"] == 10


def test_plant_waste_and_its_plants(grow: Grow) -> None:
    body = {
        "WasteMethodName": "Grinder",
        "WasteWeight": 12,
        "UnitOfMeasureName": "Grams",
        "ReasonName": "Trim",
        "PlantLabels": [grow.tag(7), grow.tag(8)],
    }
    ids = grow.send("POST", "/plants/v2/waste", [body]).json()["Ids"]
    listed = grow.send("GET", f"/plants/v2/waste/{ids[0]}/plant").json()["Data"]
    assert [(p["Label"], p["WasteAmount"]) for p in listed] == [(grow.tag(7), 6), (grow.tag(8), 6)]
    assert plant(grow, grow.tag(7))["State"] == "Tracked"
    assert grow.send("POST", "/plants/v1/waste", [{**body, "PlantLabels": []}]).status_code == 400


@pytest.mark.parametrize("path", ["/plants/v2/additives", "/plants/v1/additives"])
def test_additives_by_label_and_by_location(grow: Grow, path: str) -> None:
    body = {"AdditiveType": "Pesticide", "ProductTradeName": "Bug Off", "ActualDate": "2024-01-21"}
    by_label = grow.send("POST", path, [{**body, "PlantLabels": [grow.tag(1), grow.tag(2)]}])
    assert by_label.status_code == 200
    by_location = grow.send("POST", f"{path}/bylocation", [{**body, "LocationName": grow.room}])
    assert by_location.status_code == 200
    listed = grow.send("GET", "/plants/v2/additives").json()["Data"]
    assert len(listed) == 2 + 10
    assert {a["ProductTradeName"] for a in listed} == {"Bug Off"}
    unknown = grow.send("POST", path, [{**body, "PlantLabels": ["NOPE"]}])
    assert unknown.status_code == 400


def test_foreign_plants_answer_401_and_lists_are_scoped(
    grow: Grow, client: TestClient, ledger: Ledger, store: Store, demo: DemoAccess
) -> None:
    other = make_grow(client, ledger, store, demo, tags=0)
    mine = plant(grow, grow.tag(1))
    assert other.send("GET", f"/plants/v2/{mine['Id']}").status_code == 401
    assert other.send("GET", f"/plants/v2/{grow.tag(1)}").status_code == 401
    assert other.send("GET", "/plants/v2/vegetative").json()["Total"] == 0
    moved = other.send("PUT", "/plants/v2/location", [{"Id": mine["Id"], "Location": other.room}])
    assert moved.status_code == 400


def test_a_facility_that_cannot_grow_is_refused_plant_changes(
    grow: Grow, client: TestClient, ledger: Ledger, demo: DemoAccess
) -> None:
    shop = ledger.facility("Dispensary")
    ledger.grant_demo_user(shop.license_number)
    response = client.put(
        "/plants/v2/location",
        params={"licenseNumber": shop.license_number},
        headers=demo.headers,
        json=[{"Label": grow.tag(1), "Location": grow.room}],
    )
    assert response.status_code in (400, 403)
    assert "may not grow plants" in response.text


# --- a page costs the same statements at any size --------------------------------------------

# Which plants (by tag number) are put in which phase, state and hold for the lists below.
ARRANGED = {
    range(1, 4): ("Vegetative", "Tracked", False),
    range(4, 7): ("Vegetative", "Tracked", True),
    range(7, 10): ("Flowering", "Tracked", False),
    range(10, 13): ("Vegetative", "Destroyed", False),
    range(13, 16): ("Mother", "Tracked", False),
    range(16, 19): ("Mother", "Tracked", True),
    range(19, 22): ("Mother", "Destroyed", False),
}


def arranged(client: TestClient, ledger: Ledger, store: Store, demo: DemoAccess) -> Grow:
    """A facility with at least three plants in every plant list."""
    made = make_grow(client, ledger, store, demo, tags=30)
    assert made.plant("Clones", 30).status_code == 200
    body = {"Name": "Clones", "Count": 21, "StartingTag": made.tag(1), "GrowthPhase": "Vegetative"}
    assert made.send("POST", "/plantbatches/v2/growthphase", [body]).status_code == 200
    with store.transaction() as session:
        for numbers, (phase, state, held) in ARRANGED.items():
            labels = [made.tag(n) for n in numbers]
            for found in session.scalars(select(Plant).where(Plant.label.in_(labels))):
                found.growth_phase, found.state, found.is_on_hold = phase, state, held
    return made


@pytest.mark.parametrize(
    "path",
    [
        "/plants/v2/vegetative",
        "/plants/v2/flowering",
        "/plants/v2/inactive",
        "/plants/v2/onhold",
        "/plants/v2/mother",
        "/plants/v2/mother/inactive",
        "/plants/v2/mother/onhold",
    ],
)
def test_a_page_of_plants_costs_the_same_statements_at_any_size(
    client: TestClient, ledger: Ledger, store: Store, demo: DemoAccess, path: str
) -> None:
    grow = arranged(client, ledger, store, demo)
    found = page_statements(
        client, store.engine, path, grow.headers, {"licenseNumber": grow.license}, sizes=(1, 3)
    )
    assert [records for records, _ in found.values()] == [1, 3]
    assert found[1][1] == found[3][1]


def test_pages_of_waste_additives_and_waste_plants_cost_the_same_statements(
    grow: Grow, client: TestClient, store: Store
) -> None:
    waste = {
        "WasteMethodName": "Grinder",
        "WasteWeight": 3,
        "UnitOfMeasureName": "Grams",
        "PlantLabels": [grow.tag(1), grow.tag(2), grow.tag(3)],
    }
    [waste_id, *_] = grow.send("POST", "/plants/v2/waste", [waste] * 3).json()["Ids"]
    additive = {"AdditiveType": "Pesticide", "PlantLabels": [grow.tag(n) for n in (1, 2, 3)]}
    assert grow.send("POST", "/plants/v2/additives", [additive]).status_code == 200
    for path in ("/plants/v2/waste", "/plants/v2/additives", f"/plants/v2/waste/{waste_id}/plant"):
        found = page_statements(
            client, store.engine, path, grow.headers, {"licenseNumber": grow.license}, sizes=(1, 3)
        )
        assert [records for records, _ in found.values()] == [1, 3], path
        assert found[1][1] == found[3][1], path
