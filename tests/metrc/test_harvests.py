"""Harvest rows through HTTP: plants cut into harvests, waste, lifecycle, reads; v2 and v1.

`Grow` builds what a harvest needs (a facility, a location, a strain, flowering plants with
claimed tags, package tags, items) straight through the models; the package tests reuse it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from leafledger.domain.models import (
    AuditEvent,
    Facility,
    Harvest,
    HarvestWaste,
    Item,
    Location,
    Plant,
    PlantBatch,
    PlantWaste,
    Strain,
    Tag,
)
from leafledger.domain.services.lookups import facility_today
from leafledger.store import Store
from tests.conftest import SHARED, DemoAccess, Ledger, unique
from tests.statements import counted_statements, page_statements

EXAMPLES = SHARED / "spec" / "metrc" / "v2-examples.json"


def example(key: str) -> Any:
    return json.loads(EXAMPLES.read_text())[key]["response_example"]


@dataclass
class Grow:
    """A fresh cultivation facility the demo user works at, with what harvesting needs."""

    store: Store
    facility: Facility
    location: str
    strain_id: int
    batch_id: int
    batch_name: str

    @property
    def license(self) -> str:
        return self.facility.license_number

    @property
    def today(self) -> str:
        return facility_today(self.facility).isoformat()

    @classmethod
    def start(cls, ledger: Ledger, store: Store, license_type: str = "Cultivator") -> Grow:
        facility = ledger.facility(license_type)
        ledger.grant_demo_user(facility.license_number)
        with store.transaction() as session:
            location = Location(
                facility_id=facility.id,
                name=unique("Room"),
                location_type_name="Default",
                for_plant_batches=True,
                for_plants=True,
                for_harvests=True,
                for_packages=True,
            )
            strain = Strain(facility_id=facility.id, name=unique("Strain"))
            session.add_all([location, strain])
            session.flush()
            batch = PlantBatch(
                facility_id=facility.id,
                name=unique("Batch"),
                batch_type="Clone",
                strain_id=strain.id,
                location_id=location.id,
                untracked_count=30,
                planted_date=facility_today(facility),
            )
            session.add(batch)
            session.flush()
            return cls(store, facility, location.name, strain.id, batch.id, batch.name)

    def location_named(self, **holds: bool) -> str:
        flags = {"for_plant_batches": True, "for_plants": True, "for_harvests": True}
        flags["for_packages"] = True
        flags.update(holds)
        with self.store.transaction() as session:
            location = Location(
                facility_id=self.facility.id,
                name=unique("Room"),
                location_type_name="Custom",
                **flags,
            )
            session.add(location)
            return location.name

    def plants(self, count: int, phase: str = "Flowering") -> list[str]:
        labels = []
        with self.store.transaction() as session:
            location = session.scalars(
                select(Location).where(
                    Location.facility_id == self.facility.id, Location.name == self.location
                )
            ).one()
            for _ in range(count):
                tag = Tag(
                    facility_id=self.facility.id,
                    label=unique("1A4PLANT"),
                    kind="Plant",
                    tag_type_name="CannabisPlant",
                    status="Used",
                )
                session.add(tag)
                session.flush()
                session.add(
                    Plant(
                        facility_id=self.facility.id,
                        label=tag.label,
                        tag_id=tag.id,
                        plant_batch_id=self.batch_id,
                        strain_id=self.strain_id,
                        location_id=location.id,
                        growth_phase=phase,
                        state="Tracked",
                        planted_date=facility_today(self.facility),
                    )
                )
                labels.append(tag.label)
        return labels

    def package_tags(self, count: int) -> list[str]:
        labels = []
        with self.store.transaction() as session:
            for _ in range(count):
                tag = Tag(
                    facility_id=self.facility.id,
                    label=unique("1A4PKG"),
                    kind="Package",
                    tag_type_name="CannabisPackage",
                )
                session.add(tag)
                labels.append(tag.label)
        return labels

    def item(self, category: str = "Buds", quantity_type: str = "WeightBased") -> str:
        unit = {"WeightBased": "Grams", "CountBased": "Each"}[quantity_type]
        with self.store.transaction() as session:
            item = Item(
                facility_id=self.facility.id,
                name=unique(category),
                category_name=category,
                quantity_type=quantity_type,
                unit_of_measure_name=unit,
                strain_id=self.strain_id,
            )
            session.add(item)
            return item.name

    def harvest(self, harvest_id: int) -> Harvest:
        with self.store.read() as session:
            harvest = session.get(Harvest, harvest_id)
            assert harvest is not None
            session.expunge(harvest)
            return harvest

    def plant(self, label: str) -> Plant:
        with self.store.read() as session:
            plant = session.scalars(select(Plant).where(Plant.label == label)).one()
            session.expunge(plant)
            return plant


class Api:
    """The demo user's requests at one facility."""

    def __init__(self, client: TestClient, demo: DemoAccess, license: str) -> None:
        self.client, self.headers, self.license = client, demo.headers, license

    def call(self, method: str, path: str, body: Any = None, **query: str) -> httpx.Response:
        return self.client.request(
            method,
            path,
            params={"licenseNumber": self.license, **query},
            headers=self.headers,
            json=body,
        )

    def ok(self, method: str, path: str, body: Any = None, **query: str) -> Any:
        response = self.call(method, path, body, **query)
        assert response.status_code == 200, response.text
        return response.json() if response.content else None


@pytest.fixture()
def grow(ledger: Ledger, store: Store) -> Grow:
    return Grow.start(ledger, store)


@pytest.fixture()
def api(client: TestClient, demo: DemoAccess, grow: Grow) -> Api:
    return Api(client, demo, grow.license)


def cut(grow: Grow, plant: str, weight: str, unit: str = "Grams", **extra: Any) -> dict[str, Any]:
    return {
        "Plant": plant,
        "Weight": float(weight) if "." in weight else int(weight),
        "UnitOfWeight": unit,
        "DryingLocation": grow.location,
        "ActualDate": grow.today,
        **extra,
    }


def harvest_into(api: Api, grow: Grow, weights: list[str], name: str | None = None) -> int:
    labels = grow.plants(len(weights))
    body = [cut(grow, label, w, HarvestName=name) for label, w in zip(labels, weights, strict=True)]
    ids = api.ok("PUT", "/plants/v2/harvest", body)["Ids"]
    assert len(set(ids)) == 1
    return int(ids[0])


# --- harvesting plants


def test_whole_plant_harvest_accumulates_wet_weight_and_takes_plants_out(
    api: Api, grow: Grow
) -> None:
    labels = grow.plants(3)
    name = unique("Harvest")
    body = [
        cut(grow, labels[0], "100.25", HarvestName=name),
        cut(grow, labels[1], "1", "Pounds", HarvestName=name),
        cut(grow, labels[2], "2", "Ounces", HarvestName=name),
    ]
    ids = api.ok("PUT", "/plants/v2/harvest", body)["Ids"]
    assert len(ids) == 3 and len(set(ids)) == 1
    harvest = grow.harvest(ids[0])
    # 100.25 g + 453.59237 g + 2 x 28.349523125 g, exactly.
    assert harvest.total_wet_weight == Decimal("610.54141625")
    assert harvest.current_weight == harvest.total_wet_weight
    assert harvest.unit_of_weight_name == "Grams"
    assert harvest.plant_count == 3
    assert harvest.harvest_type == "WholePlant"
    for label in labels:
        plant = grow.plant(label)
        assert plant.state == "HarvestedFully"
        assert plant.harvest_count == 1
        assert plant.harvested_date == date.fromisoformat(grow.today)
        assert plant.last_harvest_id == harvest.id
    assert grow.plant(labels[1]).harvested_wet_weight == Decimal("453.59237")
    # A harvested plant cannot be harvested again.
    again = api.call("PUT", "/plants/v2/harvest", [cut(grow, labels[0], "5", HarvestName=name)])
    assert again.status_code == 400
    assert again.json()[0]["row"] == 0


def test_harvest_name_is_generated_and_reused_for_the_same_day_and_room(
    api: Api, grow: Grow
) -> None:
    labels = grow.plants(2)
    first = api.ok("PUT", "/plants/v2/harvest", [cut(grow, labels[0], "10")])["Ids"][0]
    second = api.ok("PUT", "/plants/v2/harvest", [cut(grow, labels[1], "15")])["Ids"][0]
    assert first == second
    harvest = api.ok("GET", f"/harvests/v2/{first}")
    assert harvest["Name"] == f"{grow.today}-{grow.location}-H"
    assert harvest["TotalWetWeight"] == 25
    assert harvest["PlantCount"] == 2


def test_only_flowering_plants_are_harvested(api: Api, grow: Grow) -> None:
    [vegetative] = grow.plants(1, phase="Vegetative")
    response = api.call("PUT", "/plants/v2/harvest", [cut(grow, vegetative, "10")])
    assert response.status_code == 400
    assert "flowering" in response.json()[0]["message"].lower()
    assert grow.plant(vegetative).state == "Tracked"


def test_drying_location_must_hold_harvests(api: Api, grow: Grow) -> None:
    [plant] = grow.plants(1)
    room = grow.location_named(for_harvests=False)
    response = api.call("PUT", "/plants/v2/harvest", [cut(grow, plant, "10", DryingLocation=room)])
    assert response.status_code == 400
    assert "cannot hold harvests" in response.json()[0]["message"]


def test_a_facility_that_cannot_grow_cannot_harvest(
    client: TestClient, demo: DemoAccess, ledger: Ledger, store: Store
) -> None:
    grow = Grow.start(ledger, store, "Dispensary")
    [plant] = grow.plants(1)
    response = Api(client, demo, grow.license).call(
        "POST", "/plants/v1/harvestplants", [cut(grow, plant, "10")]
    )
    assert response.status_code == 400, response.text
    assert "may not grow" in response.json()[0]["message"]
    assert grow.plant(plant).state == "Tracked"


def test_bulk_harvest_is_all_or_nothing_and_names_the_row(api: Api, grow: Grow) -> None:
    labels = grow.plants(2)
    body = [cut(grow, labels[0], "10"), cut(grow, labels[1], "0")]
    response = api.call("PUT", "/plants/v2/harvest", body)
    assert response.status_code == 400
    assert response.json()[0]["row"] == 1
    assert grow.plant(labels[0]).state == "Tracked"


def test_manicure_keeps_the_plant_and_may_repeat(api: Api, grow: Grow) -> None:
    [plant] = grow.plants(1)
    name = unique("Trim")
    body = [
        cut(grow, plant, "20", HarvestName=name),
        cut(grow, plant, "5.5", HarvestName=name),
    ]
    ids = api.ok("POST", "/plants/v2/manicure", body)["Ids"]
    assert ids[0] == ids[1]
    harvest = grow.harvest(ids[0])
    assert harvest.harvest_type == "Product"
    assert harvest.total_wet_weight == Decimal("25.5")
    assert harvest.plant_count == 1
    manicured = grow.plant(plant)
    assert manicured.state == "Harvested"
    assert manicured.growth_phase == "Flowering"
    assert manicured.harvest_count == 2
    # Still growing: it can be harvested whole afterwards (into a whole-plant harvest).
    api.ok("PUT", "/plants/v2/harvest", [cut(grow, plant, "100")])
    assert grow.plant(plant).state == "HarvestedFully"


def test_v1_twins_of_harvest_and_manicure_answer_empty_200(api: Api, grow: Grow) -> None:
    labels = grow.plants(2)
    response = api.call("POST", "/plants/v1/manicureplants", [cut(grow, labels[0], "3")])
    assert response.status_code == 200 and response.content == b""
    response = api.call("POST", "/plants/v1/harvestplants", [cut(grow, labels[1], "30")])
    assert response.status_code == 200 and response.content == b""
    assert grow.plant(labels[0]).state == "Harvested"
    assert grow.plant(labels[1]).state == "HarvestedFully"
    listed = api.ok("GET", "/harvests/v1/active")
    names = {h["Name"] for h in listed}
    assert f"{grow.today}-{grow.location}-H" in names
    assert f"{grow.today}-{grow.location}-M" in names


# --- waste


def test_waste_converts_units_and_never_exceeds_the_current_weight(api: Api, grow: Grow) -> None:
    harvest_id = harvest_into(api, grow, ["1000"])
    body = [
        {
            "Id": harvest_id,
            "WasteType": "Plant Material",
            "UnitOfWeight": "Pounds",
            "WasteWeight": 1,
            "ActualDate": grow.today,
        },
    ]
    waste_ids = api.ok("POST", "/harvests/v2/waste", body)["Ids"]
    harvest = grow.harvest(harvest_id)
    assert harvest.current_weight == Decimal("546.40763")  # 1000 g - 453.59237 g
    assert harvest.total_waste_weight == Decimal("453.59237")

    over = [
        {
            "Id": harvest_id,
            "WasteType": "Plant Material",
            "UnitOfWeight": "Grams",
            "WasteWeight": 10,
            "ActualDate": grow.today,
        },
        {
            "Id": harvest_id,
            "WasteType": "Root Ball",
            "UnitOfWeight": "Grams",
            "WasteWeight": 546.40764,
            "ActualDate": grow.today,
        },
    ]
    response = api.call("POST", "/harvests/v2/waste", over)
    assert response.status_code == 400
    assert response.json()[0]["row"] == 1
    assert "exceeds" in response.json()[0]["message"]
    assert grow.harvest(harvest_id).current_weight == Decimal("546.40763")  # nothing kept

    listed = api.ok("GET", "/harvests/v2/waste", harvestId=str(harvest_id))
    assert [w["Id"] for w in listed["Data"]] == waste_ids
    assert set(listed["Data"][0]) == set(example("GET /harvests/v2/waste")["Data"][0])
    assert listed["Data"][0]["WasteTypeName"] == "Plant Material"

    # Deleting the waste gives the weight back.
    api.ok("DELETE", f"/harvests/v2/waste/{waste_ids[0]}")
    restored = grow.harvest(harvest_id)
    assert restored.current_weight == Decimal("1000")
    assert restored.total_waste_weight == 0
    assert api.ok("GET", "/harvests/v2/waste", harvestId=str(harvest_id))["Data"] == []


def test_v1_removewaste_and_unknown_waste_type(api: Api, grow: Grow) -> None:
    harvest_id = harvest_into(api, grow, ["50"])
    bad = [{"Id": harvest_id, "WasteType": "Glitter", "UnitOfWeight": "Grams", "WasteWeight": 1}]
    response = api.call("POST", "/harvests/v1/removewaste", bad)
    assert response.status_code == 400
    assert "Unknown waste type" in response.json()[0]["message"]
    good = [{"Id": harvest_id, "WasteType": "fibrous", "UnitOfWeight": "g", "WasteWeight": 2.5}]
    response = api.call("POST", "/harvests/v1/removewaste", good)
    assert response.status_code == 200 and response.content == b""
    assert grow.harvest(harvest_id).current_weight == Decimal("47.5")


def test_waste_of_a_foreign_harvest_is_refused(
    api: Api, grow: Grow, ledger: Ledger, store: Store, client: TestClient, demo: DemoAccess
) -> None:
    other = Grow.start(ledger, store)
    foreign = harvest_into(Api(client, demo, other.license), other, ["10"])
    body = [{"Id": foreign, "WasteType": "Fibrous", "UnitOfWeight": "Grams", "WasteWeight": 1}]
    response = api.call("POST", "/harvests/v2/waste", body)
    assert response.status_code == 400
    assert grow.harvest(foreign).current_weight == Decimal("10")


# --- lifecycle


def test_finish_blocks_draws_and_unfinish_reverses(api: Api, grow: Grow) -> None:
    harvest_id = harvest_into(api, grow, ["80"])
    assert api.ok("PUT", "/harvests/v2/finish", [{"Id": harvest_id, "ActualDate": grow.today}]) == {
        "Ids": [harvest_id],
        "Warnings": None,
    }
    finished = grow.harvest(harvest_id)
    assert finished.finished_date == date.fromisoformat(grow.today)
    assert finished.current_weight == Decimal("80")  # finishing only dates the harvest
    assert harvest_id in [h["Id"] for h in api.ok("GET", "/harvests/v2/inactive")["Data"]]
    assert harvest_id not in [h["Id"] for h in api.ok("GET", "/harvests/v2/active")["Data"]]

    waste = [{"Id": harvest_id, "WasteType": "Fibrous", "UnitOfWeight": "Grams", "WasteWeight": 1}]
    response = api.call("POST", "/harvests/v2/waste", waste)
    assert response.status_code == 400
    assert "finished" in response.json()[0]["message"]
    again = api.call("PUT", "/harvests/v2/finish", [{"Id": harvest_id}])
    assert again.status_code == 400

    api.ok("PUT", "/harvests/v2/unfinish", [{"Id": harvest_id}])
    assert grow.harvest(harvest_id).finished_date is None
    api.ok("POST", "/harvests/v2/waste", waste)
    assert grow.harvest(harvest_id).current_weight == Decimal("79")


def test_v1_finish_unfinish_move_rename(api: Api, grow: Grow) -> None:
    harvest_id = harvest_into(api, grow, ["12"])
    assert api.call("POST", "/harvests/v1/finish", [{"Id": harvest_id}]).content == b""
    assert grow.harvest(harvest_id).finished_date is not None
    assert api.call("POST", "/harvests/v1/unfinish", [{"Id": harvest_id}]).status_code == 200
    assert grow.harvest(harvest_id).finished_date is None

    room = grow.location_named()
    api.ok("PUT", "/harvests/v1/move", [{"Id": harvest_id, "DryingLocation": room}])
    new_name = unique("Renamed")
    old_name = grow.harvest(harvest_id).name
    api.ok("PUT", "/harvests/v1/rename", [{"OldName": old_name, "NewName": new_name}])
    moved = api.ok("GET", f"/harvests/v1/{harvest_id}")
    assert moved["DryingLocationName"] == room
    assert moved["Name"] == new_name


def test_move_and_rename_v2(api: Api, grow: Grow) -> None:
    first = harvest_into(api, grow, ["12"], name=unique("A"))
    second = harvest_into(api, grow, ["12"], name=unique("B"))
    room = grow.location_named()
    bad_room = grow.location_named(for_harvests=False)
    response = api.call("PUT", "/harvests/v2/location", [{"Id": first, "DryingLocation": bad_room}])
    assert response.status_code == 400
    ids = api.ok(
        "PUT",
        "/harvests/v2/location",
        [{"Id": first, "DryingLocation": room, "ActualDate": f"{grow.today}T00:00:00Z"}],
    )["Ids"]
    assert ids == [first]
    assert grow.harvest(first).drying_location_id != grow.harvest(second).drying_location_id
    clash = api.call(
        "PUT", "/harvests/v2/rename", [{"Id": first, "NewName": grow.harvest(second).name}]
    )
    assert clash.status_code == 400
    new_name = unique("C")
    assert api.ok("PUT", "/harvests/v2/rename", [{"Id": first, "NewName": new_name}])["Ids"] == [
        first
    ]
    assert grow.harvest(first).name == new_name


def test_restore_harvested_plants_while_nothing_was_drawn(api: Api, grow: Grow) -> None:
    labels = grow.plants(2)
    name = unique("Restore")
    ids = api.ok(
        "PUT", "/plants/v2/harvest", [cut(grow, p, "40", HarvestName=name) for p in labels]
    )["Ids"]
    harvest_id = ids[0]
    api.ok(
        "PUT",
        "/harvests/v2/restore/harvestedplants",
        [{"HarvestId": harvest_id, "PlantTags": [labels[0]]}],
    )
    harvest = grow.harvest(harvest_id)
    assert harvest.current_weight == Decimal("40")
    assert harvest.total_restored_weight == Decimal("40")
    assert harvest.total_wet_weight == Decimal("80")
    assert harvest.plant_count == 1
    back = grow.plant(labels[0])
    assert back.state == "Tracked" and back.growth_phase == "Flowering"
    assert back.harvest_count == 0

    waste = [{"Id": harvest_id, "WasteType": "Fibrous", "UnitOfWeight": "Grams", "WasteWeight": 1}]
    waste_id = api.ok("POST", "/harvests/v2/waste", waste)["Ids"][0]
    refused = api.call(
        "PUT",
        "/harvests/v2/restore/harvestedplants",
        [{"HarvestId": harvest_id, "PlantTags": [labels[1]]}],
    )
    assert refused.status_code == 400
    assert "no longer be restored" in refused.json()[0]["message"]
    assert grow.plant(labels[1]).state == "HarvestedFully"
    # Once the waste is taken back, nothing is drawn any more.
    api.ok("DELETE", f"/harvests/v2/waste/{waste_id}")
    api.ok(
        "PUT",
        "/harvests/v2/restore/harvestedplants",
        [{"HarvestId": harvest_id, "PlantTags": [labels[1]]}],
    )
    assert grow.plant(labels[1]).state == "Tracked"


# --- reads


def test_harvest_objects_have_the_example_keys_v2_and_v1(api: Api, grow: Grow) -> None:
    harvest_id = harvest_into(api, grow, ["10"])
    v2 = api.ok("GET", f"/harvests/v2/{harvest_id}")
    assert list(v2) == list(example("GET /harvests/v2/{id}"))
    assert v2["SourceStrainCount"] == 1
    assert v2["DryingLocationName"] == grow.location
    assert v2["HarvestStartDate"] == grow.today
    active = api.ok("GET", "/harvests/v2/active")
    assert set(active) == set(example("GET /harvests/v2/active"))
    assert list(active["Data"][0]) == list(example("GET /harvests/v2/active")["Data"][0])
    v1 = api.ok("GET", f"/harvests/v1/{harvest_id}")
    assert set(v1) == set(v2) - {
        "IsOnInvestigation",
        "IsOnInvestigationHold",
        "IsOnInvestigationRecall",
    }
    assert isinstance(api.ok("GET", "/harvests/v1/inactive"), list)


def test_foreign_harvest_id_answers_401_and_missing_404(
    api: Api, ledger: Ledger, store: Store, client: TestClient, demo: DemoAccess
) -> None:
    other = Grow.start(ledger, store)
    foreign = harvest_into(Api(client, demo, other.license), other, ["10"])
    assert api.call("GET", f"/harvests/v2/{foreign}").status_code == 401
    assert api.call("GET", f"/harvests/v1/{foreign}").status_code == 401
    assert api.call("GET", "/harvests/v2/waste", harvestId=str(foreign)).status_code == 401
    assert api.call("GET", "/harvests/v2/987654321").status_code == 404
    assert api.call("GET", "/harvests/v2/waste").status_code == 400


def test_active_list_is_scoped_paged_and_windowed(api: Api, grow: Grow) -> None:
    ids = [harvest_into(api, grow, ["5"], name=unique("P")) for _ in range(3)]
    page = api.ok("GET", "/harvests/v2/active", pageNumber="2", pageSize="2")
    assert page["Total"] == 3 and page["TotalPages"] == 2
    assert [h["Id"] for h in page["Data"]] == ids[2:]
    window = api.ok(
        "GET",
        "/harvests/v2/active",
        lastModifiedStart="2001-01-01T00:00:00Z",
        lastModifiedEnd="2001-01-01T12:00:00Z",
    )
    assert window["Data"] == []


def test_every_change_is_audited(api: Api, grow: Grow, store: Store) -> None:
    harvest_id = harvest_into(api, grow, ["9"])
    api.ok("PUT", "/harvests/v2/finish", [{"Id": harvest_id}])
    with store.read() as session:
        actions = list(
            session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.entity_type == "harvests", AuditEvent.entity_id == harvest_id)
                .order_by(AuditEvent.id)
            )
        )
        waste_count = session.scalars(
            select(HarvestWaste).where(HarvestWaste.harvest_id == harvest_id)
        ).all()
    assert actions == ["create", "add_plant", "finish"]
    assert waste_count == []


def test_a_group_tag_counts_all_its_plants_in_harvests_and_waste(api: Api, grow: Grow) -> None:
    labels = grow.plants(2)
    with grow.store.transaction() as session:
        group = session.scalars(select(Plant).where(Plant.label == labels[0])).one()
        group.plant_count = 4  # one tag standing for four plants (a merged group)
    waste = {
        "WasteMethodName": "Grinder",
        "WasteReasonName": "Disease",
        "UnitOfMeasureName": "Grams",
        "WasteWeight": 3,
        "WasteDate": grow.today,
        "PlantLabels": labels,
    }
    api.ok("POST", "/plants/v2/waste", [waste])
    with grow.store.read() as session:
        recorded = session.scalars(
            select(PlantWaste).where(PlantWaste.facility_id == grow.facility.id)
        ).one()
        assert recorded.plant_count == 5
    name = unique("Groups")
    ids = api.ok(
        "PUT", "/plants/v2/harvest", [cut(grow, p, "10", HarvestName=name) for p in labels]
    )["Ids"]
    assert grow.harvest(ids[0]).plant_count == 5
    api.ok(
        "PUT",
        "/harvests/v2/restore/harvestedplants",
        [{"HarvestId": ids[0], "PlantTags": [labels[0]]}],
    )
    assert grow.harvest(ids[0]).plant_count == 1


# --- statements


def statements_of(api: Api, store: Store, path: str, **query: str) -> int:
    """The statements one GET of `path` runs, credentials already remembered."""
    api.ok("GET", path, **query)
    with counted_statements(store.engine) as seen:
        api.ok("GET", path, **query)
    return len(seen)


@pytest.mark.parametrize("state", ["active", "inactive", "onhold"])
def test_a_page_of_harvests_costs_the_same_statements_at_any_size(
    api: Api, grow: Grow, client: TestClient, store: Store, state: str
) -> None:
    ids = [harvest_into(api, grow, ["5", "6"], name=unique("Page")) for _ in range(3)]
    if state == "inactive":
        api.ok("PUT", "/harvests/v2/finish", [{"Id": i} for i in ids])
    if state == "onhold":
        with store.transaction() as session:
            for harvest_id in ids:
                held = session.get(Harvest, harvest_id)
                assert held is not None
                held.is_on_hold = True
    params = {"licenseNumber": api.license}
    found = page_statements(
        client, store.engine, f"/harvests/v2/{state}", api.headers, params, sizes=(1, 3)
    )
    assert [records for records, _ in found.values()] == [1, 3]
    assert found[1][1] == found[3][1]


def test_a_page_of_harvest_waste_costs_the_same_statements_at_any_size(
    api: Api, grow: Grow, client: TestClient, store: Store
) -> None:
    harvest_id = harvest_into(api, grow, ["100"])
    waste = {"Id": harvest_id, "WasteType": "Fibrous", "UnitOfWeight": "Grams", "WasteWeight": 1}
    api.ok("POST", "/harvests/v2/waste", [waste, waste, waste])
    params = {"licenseNumber": api.license, "harvestId": str(harvest_id)}
    found = page_statements(
        client, store.engine, "/harvests/v2/waste", api.headers, params, sizes=(1, 3)
    )
    assert [records for records, _ in found.values()] == [1, 3]
    assert found[1][1] == found[3][1]


def test_a_harvest_read_by_id_costs_the_same_statements_however_many_plants(
    api: Api, grow: Grow, store: Store
) -> None:
    small = harvest_into(api, grow, ["5"], name=unique("Small"))
    large = harvest_into(api, grow, ["5", "6", "7", "8"], name=unique("Large"))
    assert api.ok("GET", f"/harvests/v2/{large}")["PlantCount"] == 4
    for version in ("v2", "v1"):
        assert statements_of(api, store, f"/harvests/{version}/{small}") == statements_of(
            api, store, f"/harvests/{version}/{large}"
        )


def test_refusals_name_the_wire_fields_of_the_row(api: Api, grow: Grow) -> None:
    harvest_id = harvest_into(api, grow, ["50"])
    zero = [{"Id": harvest_id, "WasteType": "Fibrous", "UnitOfWeight": "Grams", "WasteWeight": 0}]
    response = api.call("POST", "/harvests/v2/waste", zero)
    assert response.status_code == 400
    assert response.json()[0]["message"].startswith("WasteWeight must be greater than zero")
    [plant] = grow.plants(1)
    response = api.call("PUT", "/plants/v2/harvest", [cut(grow, plant, "0")])
    assert response.json()[0]["message"].startswith("Weight must be greater than zero")
    response = api.call("PUT", "/plants/v2/harvest", [cut(grow, plant, "5", "Each")])
    assert response.json()[0]["message"].startswith("UnitOfWeight: ")
    future = [{"Id": harvest_id, "ActualDate": "2199-01-01"}]
    response = api.call("PUT", "/harvests/v2/finish", future)
    assert response.json()[0]["message"].startswith("ActualDate: ")
    empty = [{"HarvestId": harvest_id, "PlantTags": []}]
    response = api.call("PUT", "/harvests/v2/restore/harvestedplants", empty)
    assert response.json()[0]["message"] == "PlantTags must list at least one plant tag."
    assert grow.harvest(harvest_id).current_weight == Decimal("50")
