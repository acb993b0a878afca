"""Plantings from a plant, plant groups (split, merge) and plant waste packages, through HTTP.

Each test has a facility of its own with ten vegetative plants tagged 1..10 from a batch
"Clones" planted 2024-01-10; tags 11..60 are available plant tags.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from leafledger.domain.models import AuditEvent, Plant, PlantBatch, PlantCount, Tag
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger
from tests.metrc.test_plant_batches import Grow, make_grow
from tests.metrc.test_plants import grown, plant


@pytest.fixture()
def grow(client: TestClient, ledger: Ledger, store: Store, demo: DemoAccess) -> Grow:
    return grown(client, ledger, store, demo, tags=60)


def ledger_state(store: Store, facility_id: int) -> dict[str, Any]:
    """Everything the endpoints here may change at a facility, to show a refusal changed none."""
    with store.read() as session:
        return {
            "plants": session.execute(
                select(Plant.label, Plant.state, Plant.plant_count, Plant.strain_id)
                .where(Plant.facility_id == facility_id)
                .order_by(Plant.id)
            ).all(),
            "batches": session.execute(
                select(PlantBatch.name, PlantBatch.untracked_count, PlantBatch.active)
                .where(PlantBatch.facility_id == facility_id)
                .order_by(PlantBatch.id)
            ).all(),
            "tags": session.execute(
                select(Tag.label, Tag.status).where(Tag.facility_id == facility_id)
            ).all(),
            "counts": counters(store, facility_id),
            "events": session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.facility_id == facility_id)
            ),
        }


def counters(store: Store, facility_id: int) -> dict[tuple[str, str], int]:
    with store.read() as session:
        rows = session.execute(
            select(PlantCount.growth_phase, PlantCount.state, PlantCount.count).where(
                PlantCount.facility_id == facility_id, PlantCount.count != 0
            )
        )
        return {(phase, state): count for phase, state, count in rows}


def recounted(store: Store, facility_id: int) -> dict[tuple[str, str], int]:
    """The counters as they should be: plant rows by phase and state."""
    with store.read() as session:
        rows = session.execute(
            select(Plant.growth_phase, Plant.state, func.count())
            .where(Plant.facility_id == facility_id)
            .group_by(Plant.growth_phase, Plant.state)
        )
        return {(phase, state): count for phase, state, count in rows}


def group_sizes(store: Store, facility_id: int) -> dict[str, tuple[str, int]]:
    """label -> (state, plant count) of every plant of the facility."""
    with store.read() as session:
        rows = session.execute(
            select(Plant.label, Plant.state, Plant.plant_count).where(
                Plant.facility_id == facility_id
            )
        )
        return {label: (state, count) for label, state, count in rows}


def plants_in_active_groups(store: Store, facility_id: int) -> int:
    with store.read() as session:
        total = session.scalar(
            select(func.sum(Plant.plant_count)).where(
                Plant.facility_id == facility_id, Plant.state.in_(("Tracked", "Harvested"))
            )
        )
        return int(total or 0)


def set_group_size(store: Store, label: str, count: int) -> None:
    """Make a plant stand for `count` plants (as if groups had been merged into it)."""
    with store.transaction() as session:
        found = session.scalars(select(Plant).where(Plant.label == label)).one()
        found.plant_count = count


def tag_status(store: Store, label: str) -> str:
    with store.read() as session:
        return str(session.scalars(select(Tag.status).where(Tag.label == label)).one())


def refused(grow: Grow, store: Store, method: str, path: str, body: list[Any]) -> str:
    """Send a request that must fail: 400 naming the last object, nothing changed."""
    before = ledger_state(store, grow.facility.id)
    response = grow.send(method, path, body)
    assert response.status_code == 400, response.text
    errors = response.json()
    assert errors[0]["row"] == len(body) - 1, errors
    assert ledger_state(store, grow.facility.id) == before
    return str(errors[0]["message"])


def other_grow(client: TestClient, ledger: Ledger, store: Store, demo: DemoAccess) -> Grow:
    """A second facility, its plants tagged 1..10 and available tags 11..12."""
    return grown(client, ledger, store, demo, tags=12)


# --- plantings from a plant ------------------------------------------------------------------


def planting(grow: Grow, name: str, **change: Any) -> dict[str, Any]:
    return {
        "PlantLabel": grow.tag(1),
        "PlantBatchName": name,
        "PlantBatchType": "Clone",
        "PlantCount": 3,
        "LocationName": grow.room,
        "StrainName": grow.strain,
        "PatientLicenseNumber": "X00001",
        "ActualDate": "2024-02-01T13:11:03Z",
        **change,
    }


@pytest.mark.parametrize("version", ["v2", "v1"])
def test_planting_from_a_plant_records_the_source_plant(grow: Grow, version: str) -> None:
    path = "/plants/v2/plantings" if version == "v2" else "/plants/v1/create/plantings"
    mother = plant(grow, grow.tag(1))
    before = grow.send("GET", "/plantbatches/v2/active").json()["Total"]
    response = grow.send("POST", path, [planting(grow, "Cuttings")])
    assert response.status_code == 200, response.text
    if version == "v2":
        assert response.json()["Warnings"] is None
        [batch_id] = response.json()["Ids"]
        assert grow.send("GET", f"/plantbatches/v2/{batch_id}").json() == grow.batch("Cuttings")
    else:
        assert response.content == b""
    batch = grow.batch("Cuttings")
    assert (batch["SourcePlantId"], batch["SourcePlantLabel"]) == (mother["Id"], grow.tag(1))
    assert (batch["UntrackedCount"], batch["TrackedCount"]) == (3, 0)
    assert (batch["PlantBatchTypeName"], batch["StrainName"]) == ("Clone", grow.strain)
    assert (batch["LocationName"], batch["PlantedDate"]) == (grow.room, "2024-02-01")
    assert batch["PatientLicenseNumber"] == "X00001"
    assert grow.send("GET", "/plantbatches/v2/active").json()["Total"] == before + 1
    # the source plant is untouched
    assert plant(grow, grow.tag(1)) == mother


def test_plantings_answer_ids_in_order_and_seeds_may_be_a_cross(grow: Grow) -> None:
    body = [
        planting(
            grow, "Seeds X", PlantBatchType="Seed", PlantCount=7, StrainName=grow.other_strain
        ),
        planting(grow, "Clones Y", PlantLabel=grow.tag(2), PlantCount=2, StrainName=None),
    ]
    ids = grow.send("POST", "/plants/v2/plantings", body).json()["Ids"]
    made = [grow.send("GET", f"/plantbatches/v2/{i}").json() for i in ids]
    assert [(b["Name"], b["UntrackedCount"], b["StrainName"]) for b in made] == [
        ("Seeds X", 7, grow.other_strain),
        ("Clones Y", 2, grow.strain),  # no strain named: the source plant's
    ]
    assert [b["SourcePlantLabel"] for b in made] == [grow.tag(1), grow.tag(2)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"PlantLabel": "1A4NOSUCHPLANT"}, "No plant tagged"),
        ({"PlantCount": 0}, "at least 1"),
        ({"PlantCount": 100_001}, "at most"),
        ({"PlantBatchType": "Cutting"}, "type"),
        ({"PlantBatchName": "Clones"}, "already named"),
        ({"PlantBatchName": " "}, "name is required"),
        ({"StrainName": "No Such Strain"}, "strain"),
        ({"LocationName": "No Such Room"}, "location"),
        ({"LocationName": None, "SublocationName": "Shelf"}, "needs a location"),
        ({"ActualDate": "2999-01-01"}, "future"),
        ({"ActualDate": "2024-01-01"}, "before plant"),
        ({"PlantLabel": None}, "PlantLabel"),
        ({"PlantCount": "many"}, "PlantCount"),
    ],
)
def test_planting_from_a_plant_refusals_change_nothing(
    grow: Grow, store: Store, change: dict[str, Any], message: str
) -> None:
    body = [planting(grow, "Fine"), planting(grow, "Refused", **change)]
    assert message in refused(grow, store, "POST", "/plants/v2/plantings", body)


def test_clones_keep_the_strain_of_their_plant(grow: Grow, store: Store) -> None:
    body = [planting(grow, "Wrong", StrainName=grow.other_strain)]
    assert "own strain" in refused(grow, store, "POST", "/plants/v1/create/plantings", body)


def test_planting_needs_a_location_that_holds_plant_batches(grow: Grow, store: Store) -> None:
    body = [planting(grow, "Misplaced", LocationName=grow.plants_only)]
    assert "cannot hold plant batches" in refused(grow, store, "POST", "/plants/v2/plantings", body)


def test_planting_from_an_inactive_or_foreign_plant_is_refused(
    grow: Grow, store: Store, client: TestClient, ledger: Ledger, demo: DemoAccess
) -> None:
    destroy = {"Label": grow.tag(3), "WasteReasonName": "Male Plants"}
    assert grow.send("DELETE", "/plants/v2/", [destroy]).status_code == 200
    gone = [planting(grow, "From Gone", PlantLabel=grow.tag(3))]
    assert "no longer active" in refused(grow, store, "POST", "/plants/v2/plantings", gone)
    other = other_grow(client, ledger, store, demo)
    foreign = [planting(grow, "From Theirs", PlantLabel=other.tag(1))]
    assert "No plant tagged" in refused(grow, store, "POST", "/plants/v2/plantings", foreign)


def test_planting_from_a_plant_needs_a_grower(grow: Grow, ledger: Ledger, demo: DemoAccess) -> None:
    shop = ledger.facility("Dispensary")
    ledger.grant_demo_user(shop.license_number)
    response = grow.client.post(
        "/plants/v2/plantings",
        params={"licenseNumber": shop.license_number},
        headers=demo.headers,
        json=[planting(grow, "Shop Clones")],
    )
    assert response.status_code == 400
    assert "may not grow plants" in response.json()[0]["message"]


# --- split -----------------------------------------------------------------------------------


def split_body(grow: Grow, **change: Any) -> dict[str, Any]:
    return {
        "SplitDate": "2024-02-01",
        "SourcePlantLabel": grow.tag(1),
        "PlantCount": 5,
        "TagLabel": grow.tag(20),
        "StrainLabel": grow.strain,
        **change,
    }


def test_split_moves_plants_to_a_new_group_under_a_new_tag(grow: Grow, store: Store) -> None:
    set_group_size(store, grow.tag(1), 12)
    facility_id = grow.facility.id
    plants_before = plants_in_active_groups(store, facility_id)
    response = grow.send("PUT", "/plants/v2/split", [split_body(grow)])
    assert response.status_code == 200, response.text
    [new_id] = response.json()["Ids"]
    source, made = plant(grow, grow.tag(1)), plant(grow, grow.tag(20))
    assert made["Id"] == new_id
    for key in ("GrowthPhase", "StrainName", "LocationName", "PlantBatchName", "PlantedDate"):
        assert made[key] == source[key], key
    assert (made["State"], made["VegetativeDate"]) == ("Tracked", source["VegetativeDate"])
    sizes = group_sizes(store, facility_id)
    assert (sizes[grow.tag(1)], sizes[grow.tag(20)]) == (("Tracked", 7), ("Tracked", 5))
    assert plants_in_active_groups(store, facility_id) == plants_before
    assert tag_status(store, grow.tag(20)) == "Used"
    # Totals count plant rows (tags), one more now; the counters agree with the rows
    vegetative = grow.send("GET", "/plants/v2/vegetative").json()
    assert vegetative["Total"] == 11 == len(grow.send("GET", "/plants/v1/vegetative").json())
    assert counters(store, facility_id) == recounted(store, facility_id)
    with store.read() as session:
        actions = set(
            session.scalars(
                select(AuditEvent.action).where(
                    AuditEvent.facility_id == facility_id,
                    AuditEvent.entity_type == "plants",
                    AuditEvent.entity_id.in_([source["Id"], new_id]),
                )
            )
        )
    assert {"split", "split_from"} <= actions


def test_split_without_a_strain_label_and_several_objects(grow: Grow, store: Store) -> None:
    set_group_size(store, grow.tag(1), 6)
    body = [
        split_body(grow, PlantCount=2, TagLabel=grow.tag(21), StrainLabel=None),
        split_body(grow, PlantCount=3, TagLabel=grow.tag(22)),
    ]
    ids = grow.send("PUT", "/plants/v2/split", body).json()["Ids"]
    assert ids == [plant(grow, grow.tag(21))["Id"], plant(grow, grow.tag(22))["Id"]]
    sizes = group_sizes(store, grow.facility.id)
    assert [sizes[grow.tag(n)][1] for n in (1, 21, 22)] == [1, 2, 3]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"PlantCount": 12}, "keeps at least one"),
        ({"PlantCount": 13}, "keeps at least one"),
        ({"PlantCount": 0}, "from 1"),
        ({"TagLabel": "2"}, "used only once"),  # tag 2 is on a plant
        ({"TagLabel": "1A4NOSUCHTAG"}, "not issued to this facility"),
        ({"TagLabel": None}, "TagLabel"),
        ({"SourcePlantLabel": "1A4NOSUCHPLANT"}, "No plant tagged"),
        ({"StrainLabel": "other"}, "keeps the strain"),
        ({"StrainLabel": "No Such Strain"}, "strain"),
        ({"SplitDate": "2999-01-01"}, "future"),
        ({"SplitDate": "2024-01-01"}, "before plant"),
    ],
)
def test_split_refusals_change_nothing(
    grow: Grow, store: Store, change: dict[str, Any], message: str
) -> None:
    set_group_size(store, grow.tag(1), 12)
    if change.get("TagLabel") == "2":
        change["TagLabel"] = grow.tag(2)
    if change.get("StrainLabel") == "other":
        change["StrainLabel"] = grow.other_strain
    body = [split_body(grow, PlantCount=1, TagLabel=grow.tag(30)), split_body(grow, **change)]
    assert message in refused(grow, store, "PUT", "/plants/v2/split", body)


def test_a_single_plant_cannot_be_split(grow: Grow, store: Store) -> None:
    body = [split_body(grow, SourcePlantLabel=grow.tag(2), PlantCount=1)]
    assert "keeps at least one" in refused(grow, store, "PUT", "/plants/v2/split", body)


def test_split_refuses_foreign_and_package_tags(
    grow: Grow, store: Store, client: TestClient, ledger: Ledger, demo: DemoAccess
) -> None:
    set_group_size(store, grow.tag(1), 4)
    other = other_grow(client, ledger, store, demo)
    foreign = [split_body(grow, PlantCount=1, TagLabel=other.tag(2))]
    assert "not issued to this facility" in refused(grow, store, "PUT", "/plants/v2/split", foreign)
    package_tag = grow.send(
        "POST", "/sandbox/v2/facility/tags", {"TagType": "Marijuana Package", "Count": 1}
    ).json()["Labels"][0]
    wrong_kind = [split_body(grow, PlantCount=1, TagLabel=package_tag)]
    assert "not a plant tag" in refused(grow, store, "PUT", "/plants/v2/split", wrong_kind)
    # and a source plant of another facility is not found here
    theirs = [split_body(grow, SourcePlantLabel=other.tag(1), PlantCount=1)]
    assert "No plant tagged" in refused(grow, store, "PUT", "/plants/v2/split", theirs)


# --- merge -----------------------------------------------------------------------------------


def merge_body(target: str, source: str, **change: Any) -> dict[str, Any]:
    return {
        "TargetPlantGroupLabel": target,
        "SourcePlantGroupLabel": source,
        "MergeDate": "2024-02-01",
        **change,
    }


def test_merge_moves_every_plant_and_ends_the_source(grow: Grow, store: Store) -> None:
    facility_id = grow.facility.id
    set_group_size(store, grow.tag(2), 4)
    plants_before = plants_in_active_groups(store, facility_id)
    target_id = plant(grow, grow.tag(1))["Id"]
    body = [merge_body(grow.tag(1), grow.tag(2)), merge_body(grow.tag(1), grow.tag(3))]
    response = grow.send("PUT", "/plants/v2/merge", body)
    assert response.status_code == 200, response.text
    assert response.json() == {"Ids": [target_id, target_id], "Warnings": None}
    sizes = group_sizes(store, facility_id)
    assert sizes[grow.tag(1)] == ("Tracked", 1 + 4 + 1)
    assert sizes[grow.tag(2)] == sizes[grow.tag(3)] == ("Merged", 0)
    assert plants_in_active_groups(store, facility_id) == plants_before
    assert [tag_status(store, grow.tag(n)) for n in (1, 2, 3)] == ["Used", "Retired", "Retired"]
    # the merged groups leave the active lists for the inactive one; Totals count rows
    assert grow.send("GET", "/plants/v2/vegetative").json()["Total"] == 8
    inactive = grow.send("GET", "/plants/v2/inactive").json()
    assert inactive["Total"] == 2
    assert {(p["Label"], p["State"]) for p in inactive["Data"]} == {
        (grow.tag(2), "Merged"),
        (grow.tag(3), "Merged"),
    }
    assert counters(store, facility_id) == recounted(store, facility_id)
    # a merged group is no longer active: it can be neither merged nor moved again
    again = grow.send("PUT", "/plants/v2/merge", [merge_body(grow.tag(1), grow.tag(2))])
    assert "no longer active" in again.json()[0]["message"]
    moved = grow.send("PUT", "/plants/v2/location", [{"Label": grow.tag(2), "Location": grow.room}])
    assert moved.status_code == 400


def test_split_and_merge_back_restores_the_group(grow: Grow, store: Store) -> None:
    set_group_size(store, grow.tag(1), 10)
    assert grow.send("PUT", "/plants/v2/split", [split_body(grow, PlantCount=4)]).status_code == 200
    merged = grow.send("PUT", "/plants/v2/merge", [merge_body(grow.tag(1), grow.tag(20))])
    assert merged.status_code == 200
    sizes = group_sizes(store, grow.facility.id)
    assert (sizes[grow.tag(1)], sizes[grow.tag(20)]) == (("Tracked", 10), ("Merged", 0))
    assert grow.send("GET", "/plants/v2/vegetative").json()["Total"] == 10
    assert counters(store, grow.facility.id) == recounted(store, grow.facility.id)


def test_merge_refusals_change_nothing(
    grow: Grow, store: Store, client: TestClient, ledger: Ledger, demo: DemoAccess
) -> None:
    flowering = {"Label": grow.tag(5), "GrowthPhase": "Flowering", "GrowthDate": "2024-01-25"}
    assert grow.send("PUT", "/plants/v2/growthphase", [flowering]).status_code == 200
    strain = {"Label": grow.tag(6), "StrainName": grow.other_strain}
    assert grow.send("PUT", "/plants/v2/strain", [strain]).status_code == 200
    destroy = {"Label": grow.tag(7), "WasteReasonName": "Male Plants"}
    assert grow.send("DELETE", "/plants/v2/", [destroy]).status_code == 200
    other = other_grow(client, ledger, store, demo)
    fine = merge_body(grow.tag(1), grow.tag(2))
    for wrong, message in [
        (merge_body(grow.tag(3), grow.tag(3)), "into itself"),
        (merge_body(grow.tag(3), grow.tag(5)), "same growth phase"),
        (merge_body(grow.tag(3), grow.tag(6)), "different strains"),
        (merge_body(grow.tag(3), grow.tag(7)), "no longer active"),
        (merge_body(grow.tag(7), grow.tag(3)), "no longer active"),
        (merge_body(grow.tag(3), "1A4NOSUCHPLANT"), "No plant tagged"),
        (merge_body(other.tag(1), grow.tag(3)), "No plant tagged"),
        (merge_body(grow.tag(3), other.tag(1)), "No plant tagged"),
        (merge_body(grow.tag(3), grow.tag(4), MergeDate="2999-01-01"), "future"),
        (merge_body(grow.tag(3), grow.tag(4), MergeDate="2024-01-01"), "before the plants"),
        ({"SourcePlantGroupLabel": grow.tag(4)}, "TargetPlantGroupLabel"),
    ]:
        assert message in refused(grow, store, "PUT", "/plants/v2/merge", [fine, wrong]), wrong


# --- packages of a plant waste record --------------------------------------------------------


def test_plant_waste_packages_is_an_empty_page_for_an_existing_record(
    grow: Grow, client: TestClient, ledger: Ledger, store: Store, demo: DemoAccess
) -> None:
    waste = {
        "WasteMethodName": "Grinder",
        "WasteWeight": 3,
        "UnitOfMeasureName": "Grams",
        "PlantLabels": [grow.tag(1)],
    }
    [waste_id] = grow.send("POST", "/plants/v2/waste", [waste]).json()["Ids"]
    page = grow.send("GET", f"/plants/v2/waste/{waste_id}/package", pageSize=5)
    assert page.status_code == 200
    assert page.json() == {
        "Data": [],
        "Total": 0,
        "TotalRecords": 0,
        "PageSize": 5,
        "RecordsOnPage": 0,
        "Page": 1,
        "CurrentPage": 1,
        "TotalPages": 0,
    }
    other = make_grow(client, ledger, store, demo, tags=0)
    assert other.send("GET", f"/plants/v2/waste/{waste_id}/package").status_code == 401
    assert grow.send("GET", "/plants/v2/waste/987654321/package").status_code == 404
