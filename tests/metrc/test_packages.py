"""Packages from harvests and from plant batches, and the package reads, through HTTP."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from leafledger.dialects.metrc.resources.harvests import HarvestPackageBody
from leafledger.domain.models import AuditEvent, Package, PackageSource, PlantBatch, Tag
from leafledger.domain.services.packages import HarvestPackage, Ingredient
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger, unique
from tests.metrc.test_harvests import Api, Grow, example, harvest_into, statements_of
from tests.statements import page_statements, row_insert_split


@pytest.fixture()
def grow(ledger: Ledger, store: Store) -> Grow:
    return Grow.start(ledger, store)


@pytest.fixture()
def api(client: TestClient, demo: DemoAccess, grow: Grow) -> Api:
    return Api(client, demo, grow.license)


def package_body(
    grow: Grow, tag: str, item: str, unit: str, ingredients: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    return {
        "Tag": tag,
        "Location": None,
        "Item": item,
        "UnitOfWeight": unit,
        "ActualDate": grow.today,
        "Ingredients": ingredients,
        **extra,
    }


def ingredient(harvest: int | str, weight: Any, unit: str = "Grams") -> dict[str, Any]:
    key = "HarvestId" if isinstance(harvest, int) else "HarvestName"
    return {key: harvest, "Weight": weight, "UnitOfWeight": unit}


def package(store: Store, package_id: int) -> Package:
    with store.read() as session:
        found = session.get(Package, package_id)
        assert found is not None
        session.expunge(found)
        return found


def sources(store: Store, package_id: int) -> list[tuple[int | None, Decimal, str]]:
    with store.read() as session:
        return [
            (s.source_harvest_id, s.quantity, s.unit_of_measure_name)
            for s in session.scalars(
                select(PackageSource)
                .where(PackageSource.package_id == package_id)
                .order_by(PackageSource.id)
            )
        ]


def tag_status(store: Store, label: str) -> str:
    with store.read() as session:
        return session.scalars(select(Tag.status).where(Tag.label == label)).one()


# --- from harvests


def test_one_pound_drawn_from_a_harvest_in_grams_lowers_it_exactly(
    api: Api, grow: Grow, store: Store
) -> None:
    harvest_id = harvest_into(api, grow, ["1000"])
    [tag] = grow.package_tags(1)
    item = grow.item()
    body = [package_body(grow, tag, item, "Ounces", [ingredient(harvest_id, 1, "Pounds")])]
    [package_id] = api.ok("POST", "/harvests/v2/packages", body)["Ids"]
    harvest = grow.harvest(harvest_id)
    assert harvest.current_weight == Decimal("546.40763")
    assert harvest.total_packaged_weight == Decimal("453.59237")
    assert harvest.package_count == 1
    made = package(store, package_id)
    assert made.quantity == Decimal("16") and made.unit_of_measure_name == "Ounces"
    assert made.label == tag and made.package_type == "Product"
    assert not made.is_testing_sample
    assert sources(store, package_id) == [(harvest_id, Decimal("453.59237"), "Grams")]
    assert tag_status(store, tag) == "Used"
    with store.read() as session:
        audited = {
            (e.entity_type, e.action)
            for e in session.scalars(
                select(AuditEvent).where(AuditEvent.facility_id == grow.facility.id)
            )
        }
    assert {("packages", "create"), ("package_sources", "create"), ("harvests", "package")} <= (
        audited
    )
    assert ("tags", "use") in audited


def test_three_packages_in_three_units_conserve_the_harvest(
    api: Api, grow: Grow, store: Store
) -> None:
    harvest_id = harvest_into(api, grow, ["700", "800"])
    tags = grow.package_tags(3)
    item = grow.item()
    body = [
        package_body(grow, tags[0], item, "Grams", [ingredient(harvest_id, 250)]),
        package_body(grow, tags[1], item, "Kilograms", [ingredient(harvest_id, "0.5", "kg")]),
        package_body(grow, tags[2], item, "Ounces", [ingredient(harvest_id, 4, "Ounces")]),
    ]
    ids = api.ok("POST", "/harvests/v2/packages", body)["Ids"]
    assert len(ids) == 3
    drawn = sum((q for i in ids for _, q, _ in sources(store, i)), Decimal(0))
    harvest = grow.harvest(harvest_id)
    assert drawn == Decimal("1500") - harvest.current_weight
    assert harvest.total_packaged_weight == drawn == Decimal("863.3980925")
    assert harvest.package_count == 3
    assert [package(store, i).quantity for i in ids] == [Decimal(250), Decimal("0.5"), 4]


def test_a_request_of_packages_from_harvests_costs_the_same_statements_for_2_or_10(
    api: Api, grow: Grow, store: Store
) -> None:
    """Its harvests and tags are locked ahead in one statement each, and its packages,
    their source rows, the tags and the harvests drawn on are written by one flush (on
    PostgreSQL one statement per table; SQLite, in process, inserts the rows one by one).
    Every draw is still audited on its own."""
    first, second = (harvest_into(api, grow, ["900"], name=unique("Bulk")) for _ in range(2))
    tags = grow.package_tags(13)
    item = grow.item()
    api.ok("POST", "/harvests/v2/packages", [package_body(grow, tags[12], item, "Grams",
           [ingredient(first, 1)])])  # fmt: skip

    def statements(tags: list[str]) -> tuple[int, int]:
        body = [
            package_body(grow, tag, item, "Grams", [ingredient(first, 1), ingredient(second, 2)])
            for tag in tags
        ]
        send = lambda: api.ok("POST", "/harvests/v2/packages", body)  # noqa: E731
        return row_insert_split(store.engine, send, ("packages", "package_sources"))

    (two, inserted_for_two), (ten, inserted_for_ten) = statements(tags[:2]), statements(tags[2:12])
    assert two == ten <= 12
    if store.engine.dialect.name == "postgresql":
        assert inserted_for_two == inserted_for_ten == 2
    harvests = grow.harvest(first), grow.harvest(second)
    assert [h.current_weight for h in harvests] == [Decimal(900 - 13), Decimal(900 - 24)]
    assert [h.package_count for h in harvests] == [13, 12]
    with store.read() as session:
        draws = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.entity_type == "harvests",
                AuditEvent.entity_id.in_([first, second]),
                AuditEvent.action == "package",
            )
        )
    assert draws == 1 + 2 * 12


def test_ingredients_from_two_harvests_record_the_genealogy(
    api: Api, grow: Grow, store: Store
) -> None:
    first_name, second_name = unique("HA"), unique("HB")
    first = harvest_into(api, grow, ["100"], name=first_name)
    second = harvest_into(api, grow, ["2"], name=second_name)
    # The second harvest is weighed in ounces; its draw is recorded in ounces.
    with store.transaction() as session:
        from leafledger.domain.models import Harvest

        harvest = session.get(Harvest, second)
        assert harvest is not None
        harvest.unit_of_weight_name = "Ounces"
    [tag] = grow.package_tags(1)
    item = grow.item()
    body = [
        package_body(
            grow,
            tag,
            item,
            "Grams",
            [ingredient(first, "10.5"), ingredient(second_name, "28.349523125")],
        )
    ]
    [package_id] = api.ok("POST", "/harvests/v2/packages", body)["Ids"]
    assert sources(store, package_id) == [
        (first, Decimal("10.5"), "Grams"),
        (second, Decimal("1"), "Ounces"),
    ]
    assert grow.harvest(second).current_weight == Decimal("1")
    assert package(store, package_id).quantity == Decimal("38.849523125")
    shown = api.ok("GET", f"/packages/v2/{package_id}")
    assert shown["SourceHarvestNames"] == f"{first_name}, {second_name}"
    assert shown["SourceHarvestCount"] == 2
    assert shown["Item"]["Name"] == item


def test_a_package_body_is_one_command_holding_its_ingredient_commands() -> None:
    body = HarvestPackageBody.model_validate(
        {
            "Tag": " T1 ",
            "Item": "Buds",
            "UnitOfWeight": "Grams",
            "IsTradeSample": "true",
            "ActualDate": "2024-01-15T00:00:00Z",
            "Ingredients": [
                {"HarvestId": 7, "Weight": 2, "UnitOfWeight": "g"},
                {"HarvestName": "H-2", "Weight": "1.5", "UnitOfWeight": "oz"},
            ],
        }
    )
    assert body.to_command({}) == HarvestPackage(
        tag="T1",
        item="Buds",
        unit_of_weight="Grams",
        is_trade_sample=True,
        actual_date=date(2024, 1, 15),
        ingredients=(
            Ingredient(Decimal(2), "g", harvest_id=7),
            Ingredient(Decimal("1.5"), "oz", harvest_name="H-2"),
        ),
    )


def test_over_draw_is_refused_naming_the_row_and_changes_nothing(
    api: Api, grow: Grow, store: Store
) -> None:
    harvest_id = harvest_into(api, grow, ["100"])
    tags = grow.package_tags(2)
    item = grow.item()
    body = [
        package_body(grow, tags[0], item, "Grams", [ingredient(harvest_id, 60)]),
        package_body(grow, tags[1], item, "Grams", [ingredient(harvest_id, "40.0000000001")]),
    ]
    response = api.call("POST", "/harvests/v2/packages", body)
    assert response.status_code == 400
    [error] = response.json()
    assert error["row"] == 1 and "exceeds" in error["message"]
    assert grow.harvest(harvest_id).current_weight == Decimal("100")
    assert [tag_status(store, t) for t in tags] == ["Available", "Available"]
    # Within one package, two ingredients of the same harvest count together.
    twice = [
        package_body(
            grow, tags[0], item, "Grams", [ingredient(harvest_id, 60), ingredient(harvest_id, 41)]
        )
    ]
    assert api.call("POST", "/harvests/v2/packages", twice).status_code == 400


def test_item_must_be_weighed_and_location_must_hold_packages(api: Api, grow: Grow) -> None:
    harvest_id = harvest_into(api, grow, ["100"])
    [tag] = grow.package_tags(1)
    counted = grow.item("Immature Plants", "CountBased")
    response = api.call(
        "POST",
        "/harvests/v2/packages",
        [package_body(grow, tag, counted, "Grams", [ingredient(harvest_id, 5)])],
    )
    assert response.status_code == 400
    room = grow.location_named(for_packages=False)
    response = api.call(
        "POST",
        "/harvests/v2/packages",
        [package_body(grow, tag, grow.item(), "Grams", [ingredient(harvest_id, 5)], Location=room)],
    )
    assert response.status_code == 400
    assert "cannot hold packages" in response.json()[0]["message"]
    assert grow.harvest(harvest_id).current_weight == Decimal("100")


def test_a_used_or_plant_tag_is_refused(api: Api, grow: Grow) -> None:
    harvest_id = harvest_into(api, grow, ["100"])
    [tag] = grow.package_tags(1)
    item = grow.item()
    api.ok(
        "POST",
        "/harvests/v2/packages",
        [package_body(grow, tag, item, "Grams", [ingredient(harvest_id, 5)])],
    )
    again = api.call(
        "POST",
        "/harvests/v2/packages",
        [package_body(grow, tag, item, "Grams", [ingredient(harvest_id, 5)])],
    )
    assert again.status_code == 400
    assert "only once" in again.json()[0]["message"]
    [plant_tag] = grow.plants(1)
    plant = api.call(
        "POST",
        "/harvests/v2/packages",
        [package_body(grow, plant_tag, item, "Grams", [ingredient(harvest_id, 5)])],
    )
    assert plant.status_code == 400
    assert grow.harvest(harvest_id).current_weight == Decimal("95")


def test_texts_longer_than_their_columns_are_refused(api: Api, grow: Grow) -> None:
    harvest_id = harvest_into(api, grow, ["100"])
    [tag] = grow.package_tags(1)
    body = package_body(grow, tag, grow.item(), "Grams", [ingredient(harvest_id, 5)])
    for field, size in (("Note", 1001), ("PatientLicenseNumber", 65)):
        response = api.call("POST", "/harvests/v2/packages", [{**body, field: "x" * size}])
        assert response.status_code == 400
        assert response.json()[0]["message"].startswith(field)
    assert grow.harvest(harvest_id).current_weight == Decimal("100")


def test_finished_harvest_takes_no_package_draws(api: Api, grow: Grow) -> None:
    harvest_id = harvest_into(api, grow, ["100"])
    api.ok("PUT", "/harvests/v2/finish", [{"Id": harvest_id}])
    [tag] = grow.package_tags(1)
    response = api.call(
        "POST",
        "/harvests/v2/packages",
        [package_body(grow, tag, grow.item(), "Grams", [ingredient(harvest_id, 5)])],
    )
    assert response.status_code == 400
    assert "finished" in response.json()[0]["message"]


def test_restore_is_refused_after_a_package(api: Api, grow: Grow) -> None:
    [plant] = grow.plants(1)
    from tests.metrc.test_harvests import cut

    harvest_id = api.ok("PUT", "/plants/v2/harvest", [cut(grow, plant, "100")])["Ids"][0]
    [tag] = grow.package_tags(1)
    api.ok(
        "POST",
        "/harvests/v2/packages",
        [package_body(grow, tag, grow.item(), "Grams", [ingredient(harvest_id, 5)])],
    )
    response = api.call(
        "PUT",
        "/harvests/v2/restore/harvestedplants",
        [{"HarvestId": harvest_id, "PlantTags": [plant]}],
    )
    assert response.status_code == 400
    assert grow.plant(plant).state == "HarvestedFully"


def test_testing_packages_and_v1_twins(api: Api, grow: Grow, store: Store) -> None:
    harvest_id = harvest_into(api, grow, ["100"])
    tags = grow.package_tags(3)
    item = grow.item()
    [testing] = api.ok(
        "POST",
        "/harvests/v2/packages/testing",
        [package_body(grow, tags[0], item, "Grams", [ingredient(harvest_id, 1)])],
    )["Ids"]
    assert package(store, testing).is_testing_sample
    assert api.ok("GET", f"/packages/v2/{testing}")["IsTestingSample"] is True
    response = api.call(
        "POST",
        "/harvests/v1/create/packages",
        [package_body(grow, tags[1], item, "Grams", [ingredient(harvest_id, 2)])],
    )
    assert response.status_code == 200 and response.content == b""
    response = api.call(
        "POST",
        "/harvests/v1/create/packages/testing",
        [package_body(grow, tags[2], item, "Grams", [ingredient(harvest_id, 3)])],
    )
    assert response.status_code == 200 and response.content == b""
    assert grow.harvest(harvest_id).current_weight == Decimal("94")
    v1 = api.ok("GET", f"/packages/v1/{tags[2]}")
    assert v1["IsTestingSample"] is True and v1["Quantity"] == 3


# --- from plant batches


def batch_body(grow: Grow, tag: str, item: str, count: int, **extra: Any) -> dict[str, Any]:
    return {
        "PlantBatch": grow.batch_name,
        "Count": count,
        "Item": item,
        "Tag": tag,
        "ActualDate": grow.today,
        **extra,
    }


def batch(store: Store, batch_id: int) -> PlantBatch:
    with store.read() as session:
        found = session.get(PlantBatch, batch_id)
        assert found is not None
        session.expunge(found)
        return found


def test_plants_packaged_from_a_batch_never_exceed_it(api: Api, grow: Grow, store: Store) -> None:
    tags = grow.package_tags(3)
    item = grow.item("Immature Plants", "CountBased")
    [package_id] = api.ok(
        "POST", "/plantbatches/v2/packages", [batch_body(grow, tags[0], item, 10)]
    )["Ids"]
    made = package(store, package_id)
    assert made.quantity == 10 and made.unit_of_measure_name == "Each"
    assert made.package_type == "ImmaturePlant"
    after = batch(store, grow.batch_id)
    assert after.untracked_count == 20 and after.packaged_count == 10
    with store.read() as session:
        [source] = session.scalars(
            select(PackageSource).where(PackageSource.package_id == package_id)
        ).all()
        assert source.source_plant_batch_id == grow.batch_id and source.quantity == 10
    too_many = api.call("POST", "/plantbatches/v2/packages", [batch_body(grow, tags[1], item, 21)])
    assert too_many.status_code == 400
    assert "20 untracked" in too_many.json()[0]["message"]
    weighed = api.call(
        "POST", "/plantbatches/v2/packages", [batch_body(grow, tags[1], grow.item(), 1)]
    )
    assert weighed.status_code == 400
    by_id = {"Id": grow.batch_id, "PlantBatch": None}
    response = api.call(
        "POST", "/plantbatches/v1/createpackages", [batch_body(grow, tags[1], item, 5, **by_id)]
    )
    assert response.status_code == 200 and response.content == b""
    assert batch(store, grow.batch_id).untracked_count == 15
    assert tag_status(store, tags[2]) == "Available"


def test_packages_from_a_mother_plant_record_it(api: Api, grow: Grow, store: Store) -> None:
    tags = grow.package_tags(2)
    item = grow.item("Immature Plants", "CountBased")
    refused = api.call(
        "POST", "/plantbatches/v2/packages/frommotherplant", [batch_body(grow, tags[0], item, 2)]
    )
    assert refused.status_code == 400
    assert "mother" in refused.json()[0]["message"]
    [mother] = grow.plants(1, phase="Vegetative")
    mother_id = grow.plant(mother).id
    with store.transaction() as session:
        found = session.get(PlantBatch, grow.batch_id)
        assert found is not None
        found.source_plant_id = mother_id
    [package_id] = api.ok(
        "POST", "/plantbatches/v2/packages/frommotherplant", [batch_body(grow, tags[0], item, 2)]
    )["Ids"]
    with store.read() as session:
        [source] = session.scalars(
            select(PackageSource).where(PackageSource.package_id == package_id)
        ).all()
        assert source.source_plant_id == mother_id
    response = api.call(
        "POST",
        "/plantbatches/v1/create/packages/frommotherplant",
        [batch_body(grow, tags[1], item, 3)],
    )
    assert response.status_code == 200
    # Clones cut from the mother are not plants of the batch: it keeps all 30.
    assert batch(store, grow.batch_id).untracked_count == 30


def consecutive_plant_tags(grow: Grow, count: int) -> str:
    """`count` available plant tags with consecutive labels; the first label."""
    prefix = unique("1A4MOM").replace("-", "X") + "N"
    with grow.store.transaction() as session:
        for n in range(1, count + 1):
            session.add(
                Tag(
                    facility_id=grow.facility.id,
                    label=f"{prefix}{n:03d}",
                    kind="Plant",
                    tag_type_name="CannabisPlant",
                )
            )
    return f"{prefix}001"


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/plantbatches/v2/packages/frommotherplant", {}),
        ("/plantbatches/v1/create/packages/frommotherplant", {}),
        ("/plantbatches/v2/packages", {"isFromMotherPlant": "true"}),
    ],
)
def test_clones_from_a_mother_plant_leave_the_batch_whole(
    api: Api, grow: Grow, store: Store, path: str, query: dict[str, str]
) -> None:
    """Metrc's integrator checklist: packaging clones from a batch's mother plant takes nothing
    from the batch, so a growth phase change of all its plants still succeeds afterwards."""
    [mother] = grow.plants(1, phase="Vegetative")
    mother_id = grow.plant(mother).id
    with store.transaction() as session:
        found = session.get(PlantBatch, grow.batch_id)
        assert found is not None
        found.source_plant_id = mother_id
    [tag] = grow.package_tags(1)
    item = grow.item("Immature Plants", "CountBased")
    response = api.call("POST", path, [batch_body(grow, tag, item, 4)], **query)
    assert response.status_code == 200, response.text
    change = {
        "Name": grow.batch_name,
        "Count": 30,
        "StartingTag": consecutive_plant_tags(grow, 30),
        "GrowthPhase": "Vegetative",
        "GrowthDate": grow.today,
    }
    changed = api.call("POST", "/plantbatches/v2/growthphase", [change])
    assert changed.status_code == 200, changed.text
    tagged = batch(store, grow.batch_id)
    assert (tagged.untracked_count, tagged.tracked_count) == (0, 30)
    assert (tagged.packaged_count, tagged.destroyed_count) == (0, 0)
    with store.read() as session:
        [made] = session.scalars(select(Package).where(Package.label == tag)).all()
        [source] = session.scalars(
            select(PackageSource).where(PackageSource.package_id == made.id)
        ).all()
    assert made.quantity == 4 and made.package_type == "ImmaturePlant"
    assert (source.source_plant_id, source.source_plant_batch_id) == (mother_id, grow.batch_id)
    assert source.quantity == 4


def test_plant_package_refusals_name_the_wire_field(api: Api, grow: Grow) -> None:
    [tag] = grow.package_tags(1)
    item = grow.item("Immature Plants", "CountBased")
    response = api.call("POST", "/plantbatches/v2/packages", [batch_body(grow, tag, item, 0)])
    assert response.status_code == 400
    assert response.json()[0]["message"].startswith("Count must be greater than zero")
    missing = {k: v for k, v in batch_body(grow, tag, item, 1).items() if k != "Tag"}
    response = api.call("POST", "/plantbatches/v2/packages", [missing])
    assert response.status_code == 400
    assert response.json()[0]["message"] == "Tag: is required"
    assert tag_status(grow.store, tag) == "Available"


# --- reads


def test_package_objects_have_the_example_keys(api: Api, grow: Grow, store: Store) -> None:
    harvest_id = harvest_into(api, grow, ["100"])
    [tag] = grow.package_tags(1)
    [package_id] = api.ok(
        "POST",
        "/harvests/v2/packages",
        [package_body(grow, tag, grow.item(), "Grams", [ingredient(harvest_id, 5)])],
    )["Ids"]
    expected = example("GET /packages/v2/{id}")
    by_id = api.ok("GET", f"/packages/v2/{package_id}")
    assert list(by_id) == list(expected)
    assert list(by_id["Item"]) == list(expected["Item"])
    assert set(by_id["ProductLabel"]) == set(expected["ProductLabel"])
    assert by_id["Label"] == tag and by_id["Quantity"] == 5
    assert by_id["UnitOfMeasureAbbreviation"] == "g"
    assert by_id["LocationName"] == grow.location  # the harvest's room holds packages
    assert by_id["LabTestingState"] == "NotSubmitted"
    by_label = api.ok("GET", f"/packages/v2/{tag}")
    assert by_label == by_id
    listed = api.ok("GET", "/packages/v2/active")
    assert set(listed) == set(example("GET /packages/v2/active"))
    assert [p["Id"] for p in listed["Data"]] == [package_id]
    assert list(listed["Data"][0]) == list(expected)
    assert api.ok("GET", "/packages/v2/inactive")["Data"] == []
    assert [p["Id"] for p in api.ok("GET", "/packages/v1/active")] == [package_id]
    assert api.ok("GET", f"/packages/v1/{package_id}")["Label"] == tag

    from datetime import date

    with store.transaction() as session:
        found = session.get(Package, package_id)
        assert found is not None
        found.finished_date = date.fromisoformat(grow.today)
    assert [p["Id"] for p in api.ok("GET", "/packages/v2/inactive")["Data"]] == [package_id]
    assert [p["Id"] for p in api.ok("GET", "/packages/v1/inactive")] == [package_id]
    assert api.ok("GET", "/packages/v2/active")["Data"] == []


def test_foreign_package_id_or_label_answers_401(
    api: Api, grow: Grow, ledger: Ledger, store: Store, client: TestClient, demo: DemoAccess
) -> None:
    other = Grow.start(ledger, store)
    other_api = Api(client, demo, other.license)
    harvest_id = harvest_into(other_api, other, ["10"])
    [tag] = other.package_tags(1)
    [package_id] = other_api.ok(
        "POST",
        "/harvests/v2/packages",
        [package_body(other, tag, other.item(), "Grams", [ingredient(harvest_id, 1)])],
    )["Ids"]
    for path in (f"/packages/v2/{package_id}", f"/packages/v2/{tag}", f"/packages/v1/{tag}"):
        assert api.call("GET", path).status_code == 401, path
    assert api.call("GET", "/packages/v2/NO-SUCH-LABEL").status_code == 404
    assert api.ok("GET", "/packages/v2/active")["Data"] == []
    # A foreign harvest cannot be drawn on either.
    [mine] = grow.package_tags(1)
    response = api.call(
        "POST",
        "/harvests/v2/packages",
        [package_body(grow, mine, grow.item(), "Grams", [ingredient(harvest_id, 1)])],
    )
    assert response.status_code == 400
    assert other.harvest(harvest_id).current_weight == Decimal("9")


# --- statements


def packages_from_two_harvests(api: Api, grow: Grow, count: int) -> list[str]:
    """`count` packages, each drawn from the same two harvests; their labels."""
    first = harvest_into(api, grow, ["100"], name=unique("PA"))
    second = harvest_into(api, grow, ["100"], name=unique("PB"))
    tags = grow.package_tags(count)
    item = grow.item()
    draws = [ingredient(first, 1), ingredient(second, 2)]
    api.ok(
        "POST", "/harvests/v2/packages", [package_body(grow, t, item, "Grams", draws) for t in tags]
    )
    return tags


@pytest.mark.parametrize("state", ["active", "inactive"])
def test_a_page_of_packages_costs_the_same_statements_at_any_size(
    api: Api, grow: Grow, client: TestClient, store: Store, state: str
) -> None:
    tags = packages_from_two_harvests(api, grow, 3)
    if state == "inactive":
        with store.transaction() as session:
            for made in session.scalars(select(Package).where(Package.label.in_(tags))):
                made.finished_date = date.fromisoformat(grow.today)
    params = {"licenseNumber": api.license}
    found = page_statements(
        client, store.engine, f"/packages/v2/{state}", api.headers, params, sizes=(1, 3)
    )
    assert [records for records, _ in found.values()] == [1, 3]
    assert found[1][1] == found[3][1]
    listed = api.ok("GET", f"/packages/v2/{state}")["Data"]
    assert {p["SourceHarvestCount"] for p in listed} == {2}


def test_a_package_read_costs_the_same_statements_however_many_sources(
    api: Api, grow: Grow, store: Store
) -> None:
    [single] = grow.package_tags(1)
    harvest_id = harvest_into(api, grow, ["100"])
    body = [package_body(grow, single, grow.item(), "Grams", [ingredient(harvest_id, 1)])]
    [single_id] = api.ok("POST", "/harvests/v2/packages", body)["Ids"]
    [double] = packages_from_two_harvests(api, grow, 1)
    assert api.ok("GET", f"/packages/v2/{double}")["SourceHarvestCount"] == 2
    double_id = api.ok("GET", f"/packages/v2/{double}")["Id"]
    for one, other in ((single, double), (str(single_id), str(double_id))):
        for version in ("v2", "v1"):
            assert statements_of(api, store, f"/packages/{version}/{one}") == statements_of(
                api, store, f"/packages/{version}/{other}"
            )


def test_ingredient_refusals_name_the_ingredient(api: Api, grow: Grow) -> None:
    harvest_id = harvest_into(api, grow, ["100"])
    [tag] = grow.package_tags(1)
    item = grow.item()
    draws = [ingredient(harvest_id, 5), ingredient(harvest_id, 0)]
    response = api.call(
        "POST", "/harvests/v2/packages", [package_body(grow, tag, item, "Grams", draws)]
    )
    assert response.status_code == 400
    assert response.json()[0]["message"].startswith("Ingredients[1].Weight must be greater")
    draws = [ingredient(harvest_id, 5), ingredient(987654321, 1)]
    response = api.call(
        "POST", "/harvests/v2/packages", [package_body(grow, tag, item, "Grams", draws)]
    )
    assert response.json()[0]["message"] == "Ingredients[1]: No harvest 987654321 at this facility."
    no_unit = [{"HarvestId": harvest_id, "Weight": 1}]
    response = api.call(
        "POST", "/harvests/v2/packages", [package_body(grow, tag, item, "Grams", no_unit)]
    )
    assert response.json()[0]["message"] == "Ingredients[0].UnitOfWeight: is required"
    batch_number = package_body(
        grow, tag, item, "Grams", [ingredient(harvest_id, 1)], IsProductionBatch=True
    )
    response = api.call("POST", "/harvests/v2/packages", [batch_number])
    assert response.json()[0]["message"] == "A production batch needs ProductionBatchNumber."
    assert grow.harvest(harvest_id).current_weight == Decimal("100")
    assert tag_status(grow.store, tag) == "Available"
