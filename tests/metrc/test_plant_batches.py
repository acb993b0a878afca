"""Plant batch endpoints, v1 and v2, through HTTP: plantings, splits, counts, growth phase, reads.

Each test works at a fresh cultivation facility of its own, with a strain, locations and plant
tags made directly in the ledger (`Grow`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from leafledger.domain.models import AuditEvent, Facility, Location, Plant, Strain, Tag
from leafledger.domain.models.plant import PlantWaste
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger, unique
from tests.statements import page_statements


@dataclass
class Grow:
    """A cultivation facility the demo user acts for, with what plantings need."""

    client: TestClient
    headers: dict[str, str]
    facility: Facility
    strain: str
    other_strain: str
    room: str  # holds plant batches and plants
    plants_only: str  # holds plants, not plant batches
    storage: str  # holds packages only
    tag_prefix: str
    next_tag: int = 1
    issued: list[str] = field(default_factory=list)

    @property
    def license(self) -> str:
        return self.facility.license_number

    def send(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        return self.client.request(
            method,
            path,
            params={"licenseNumber": self.license, **params},
            headers=self.headers,
            json=body,
        )

    def tag(self, n: int) -> str:
        return f"{self.tag_prefix}{n:08d}"

    def plant(self, name: str, count: int = 100, version: str = "v2", **extra: Any) -> Any:
        path = (
            "/plantbatches/v2/plantings" if version == "v2" else "/plantbatches/v1/createplantings"
        )
        body = {
            "Name": name,
            "Type": "Clone",
            "Count": count,
            "Strain": self.strain,
            "Location": self.room,
            "ActualDate": "2024-01-10",
            **extra,
        }
        return self.send("POST", path, [body])

    def batch(self, name: str) -> dict[str, Any]:
        for state in ("active", "inactive"):
            listed = self.send("GET", f"/plantbatches/v1/{state}").json()
            found = [b for b in listed if b["Name"] == name]
            if found:
                return found[-1]  # type: ignore[no-any-return]
        raise AssertionError(f"no batch {name}")


def make_grow(
    client: TestClient, ledger: Ledger, store: Store, demo: DemoAccess, tags: int = 60
) -> Grow:
    facility = ledger.facility("Cultivator")
    ledger.grant_demo_user(facility.license_number)
    strain, other = unique("Strain"), unique("Strain")
    room, plants_only, storage = unique("Room"), unique("Veg"), unique("Vault")
    prefix = f"1A4{facility.id:05d}{unique('T')[-6:].replace('-', '0')}"
    with store.transaction() as session:
        session.add_all(
            [
                Strain(facility_id=facility.id, name=strain),
                Strain(facility_id=facility.id, name=other),
                Location(
                    facility_id=facility.id,
                    name=room,
                    location_type_name="Default Location Type",
                    for_plant_batches=True,
                    for_plants=True,
                    for_harvests=True,
                    for_packages=True,
                ),
                Location(
                    facility_id=facility.id,
                    name=plants_only,
                    location_type_name="Plants",
                    for_plant_batches=False,
                    for_plants=True,
                    for_harvests=False,
                    for_packages=False,
                ),
                Location(
                    facility_id=facility.id,
                    name=storage,
                    location_type_name="Storage",
                    for_plant_batches=False,
                    for_plants=False,
                    for_harvests=False,
                    for_packages=True,
                ),
            ]
        )
        for n in range(1, tags + 1):
            session.add(
                Tag(
                    facility_id=facility.id,
                    label=f"{prefix}{n:08d}",
                    kind="Plant",
                    tag_type_name="CannabisPlant",
                )
            )
    return Grow(client, demo.headers, facility, strain, other, room, plants_only, storage, prefix)


@pytest.fixture()
def grow(client: TestClient, ledger: Ledger, store: Store, demo: DemoAccess) -> Grow:
    return make_grow(client, ledger, store, demo)


def example_keys(shared_dir: Path, key: str) -> set[str]:
    examples = json.loads((shared_dir / "spec" / "metrc" / "v2-examples.json").read_text())
    response = examples[key]["response_example"]
    record = response["Data"][0] if "Data" in response else response
    return set(record)


def conserved(batch: dict[str, Any]) -> int:
    return int(
        batch["UntrackedCount"]
        + batch["TrackedCount"]
        + batch["DestroyedCount"]
        + batch["PackagedCount"]
    )


# --- plantings -----------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["v2", "v1"])
def test_planting_creates_an_active_batch(grow: Grow, version: str, shared_dir: Path) -> None:
    response = grow.plant("Clones A", 100, version)
    assert response.status_code == 200
    if version == "v2":
        ids = response.json()["Ids"]
        assert len(ids) == 1
        one = grow.send("GET", f"/plantbatches/v2/{ids[0]}").json()
        assert set(one) == example_keys(shared_dir, "GET /plantbatches/v2/{id}")
    else:
        assert response.content == b""
    batch = grow.batch("Clones A")
    assert batch["UntrackedCount"] == 100
    assert batch["PlantBatchTypeName"] == "Clone"
    assert batch["StrainName"] == grow.strain
    assert batch["LocationName"] == grow.room
    assert batch["PlantedDate"] == "2024-01-10"
    listed = grow.send("GET", "/plantbatches/v2/active").json()
    assert listed["Total"] == 1
    assert set(listed["Data"][0]) == example_keys(shared_dir, "GET /plantbatches/v2/active")


def test_planting_answers_ids_in_order_posted(grow: Grow) -> None:
    body = [
        {"Name": f"Order {n}", "Type": "Seed", "Count": n, "Strain": grow.strain} for n in (3, 1, 2)
    ]
    ids = grow.send("POST", "/plantbatches/v2/plantings", body).json()["Ids"]
    counts = [grow.send("GET", f"/plantbatches/v2/{i}").json()["UntrackedCount"] for i in ids]
    assert counts == [3, 1, 2]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"Count": 0}, "at least 1"),
        ({"Type": "Cutting"}, "type"),
        ({"Strain": "No Such Strain"}, "strain"),
        ({"Location": "No Such Room"}, "location"),
        ({"ActualDate": "2999-01-01"}, "future"),
    ],
)
def test_planting_refuses_bad_objects_naming_the_row(
    grow: Grow, change: dict[str, Any], message: str
) -> None:
    good = {"Name": "Good", "Type": "Seed", "Count": 5, "Strain": grow.strain}
    bad = {**good, "Name": "Bad", **change}
    response = grow.send("POST", "/plantbatches/v2/plantings", [good, bad])
    assert response.status_code == 400
    body = response.json()
    assert body[0]["row"] == 1
    assert message in body[0]["message"].lower()
    assert grow.send("GET", "/plantbatches/v2/active").json()["Total"] == 0


def test_planting_location_must_hold_plant_batches(grow: Grow) -> None:
    response = grow.plant("Wrong Room", 5, Location=grow.plants_only)
    assert response.status_code == 400
    assert "cannot hold plant batches" in response.json()[0]["message"]


def test_batch_names_are_unique_among_active_batches(grow: Grow) -> None:
    assert grow.plant("Twin", 2).status_code == 200
    again = grow.plant("Twin", 2)
    assert again.status_code == 400
    assert "already named" in again.json()[0]["message"]
    # once the first batch is empty (inactive) the name is free again
    destroy = {"PlantBatch": "Twin", "Count": 2, "WasteReasonName": "Male Plants"}
    assert grow.send("DELETE", "/plantbatches/v2/", [destroy]).status_code == 200
    assert grow.plant("Twin", 2).status_code == 200


def test_names_are_unique_within_one_request_too(grow: Grow) -> None:
    assert grow.plant("Taken", 2).status_code == 200
    good = {"Type": "Clone", "Count": 1, "Strain": grow.strain}
    for names, row in [(["Fresh", "Fresh"], 1), (["Other", "Taken"], 1), (["Taken"], 0)]:
        response = grow.send(
            "POST", "/plantbatches/v2/plantings", [{**good, "Name": n} for n in names]
        )
        assert response.status_code == 400
        assert response.json()[0]["row"] == row
        assert "already named" in response.json()[0]["message"]
    assert {b["Name"] for b in grow.send("GET", "/plantbatches/v2/active").json()["Data"]} == {
        "Taken"
    }


def test_each_batch_of_a_bulk_planting_has_its_creation_event(grow: Grow, store: Store) -> None:
    body = [
        {"Name": f"Bulk {n}", "Type": "Seed", "Count": n, "Strain": grow.strain}
        for n in range(1, 11)
    ]
    ids = grow.send("POST", "/plantbatches/v2/plantings", body).json()["Ids"]
    with store.read() as session:
        events = session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "plant_batches", AuditEvent.entity_id.in_(ids)
            )
        ).all()
    assert sorted((e.entity_id, e.action) for e in events) == [(i, "plant") for i in sorted(ids)]
    for event in events:
        assert event.after is not None and event.after["id"] == event.entity_id
        assert event.after["name"].startswith("Bulk ")


@pytest.mark.parametrize("license_type", ["Dispensary", "Manufacturer"])
def test_a_facility_that_cannot_grow_is_refused_plantings(
    client: TestClient, ledger: Ledger, demo: DemoAccess, license_type: str
) -> None:
    facility = ledger.facility(license_type)
    ledger.grant_demo_user(facility.license_number)
    response = client.post(
        "/plantbatches/v2/plantings",
        params={"licenseNumber": facility.license_number},
        headers=demo.headers,
        json=[{"Name": "Nope", "Type": "Seed", "Count": 1, "Strain": "Any"}],
    )
    assert response.status_code in (400, 403)
    assert "may not grow plants" in json.dumps(response.json())


# --- split, adjust, destroy: counts are conserved -------------------------------------------


@pytest.mark.parametrize("version", ["v2", "v1"])
def test_split_moves_untracked_plants_and_never_more(grow: Grow, version: str) -> None:
    grow.plant("Mother Batch", 30)
    path = f"/plantbatches/{version}/split"
    split = {"PlantBatch": "Mother Batch", "GroupName": "Daughter", "Count": 12}
    assert grow.send("POST", path, [split]).status_code == 200
    too_many = {**split, "GroupName": "Greedy", "Count": 19}
    refused = grow.send("POST", path, [too_many])
    assert refused.status_code == 400
    assert "holds 18" in refused.json()[0]["message"]
    source, daughter = grow.batch("Mother Batch"), grow.batch("Daughter")
    assert (source["UntrackedCount"], daughter["UntrackedCount"]) == (18, 12)
    assert daughter["StrainName"] == grow.strain
    assert daughter["LocationName"] == grow.room
    assert conserved(source) + conserved(daughter) == 30


@pytest.mark.parametrize("version", ["v2", "v1"])
def test_adjust_with_a_reason_never_below_zero(grow: Grow, version: str) -> None:
    grow.plant("Adjusted", 10)
    path = f"/plantbatches/{version}/adjust"
    body = {"PlantBatchName": "Adjusted", "Quantity": -3, "AdjustmentReason": "Entry Error"}
    assert grow.send("POST", path, [body]).status_code == 200
    assert grow.batch("Adjusted")["UntrackedCount"] == 7
    below = grow.send("POST", path, [{**body, "Quantity": -8}])
    assert below.status_code == 400
    assert "fewer than none" in below.json()[0]["message"]
    unknown = grow.send("POST", path, [{**body, "AdjustmentReason": "Whim"}])
    assert unknown.status_code == 400
    needs_note = grow.send("POST", path, [{**body, "AdjustmentReason": "Theft"}])
    assert needs_note.status_code == 400
    assert "note" in needs_note.json()[0]["message"]
    assert grow.batch("Adjusted")["UntrackedCount"] == 7


@pytest.mark.parametrize("version", ["v2", "v1"])
def test_destroy_records_waste_and_conserves_counts(grow: Grow, version: str) -> None:
    grow.plant("Doomed", 20)
    path = f"/plantbatches/{version}/"
    body = {
        "PlantBatch": "Doomed",
        "Count": 5,
        "WasteMethodName": "Compost",
        "WasteMaterialMixed": "Soil",
        "WasteReasonName": "Did Not Root",
        "WasteWeight": 1.25,
        "WasteUnitOfMeasure": "Grams",
        "ActualDate": "2024-01-11",
    }
    response = grow.send("DELETE", path, [body])
    assert response.status_code == 200
    batch = grow.batch("Doomed")
    assert (batch["UntrackedCount"], batch["DestroyedCount"]) == (15, 5)
    assert conserved(batch) == 20
    waste = grow.send("GET", "/plantbatches/v2/waste").json()["Data"]
    assert [(w["PlantBatchName"], w["PlantCount"], w["WasteWeight"]) for w in waste] == [
        ("Doomed", 5, 1.25)
    ]
    for change, message in [
        ({"Count": 16}, "cannot destroy 16"),
        ({"WasteWeight": 0}, "requires a waste weight"),
        ({"WasteMethodName": "Landfill"}, "not a plant waste method"),
        ({"WasteUnitOfMeasure": "Each"}, "not a unit of weight"),
        ({"WasteReasonName": "Boredom"}, "unknown"),
    ]:
        refused = grow.send("DELETE", path, [{**body, **change}])
        assert refused.status_code == 400, change
        assert message in refused.json()[0]["message"]
    assert grow.batch("Doomed")["UntrackedCount"] == 15


# --- growth phase: N untracked plants become N tagged plants -------------------------------


@pytest.mark.parametrize("version", ["v2", "v1"])
def test_growth_phase_tags_plants_from_the_starting_tag(grow: Grow, version: str) -> None:
    grow.plant("Clones", 100)
    path = (
        "/plantbatches/v2/growthphase" if version == "v2" else "/plantbatches/v1/changegrowthphase"
    )
    body = {
        "Name": "Clones",
        "Count": 40,
        "StartingTag": grow.tag(1),
        "GrowthPhase": "Vegetative",
        "NewLocation": grow.plants_only,
        "GrowthDate": "2024-01-20",
    }
    response = grow.send("POST", path, [body])
    assert response.status_code == 200, response.text
    batch = grow.batch("Clones")
    assert (batch["UntrackedCount"], batch["TrackedCount"]) == (60, 40)
    assert conserved(batch) == 100
    plants = grow.send("GET", "/plants/v1/vegetative").json()
    assert sorted(p["Label"] for p in plants) == [grow.tag(n) for n in range(1, 41)]
    assert {p["LocationName"] for p in plants} == {grow.plants_only}
    assert {p["PlantBatchName"] for p in plants} == {"Clones"}
    # the tags are used: the same starting tag is refused
    again = grow.send("POST", path, [{**body, "Count": 1}])
    assert again.status_code == 400
    assert "used only once" in again.json()[0]["message"]


def test_growth_phase_never_takes_more_than_the_batch_holds(grow: Grow, store: Store) -> None:
    grow.plant("Small", 5)
    body = {"Name": "Small", "Count": 6, "StartingTag": grow.tag(1), "GrowthPhase": "Vegetative"}
    response = grow.send("POST", "/plantbatches/v2/growthphase", [body])
    assert response.status_code == 400
    assert "holds 5" in response.json()[0]["message"]
    with store.read() as session:
        used = session.scalar(
            select(func.count())
            .select_from(Tag)
            .where(Tag.facility_id == grow.facility.id, Tag.status != "Available")
        )
        plants = session.scalar(
            select(func.count()).select_from(Plant).where(Plant.facility_id == grow.facility.id)
        )
    assert (used, plants) == (0, 0)
    assert grow.batch("Small")["UntrackedCount"] == 5


def test_growth_phase_of_all_plants_makes_the_batch_inactive(grow: Grow) -> None:
    grow.plant("Whole", 3)
    body = {"Name": "Whole", "Count": 3, "StartingTag": grow.tag(5), "GrowthPhase": "Flowering"}
    assert grow.send("POST", "/plantbatches/v2/growthphase", [body]).status_code == 200
    assert grow.send("GET", "/plantbatches/v2/active").json()["Total"] == 0
    inactive = grow.send("GET", "/plantbatches/v2/inactive").json()["Data"]
    assert [(b["Name"], b["TrackedCount"]) for b in inactive] == [("Whole", 3)]
    flowering = grow.send("GET", "/plants/v2/flowering").json()["Data"]
    assert [p["Label"] for p in flowering] == [grow.tag(5), grow.tag(6), grow.tag(7)]


def test_growth_phase_mother_needs_the_capability(grow: Grow) -> None:
    grow.plant("Moms", 2)
    body = {"Name": "Moms", "Count": 1, "StartingTag": grow.tag(1), "GrowthPhase": "Mother"}
    response = grow.send("POST", "/plantbatches/v2/growthphase", [body])
    assert response.status_code == 400
    assert "mother plants" in response.json()[0]["message"]


# --- place, name, strain, additives, reads --------------------------------------------------


@pytest.mark.parametrize("version", ["v2", "v1"])
def test_move_only_to_a_location_for_plant_batches(grow: Grow, version: str) -> None:
    grow.plant("Mover", 4)
    path = "/plantbatches/v2/location" if version == "v2" else "/plantbatches/v1/moveplantbatches"
    refused = grow.send("PUT", path, [{"Name": "Mover", "Location": grow.storage}])
    assert refused.status_code == 400
    assert "cannot hold plant batches" in refused.json()[0]["message"]
    assert grow.send("PUT", path, [{"Name": "Mover", "Location": grow.room}]).status_code == 200
    assert grow.batch("Mover")["LocationName"] == grow.room


def test_rename_and_change_strain(grow: Grow) -> None:
    grow.plant("Old Name", 4)
    grow.plant("Taken", 4)
    batch_id = grow.batch("Old Name")["Id"]
    clash = grow.send("PUT", "/plantbatches/v2/name", [{"Group": "Old Name", "NewGroup": "Taken"}])
    assert clash.status_code == 400
    renamed = grow.send("PUT", "/plantbatches/v2/name", [{"Id": batch_id, "NewGroup": "New Name"}])
    assert renamed.json()["Ids"] == [batch_id]
    strain = grow.send(
        "PUT", "/plantbatches/v2/strain", [{"Name": "New Name", "StrainName": grow.other_strain}]
    )
    assert strain.status_code == 200
    batch = grow.send("GET", f"/plantbatches/v2/{batch_id}").json()
    assert (batch["Name"], batch["StrainName"]) == ("New Name", grow.other_strain)


@pytest.mark.parametrize("version", ["v2", "v1"])
def test_additives_recorded_against_a_batch(grow: Grow, version: str, store: Store) -> None:
    grow.plant("Fed", 8)
    body = {
        "AdditiveType": "Fertilizer",
        "ProductTradeName": "Grow More",
        "TotalAmountApplied": 5.0,
        "TotalAmountUnitOfMeasure": "Gallons",
        "ActiveIngredients": [{"Name": "Nitrogen", "Percentage": 15.0}],
        "PlantBatchName": "Fed",
        "ActualDate": "2024-01-12",
    }
    assert grow.send("POST", f"/plantbatches/{version}/additives", [body]).status_code == 200
    listed = grow.send("GET", "/plants/v2/additives").json()["Data"]
    assert [(a["PlantBatchName"], a["PlantCount"], a["AdditiveTypeName"]) for a in listed] == [
        ("Fed", 8, "Fertilizer")
    ]
    bad = grow.send("POST", "/plantbatches/v2/additives", [{**body, "AdditiveType": "Magic"}])
    assert bad.status_code == 400


def test_record_waste_keeps_the_plants(grow: Grow, store: Store) -> None:
    grow.plant("Trimmed", 8)
    body = {
        "PlantBatchName": "Trimmed",
        "WasteMethodName": "Grinder",
        "WasteWeight": 2.5,
        "UnitOfMeasureName": "Grams",
        "ReasonName": "Trim",
        "WasteDate": "2024-01-12",
    }
    ids = grow.send("POST", "/plantbatches/v2/waste", [body]).json()["Ids"]
    assert len(ids) == 1
    assert grow.batch("Trimmed")["UntrackedCount"] == 8
    with store.read() as session:
        row = session.get(PlantWaste, ids[0])
        assert row is not None
        assert (row.plant_batch_id, str(row.weight)) == (grow.batch("Trimmed")["Id"], "2.5")


def test_a_foreign_batch_answers_401(
    grow: Grow, client: TestClient, ledger: Ledger, store: Store, demo: DemoAccess
) -> None:
    grow.plant("Mine", 1)
    other = make_grow(client, ledger, store, demo, tags=0)
    batch_id = grow.batch("Mine")["Id"]
    assert other.send("GET", f"/plantbatches/v2/{batch_id}").status_code == 401
    assert other.send("GET", "/plantbatches/v2/active").json()["Total"] == 0
    assert grow.send("GET", "/plantbatches/v2/999999999").status_code == 404


def test_lists_honour_the_last_modified_window_and_paging(grow: Grow) -> None:
    for n in range(3):
        grow.plant(f"Paged {n}", 1)
    now = datetime.now(UTC)
    window = {
        "lastModifiedStart": (now - timedelta(hours=1)).isoformat(),
        "lastModifiedEnd": (now + timedelta(minutes=5)).isoformat(),
    }
    page = grow.send("GET", "/plantbatches/v2/active", pageNumber=2, pageSize=2, **window).json()
    assert (page["Total"], page["RecordsOnPage"], page["Data"][0]["Name"]) == (3, 1, "Paged 2")
    earlier = {
        "lastModifiedStart": (now - timedelta(hours=5)).isoformat(),
        "lastModifiedEnd": (now - timedelta(hours=4)).isoformat(),
    }
    assert grow.send("GET", "/plantbatches/v2/active", **earlier).json()["Total"] == 0


def test_every_change_is_audited(grow: Grow, store: Store) -> None:
    grow.plant("Audited", 10)
    batch_id = grow.batch("Audited")["Id"]
    grow.send(
        "POST",
        "/plantbatches/v2/adjust",
        [{"PlantBatchName": "Audited", "Quantity": 1, "AdjustmentReason": "Entry Error"}],
    )
    grow.send("PUT", "/plantbatches/v2/location", [{"Name": "Audited", "Location": grow.room}])
    with store.read() as session:
        actions = list(
            session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.entity_type == "plant_batches", AuditEvent.entity_id == batch_id)
                .order_by(AuditEvent.id)
            )
        )
    assert actions == ["plant", "adjust", "move"]


def test_pages_of_batches_and_their_waste_cost_the_same_statements_at_any_size(
    grow: Grow, client: TestClient, store: Store
) -> None:
    for n in range(3):
        grow.plant(f"Kept {n}", 4)
        grow.plant(f"Spent {n}", 1)
        destroy = {"PlantBatch": f"Spent {n}", "Count": 1, "WasteReasonName": "Male Plants"}
        assert grow.send("DELETE", "/plantbatches/v2/", [destroy]).status_code == 200
        clippings = {
            "PlantBatchName": f"Kept {n}",
            "WasteMethodName": "Grinder",
            "WasteWeight": 1,
            "UnitOfMeasureName": "Grams",
        }
        assert grow.send("POST", "/plantbatches/v2/waste", [clippings]).status_code == 200
    for path in ("/plantbatches/v2/active", "/plantbatches/v2/inactive", "/plantbatches/v2/waste"):
        found = page_statements(
            client, store.engine, path, grow.headers, {"licenseNumber": grow.license}, sizes=(1, 3)
        )
        assert [records for records, _ in found.values()] == [1, 3], path
        assert found[1][1] == found[3][1], path
