"""Packages after the harvest, through HTTP: packages from packages, adjustments, lifecycle,
changes, flags, treatments, lists, plantings from a package, packages from a plant.

`stock` puts a package straight into the ledger (its tag used), so each test starts from the
packages it needs; every refusal is checked to name its row and to change nothing.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from leafledger.dialects.kit.endpoint import Endpoint
from leafledger.dialects.metrc.table import ROWS
from leafledger.domain.models import (
    AuditEvent,
    Facility,
    Item,
    Location,
    Package,
    PackageAdjustment,
    PackageShipment,
    PackageSource,
    PackageTreatment,
    PlantBatch,
    Tag,
    Transfer,
    TransferDelivery,
)
from leafledger.domain.models.transfer import LICENSED
from leafledger.domain.services.lookups import facility_today
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger, unique
from tests.metrc.test_harvests import Api, Grow, example, harvest_into
from tests.metrc.test_packages import ingredient, package_body
from tests.statements import page_statements, row_insert_split


@pytest.fixture()
def grow(ledger: Ledger, store: Store) -> Grow:
    return Grow.start(ledger, store)


@pytest.fixture()
def api(client: TestClient, demo: DemoAccess, grow: Grow) -> Api:
    return Api(client, demo, grow.license)


# --- building blocks -------------------------------------------------------------------------


def stock(
    grow: Grow,
    quantity: str = "100",
    unit: str = "Grams",
    item: str | None = None,
    **columns: Any,
) -> str:
    """A package of the facility made straight in the ledger, at its room; its label."""
    item_name = item or grow.item()
    with grow.store.transaction() as session:
        found = session.scalars(
            select(Item).where(Item.facility_id == grow.facility.id, Item.name == item_name)
        ).one()
        room = session.scalars(
            select(Location).where(
                Location.facility_id == grow.facility.id, Location.name == grow.location
            )
        ).one()
        tag = Tag(
            facility_id=grow.facility.id,
            label=unique("1A4STOCK"),
            kind="Package",
            tag_type_name="CannabisPackage",
            status="Used",
        )
        session.add(tag)
        session.flush()
        plants = found.category_name in ("Immature Plants", "Clone - Cutting")
        values: dict[str, Any] = {
            "facility_id": grow.facility.id,
            "label": tag.label,
            "tag_id": tag.id,
            "item_id": found.id,
            "package_type": "ImmaturePlant" if plants else "Product",
            "quantity": Decimal(quantity),
            "original_quantity": Decimal(quantity),
            "unit_of_measure_name": unit,
            "location_id": room.id,
            "packaged_date": facility_today(grow.facility),
            **columns,
        }
        session.add(Package(**values))
        return tag.label


def stored_package(store: Store, label: str) -> Package:
    with store.read() as session:
        found = session.scalars(select(Package).where(Package.label == label)).one()
        session.expunge(found)
        return found


def allow(store: Store, facility_id: int, *capabilities: str) -> None:
    """Give one facility capabilities its type's preset does not have."""
    with store.transaction() as session:
        facility = session.get(Facility, facility_id)
        assert facility is not None
        facility.capabilities = {**facility.capabilities, **dict.fromkeys(capabilities, True)}


def package_state(store: Store, facility_id: int) -> dict[str, Any]:
    """Everything the package endpoints may change at a facility, to show a refusal changed
    none of it."""
    with store.read() as session:

        def rows(*columns: Any) -> list[Any]:
            model = columns[0].class_
            return list(
                session.execute(
                    select(*columns).where(model.facility_id == facility_id).order_by(model.id)
                ).all()
            )

        return {
            "packages": rows(
                Package.label,
                Package.quantity,
                Package.item_id,
                Package.location_id,
                Package.note,
                Package.finished_date,
                Package.archived_date,
                Package.is_donation,
                Package.is_trade_sample,
                Package.is_finished_good,
                Package.external_id,
                Package.lab_testing_state,
                Package.product_requires_remediation,
                Package.use_by_date,
            ),
            "sources": rows(PackageSource.package_id, PackageSource.quantity),
            "adjustments": rows(PackageAdjustment.package_id, PackageAdjustment.quantity),
            "treatments": rows(PackageTreatment.package_id, PackageTreatment.kind),
            "batches": rows(PlantBatch.name, PlantBatch.untracked_count),
            "tags": rows(Tag.label, Tag.status),
            "events": session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.facility_id == facility_id)
            ),
        }


def refused(api: Api, grow: Grow, method: str, path: str, body: list[Any], row: int = 0) -> str:
    """The message of a 400 naming object `row`, after checking the refusal changed nothing."""
    before = package_state(grow.store, grow.facility.id)
    response = api.call(method, path, body)
    assert response.status_code == 400, response.text
    [error] = response.json()
    assert error["row"] == row, error
    assert package_state(grow.store, grow.facility.id) == before
    return str(error["message"])


def derived(
    grow: Grow, tag: str, item: str | None, quantity: Any, *draws: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    """A body object of POST /packages/v2/ (packages from packages)."""
    return {
        "Tag": tag,
        "Location": None,
        "Item": item,
        "Quantity": quantity,
        "UnitOfMeasure": "Grams",
        "ActualDate": grow.today,
        "Ingredients": list(draws),
        **extra,
    }


def draw(label: str, quantity: Any, unit: str = "Grams") -> dict[str, Any]:
    return {"Package": label, "Quantity": quantity, "UnitOfMeasure": unit}


def written_ids(api: Api, method: str, path: str, body: list[Any]) -> list[int]:
    answer = api.ok(method, path, body)
    assert answer["Warnings"] is None
    return [int(i) for i in answer["Ids"]]


# --- packages from packages ------------------------------------------------------------------


def test_a_package_from_packages_draws_exactly_and_records_its_sources(
    api: Api, grow: Grow, store: Store
) -> None:
    item = grow.item()
    pound = stock(grow, "1", "Pounds", item)
    grams = stock(grow, "100", "Grams", item)
    [tag] = grow.package_tags(1)
    body = [derived(grow, tag, item, "16", draw(pound, 8, "Ounces"), draw(grams, "0.05", "kg"))]
    body[0]["UnitOfMeasure"] = "Ounces"
    [made_id] = written_ids(api, "POST", "/packages/v2/", body)
    assert stored_package(store, pound).quantity == Decimal("0.5")  # 8 oz of a pound
    assert stored_package(store, grams).quantity == Decimal("50")
    made = stored_package(store, tag)
    assert made.id == made_id and made.quantity == 16 and made.unit_of_measure_name == "Ounces"
    with store.read() as session:
        drawn = session.execute(
            select(PackageSource.source_package_id, PackageSource.quantity)
            .where(PackageSource.package_id == made_id)
            .order_by(PackageSource.id)
        ).all()
        assert session.scalar(select(Tag.status).where(Tag.label == tag)) == "Used"
    ids = {label: stored_package(store, label).id for label in (pound, grams)}
    assert drawn == [(ids[pound], Decimal("0.5")), (ids[grams], Decimal("50"))]
    shown = api.ok("GET", f"/packages/v2/{made_id}")
    assert list(shown) == list(example("GET /packages/v2/{id}"))
    assert shown["SourcePackageLabels"] == f"{pound}, {grams}"
    assert shown["SourcePackageCount"] == 2
    assert shown["Quantity"] == 16 and shown["UnitOfMeasureAbbreviation"] == "oz"


def test_a_package_from_a_package_names_the_harvests_at_its_root(api: Api, grow: Grow) -> None:
    name = unique("Root")
    harvest_id = harvest_into(api, grow, ["100"], name=name)
    first, second = grow.package_tags(2)
    item = grow.item()
    api.ok(
        "POST",
        "/harvests/v2/packages",
        [package_body(grow, first, item, "Grams", [ingredient(harvest_id, 40)])],
    )
    [made] = written_ids(
        api, "POST", "/packages/v2/", [derived(grow, second, item, 10, draw(first, 10))]
    )
    shown = api.ok("GET", f"/packages/v2/{made}")
    assert shown["SourceHarvestNames"] == name and shown["SourceHarvestCount"] == 1
    assert shown["SourcePackageLabels"] == first
    harvests = api.ok("GET", f"/packages/v2/{made}/source/harvests")
    expected = example("GET /packages/v2/{id}/source/harvests")
    assert [list(h) for h in harvests] == [list(expected[0])]
    assert harvests[0]["Name"] == name
    assert harvests[0]["HarvestedByFacilityLicenseNumber"] == grow.license
    assert harvests[0]["HarvestStartDate"] == grow.today


def test_a_request_of_packages_from_packages_costs_the_same_statements_for_2_or_10(
    api: Api, grow: Grow, store: Store
) -> None:
    """Its sources and tags are locked ahead in one statement each, and its new packages,
    their source rows, the tags claimed and the sources drawn on are written by one flush:
    on PostgreSQL one statement per table; SQLite (in process) inserts the rows one by one."""
    item = grow.item()
    sources = [stock(grow, "1000", "Grams", item) for _ in range(2)]
    tags = grow.package_tags(13)
    api.ok("POST", "/packages/v2/", [derived(grow, tags[12], item, 1, draw(sources[0], 1))])

    def statements(tags: list[str]) -> tuple[int, int]:
        body = [
            derived(grow, tag, item, 1, draw(sources[n % 2], 1), draw(sources[0], "0.5"))
            for n, tag in enumerate(tags)
        ]
        send = lambda: written_ids(api, "POST", "/packages/v2/", body)  # noqa: E731
        return row_insert_split(store.engine, send, ("packages", "package_sources"))

    (two, inserted_for_two), (ten, inserted_for_ten) = statements(tags[:2]), statements(tags[2:12])
    assert two == ten <= 11
    if store.engine.dialect.name == "postgresql":
        assert inserted_for_two == inserted_for_ten == 2
    # 1 first; then 1.5 for each even object and 0.5 for each odd one (2 + 10 objects)
    assert stored_package(store, sources[0]).quantity == Decimal(1000 - 1 - 2 - 10)
    assert stored_package(store, sources[1]).quantity == Decimal(1000 - 1 - 5)
    with store.read() as session:
        used = session.scalars(select(Tag.status).where(Tag.label.in_(tags[:12]))).all()
        rows = session.scalar(
            select(func.count())
            .select_from(PackageSource)
            .join(Package, Package.id == PackageSource.package_id)
            .where(Package.label.in_(tags[:12]))
        )
    assert used == ["Used"] * 12 and rows == 24


def test_a_package_made_and_drawn_on_in_one_request_is_audited_step_by_step(
    api: Api, grow: Grow, store: Store
) -> None:
    """The creation event of a package shows it as it was made, though the same request
    drew on it afterwards (the event's snapshot is taken by the flush that inserts it)."""
    item = grow.item()
    source = stock(grow, "100", "Grams", item)
    first, second = grow.package_tags(2)
    body = [
        derived(grow, first, item, 40, draw(source, 40)),
        derived(grow, second, item, 15, draw(first, 15)),
    ]
    ids = written_ids(api, "POST", "/packages/v2/", body)
    assert stored_package(store, first).quantity == 25
    with store.read() as session:
        events = session.execute(
            select(AuditEvent.action, AuditEvent.before, AuditEvent.after)
            .where(AuditEvent.entity_type == "packages", AuditEvent.entity_id == ids[0])
            .order_by(AuditEvent.id)
        ).all()
    assert [action for action, _, _ in events] == ["create", "draw"]
    (_, _, made), (_, before, after) = events
    assert Decimal(str(made["quantity"])) == 40
    assert Decimal(str(before["quantity"])) == 40 and Decimal(str(after["quantity"])) == 25


def test_the_same_item_testing_packages_and_v1_twins(api: Api, grow: Grow, store: Store) -> None:
    item = grow.item()
    source = stock(grow, "30", "Grams", item, lab_testing_state="TestPassed")
    tags = grow.package_tags(3)
    same = derived(grow, tags[0], None, 5, draw(source, 5), UseSameItem=True)
    [made] = written_ids(api, "POST", "/packages/v2/", [same])
    made_package = stored_package(store, tags[0])
    assert made_package.item_id == stored_package(store, source).item_id
    # Repackaged tested product of the same category keeps its lab testing state.
    assert made_package.lab_testing_state == "TestPassed"
    [sample] = written_ids(
        api, "POST", "/packages/v2/testing", [derived(grow, tags[1], item, 1, draw(source, 1))]
    )
    assert stored_package(store, tags[1]).is_testing_sample
    response = api.call(
        "POST", "/packages/v1/create", [derived(grow, tags[2], item, 2, draw(source, 2))]
    )
    assert response.status_code == 200 and response.content == b""
    assert stored_package(store, source).quantity == 22
    samples = api.ok("GET", "/packages/v2/labsamples")
    assert [p["Id"] for p in samples["Data"]] == [sample]
    assert list(samples["Data"][0]) == list(example("GET /packages/v2/labsamples")["Data"][0])
    assert made not in [p["Id"] for p in samples["Data"]]


def test_draws_beyond_a_source_are_refused_naming_the_row_and_the_ingredient(
    api: Api, grow: Grow
) -> None:
    item = grow.item()
    source = stock(grow, "10", "Grams", item)
    tags = grow.package_tags(2)
    body = [
        derived(grow, tags[0], item, 4, draw(source, 4)),
        derived(grow, tags[1], item, 7, draw(source, 3), draw(source, 4)),
    ]
    message = refused(api, grow, "POST", "/packages/v2/", body, row=1)
    assert message.startswith("Ingredients[1]: ") and "exceeds" in message
    assert "Ingredients[0].UnitOfMeasure" in refused(
        api,
        grow,
        "POST",
        "/packages/v2/",
        [derived(grow, tags[0], item, 1, draw(source, 1, "Each"))],
    )
    assert refused(
        api, grow, "POST", "/packages/v2/", [derived(grow, tags[0], item, 1, draw(source, 0))]
    ).startswith("Ingredients[0].Quantity must be greater than zero")
    assert (
        refused(
            api,
            grow,
            "POST",
            "/packages/v2/",
            [derived(grow, tags[0], item, 1, draw("NO-SUCH", 1))],
        )
        == "Ingredients[0]: No package NO-SUCH at this facility."
    )
    assert "UnitOfMeasure" in refused(
        api,
        grow,
        "POST",
        "/packages/v2/",
        [{**derived(grow, tags[0], item, 1, draw(source, 1)), "UnitOfMeasure": "Each"}],
    )


def test_sources_on_hold_finished_or_lab_samples_give_nothing(api: Api, grow: Grow) -> None:
    item = grow.item()
    held = stock(grow, item=item, is_on_hold=True)
    done = stock(grow, "0", item=item, finished_date=date.fromisoformat(grow.today))
    sample = stock(grow, item=item, is_testing_sample=True)
    [tag] = grow.package_tags(1)
    for source, words in ((held, "on hold"), (done, "finished"), (sample, "lab sample")):
        message = refused(
            api, grow, "POST", "/packages/v2/", [derived(grow, tag, item, 1, draw(source, 1))]
        )
        assert words in message, message


def test_a_used_tag_cannot_make_a_second_package(api: Api, grow: Grow) -> None:
    item = grow.item()
    source = stock(grow, "10", "Grams", item)
    [tag] = grow.package_tags(1)
    written_ids(api, "POST", "/packages/v2/", [derived(grow, tag, item, 1, draw(source, 1))])
    message = refused(
        api, grow, "POST", "/packages/v2/", [derived(grow, tag, item, 1, draw(source, 1))]
    )
    assert "only once" in message
    assert stored_package(grow.store, source).quantity == 9


@pytest.mark.parametrize("license_type", ["Testing Lab", "Distributor"])
def test_facilities_that_may_not_derive_packages_are_refused(
    ledger: Ledger, store: Store, client: TestClient, demo: DemoAccess, license_type: str
) -> None:
    grow = Grow.start(ledger, store, license_type)
    api = Api(client, demo, grow.license)
    item = grow.item()
    source = stock(grow, "10", "Grams", item)
    [tag] = grow.package_tags(1)
    message = refused(
        api, grow, "POST", "/packages/v2/", [derived(grow, tag, item, 1, draw(source, 1))]
    )
    assert "may not create packages from packages" in message


def test_flags_on_new_packages_need_the_facility_capability(
    api: Api, grow: Grow, store: Store
) -> None:
    item = grow.item()
    source = stock(grow, "10", "Grams", item)
    [tag] = grow.package_tags(1)
    body = [derived(grow, tag, item, 1, draw(source, 1), IsTradeSample=True)]
    assert "may not create trade samples" in refused(api, grow, "POST", "/packages/v2/", body)
    allow(store, grow.facility.id, "CanCreateTradeSamplePackages")
    written_ids(api, "POST", "/packages/v2/", body)
    assert stored_package(store, tag).is_trade_sample


# --- adjustments -----------------------------------------------------------------------------


def adjustment(
    label: str, quantity: Any, unit: str = "Grams", reason: str = "Drying", **extra: Any
) -> dict[str, Any]:
    return {
        "Label": label,
        "Quantity": quantity,
        "UnitOfMeasure": unit,
        "AdjustmentReason": reason,
        **extra,
    }


def test_adjustments_convert_never_go_below_zero_and_are_listed(
    api: Api, grow: Grow, store: Store
) -> None:
    label = stock(grow, "1", "Pounds")
    ids = written_ids(
        api,
        "POST",
        "/packages/v2/adjust",
        [adjustment(label, -4, "Ounces"), adjustment(label, "28.349523125", "g", "Scale Variance")],
    )
    package_id = stored_package(store, label).id
    assert ids == [package_id, package_id]
    # -4 oz +1 oz of a pound: 13/16 lb.
    assert stored_package(store, label).quantity == Decimal("0.8125")
    message = refused(api, grow, "POST", "/packages/v2/adjust", [adjustment(label, -1, "Pounds")])
    assert "less than none" in message
    listed = api.ok("GET", "/packages/v2/adjustments")
    assert set(listed) == set(example("GET /packages/v2/adjustments"))
    first = listed["Data"][0]
    assert list(first) == list(example("GET /packages/v2/adjustments")["Data"][0])
    assert first["PackageLabel"] == label and first["AdjustmentQuantity"] == Decimal("-0.25")
    assert first["AdjustmentUnitOfMeasureName"] == "Pounds"
    assert first["AdjustmentUnitOfMeasureAbbreviation"] == "lb"
    assert first["AdjustmentReasonName"] == "Drying"
    assert [a["AdjustmentReasonName"] for a in listed["Data"]] == ["Drying", "Scale Variance"]
    with store.read() as session:
        kept = session.execute(
            select(
                PackageAdjustment.quantity,
                PackageAdjustment.entered_quantity,
                PackageAdjustment.entered_unit,
            )
            .where(PackageAdjustment.package_id == package_id)
            .order_by(PackageAdjustment.id)
        ).all()
    assert kept == [
        (Decimal("-0.25"), Decimal(-4), "Ounces"),
        (Decimal("0.0625"), Decimal("28.349523125"), "Grams"),
    ]


def test_put_adjust_sets_the_final_quantity(api: Api, grow: Grow, store: Store) -> None:
    label = stock(grow, "10", "Grams")
    written_ids(
        api, "PUT", "/packages/v2/adjust", [adjustment(label, "7.5", reason="Moisture Loss")]
    )
    assert stored_package(store, label).quantity == Decimal("7.5")
    [recorded] = api.ok("GET", "/packages/v2/adjustments")["Data"]
    assert recorded["AdjustmentQuantity"] == Decimal("-2.5")
    # Setting what it holds records nothing; below zero is refused.
    written_ids(api, "PUT", "/packages/v2/adjust", [adjustment(label, "7.5")])
    assert len(api.ok("GET", "/packages/v2/adjustments")["Data"]) == 1
    assert "Quantity" in refused(api, grow, "PUT", "/packages/v2/adjust", [adjustment(label, -1)])


def test_reasons_are_listed_and_some_require_a_note(api: Api, grow: Grow) -> None:
    label = stock(grow, "10")
    reasons = {r["Name"]: r for r in api.ok("GET", "/packages/v2/adjust/reasons")["Data"]}
    assert reasons["Theft"]["RequiresNote"] is True
    message = refused(
        api, grow, "POST", "/packages/v2/adjust", [adjustment(label, -1, reason="Theft")]
    )
    assert message == "ReasonNote: The adjustment reason 'Theft' requires a note."
    assert "is unknown" in refused(
        api, grow, "POST", "/packages/v2/adjust", [adjustment(label, -1, reason="Whim")]
    )
    written_ids(
        api,
        "POST",
        "/packages/v2/adjust",
        [adjustment(label, -1, reason="Theft", ReasonNote="Gone")],
    )
    response = api.call("POST", "/packages/v1/adjust", [adjustment(label, -1)])
    assert response.status_code == 200 and response.content == b""
    assert stored_package(grow.store, label).quantity == 8


def test_adjustment_refusals_name_the_row(api: Api, grow: Grow) -> None:
    label = stock(grow, "10")
    held = stock(grow, "10", is_on_hold=True)
    body = [adjustment(label, -1), adjustment(label, 1, "Each")]
    assert refused(api, grow, "POST", "/packages/v2/adjust", body, row=1).startswith(
        "UnitOfMeasure"
    )
    assert "on hold" in refused(api, grow, "POST", "/packages/v2/adjust", [adjustment(held, -1)])
    assert "Quantity" in refused(api, grow, "POST", "/packages/v2/adjust", [adjustment(label, 0)])
    future = adjustment(label, -1, AdjustmentDate="2199-01-01")
    assert "future" in refused(api, grow, "POST", "/packages/v2/adjust", [future])


# --- finishing -------------------------------------------------------------------------------


def test_only_an_empty_package_finishes_and_unfinish_restores_it(
    api: Api, grow: Grow, store: Store
) -> None:
    label = stock(grow, "3")
    assert "still holds" in refused(api, grow, "PUT", "/packages/v2/finish", [{"Label": label}])
    written_ids(api, "POST", "/packages/v2/adjust", [adjustment(label, -3, reason="Waste")])
    package_id = stored_package(store, label).id
    assert written_ids(
        api, "PUT", "/packages/v2/finish", [{"Label": label, "ActualDate": grow.today}]
    ) == [package_id]
    assert [p["Id"] for p in api.ok("GET", "/packages/v2/inactive")["Data"]] == [package_id]
    assert api.ok("GET", "/packages/v2/active")["Data"] == []
    assert api.ok("GET", f"/packages/v2/{package_id}")["IsFinished"] is True
    written_ids(api, "PUT", "/packages/v2/unfinish", [{"Label": label}])
    assert [p["Id"] for p in api.ok("GET", "/packages/v2/active")["Data"]] == [package_id]
    assert api.ok("GET", "/packages/v2/inactive")["Data"] == []
    for path in ("/packages/v1/finish", "/packages/v1/unfinish"):
        response = api.call("POST", path, [{"Label": label}])
        assert response.status_code == 200 and response.content == b""
    assert "not finished" in refused(api, grow, "PUT", "/packages/v2/unfinish", [{"Label": label}])


def test_a_finished_package_refuses_changes_until_unfinished(
    api: Api, grow: Grow, store: Store
) -> None:
    label = stock(grow, "0", finished_date=date.fromisoformat(grow.today))
    room = grow.location_named()
    changes = [
        ("POST", "/packages/v2/adjust", adjustment(label, 1)),
        ("PUT", "/packages/v2/item", {"Label": label, "Item": grow.item()}),
        ("PUT", "/packages/v2/location", {"Label": label, "Location": room}),
        ("PUT", "/packages/v2/note", {"PackageLabel": label, "Note": "late"}),
        ("PUT", "/packages/v2/usebydate", {"Label": label, "UseByDate": grow.today}),
        ("PUT", "/packages/v2/finish", {"Label": label}),
    ]
    for method, path, body in changes:
        assert "finished; unfinish it first" in refused(api, grow, method, path, [body]), path
    written_ids(api, "PUT", "/packages/v2/unfinish", [{"Label": label}])
    written_ids(api, "PUT", "/packages/v2/note", [{"PackageLabel": label, "Note": "late"}])
    assert stored_package(store, label).note == "late"


# --- item, location, note, dates, external id ------------------------------------------------


def test_an_item_change_keeps_the_quantity_type(api: Api, grow: Grow, store: Store) -> None:
    label = stock(grow, "10")
    counted = grow.item("Pre-Roll Flower", "CountBased")
    message = refused(api, grow, "PUT", "/packages/v2/item", [{"Label": label, "Item": counted}])
    assert message.startswith("Item: ") and "keeps its quantity type" in message
    other = grow.item("Shake/Trim")
    written_ids(api, "PUT", "/packages/v2/item", [{"Label": label, "Item": other}])
    assert api.ok("GET", f"/packages/v2/{label}")["Item"]["Name"] == other
    response = api.call("POST", "/packages/v1/change/item", [{"Label": label, "Item": grow.item()}])
    assert response.status_code == 200
    plants = stock(grow, "5", "Each", grow.item("Immature Plants", "CountBased"))
    message = refused(api, grow, "PUT", "/packages/v2/item", [{"Label": plants, "Item": counted}])
    assert "another type of package" in message


def test_a_location_change_respects_location_types(api: Api, grow: Grow, store: Store) -> None:
    label = stock(grow)
    drying = grow.location_named(for_packages=False)
    message = refused(
        api, grow, "PUT", "/packages/v2/location", [{"Label": label, "Location": drying}]
    )
    assert "cannot hold packages" in message
    vault = grow.location_named()
    body = [{"Label": label, "Location": vault, "Sublocation": None, "MoveDate": "0001-01-01"}]
    written_ids(api, "PUT", "/packages/v2/location", body)
    assert api.ok("GET", f"/packages/v2/{label}")["LocationName"] == vault
    response = api.call(
        "POST", "/packages/v1/change/locations", [{"Label": label, "Location": grow.location}]
    )
    assert response.status_code == 200
    assert api.ok("GET", f"/packages/v2/{label}")["LocationName"] == grow.location


def test_note_dates_and_external_id(api: Api, grow: Grow, store: Store) -> None:
    label = stock(grow)
    written_ids(api, "PUT", "/packages/v2/note", [{"PackageLabel": label, "Note": "Cured"}])
    response = api.call(
        "PUT", "/packages/v1/change/note", [{"PackageLabel": label, "Note": "Cured twice"}]
    )
    assert response.status_code == 200
    dates = {
        "Label": label,
        "ExpirationDate": "2199-01-01",
        "SellByDate": "2198-01-01",
        "UseByDate": "2199-06-01",
    }
    written_ids(api, "PUT", "/packages/v2/usebydate", [dates])
    shown = api.ok("GET", f"/packages/v2/{label}")
    assert shown["Note"] == "Cured twice"
    assert (shown["ExpirationDate"], shown["SellByDate"], shown["UseByDate"]) == (
        "2199-01-01",
        "2198-01-01",
        "2199-06-01",
    )
    early = {**dates, "UseByDate": "2000-01-01"}
    assert refused(api, grow, "PUT", "/packages/v2/usebydate", [early]).startswith(
        "UseByDate 2000-01-01"
    )
    body = [{"PackageLabel": label, "ExternalId": "ERP-1"}]
    assert "may not record external identifiers" in refused(
        api, grow, "PUT", "/packages/v2/externalid", body
    )
    allow(store, grow.facility.id, "EnableExternalIdentifier")
    written_ids(api, "PUT", "/packages/v2/externalid", body)
    assert api.ok("GET", f"/packages/v2/{label}")["ExternalId"] == "ERP-1"
    other = stock(grow)
    taken = [{"PackageLabel": other, "ExternalId": "ERP-1"}]
    assert "already carries" in refused(api, grow, "PUT", "/packages/v2/externalid", taken)
    written_ids(api, "PUT", "/packages/v2/externalid", [{"PackageLabel": label, "ExternalId": ""}])
    assert stored_package(store, label).external_id is None


# --- flags -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "capability", "field"),
    [
        ("donation", "CanDonatePackages", "IsDonation"),
        ("tradesample", "CanCreateTradeSamplePackages", "IsTradeSample"),
        ("finishedgood", "CanTrackFinishedGoods", "IsFinishedGood"),
    ],
)
def test_flags_need_the_capability_and_come_off_again(
    api: Api, grow: Grow, store: Store, path: str, capability: str, field: str
) -> None:
    label = stock(grow)
    body = [{"Label": label}]
    assert "may not" in refused(api, grow, "PUT", f"/packages/v2/{path}/flag", body)
    allow(store, grow.facility.id, capability)
    written_ids(api, "PUT", f"/packages/v2/{path}/flag", body)
    assert api.ok("GET", f"/packages/v2/{label}")[field] is True
    assert "already flagged" in refused(api, grow, "PUT", f"/packages/v2/{path}/flag", body)
    written_ids(api, "PUT", f"/packages/v2/{path}/unflag", body)
    assert api.ok("GET", f"/packages/v2/{label}")[field] is False
    assert "not flagged" in refused(api, grow, "PUT", f"/packages/v2/{path}/unflag", body)


# --- lab tests and treatments ----------------------------------------------------------------


def test_required_lab_test_batches_are_those_of_the_item_category(
    api: Api, grow: Grow, store: Store
) -> None:
    label = stock(grow)  # Buds
    body = [{"Label": label, "RequiredLabTestBatches": ["flower potency"]}]
    written_ids(api, "PUT", "/packages/v2/labtests/required", body)
    assert stored_package(store, label).required_lab_test_batches == ["Flower Potency"]
    wrong = [{"Label": label, "RequiredLabTestBatches": ["Flower Potency", "Residual Solvents"]}]
    message = refused(api, grow, "PUT", "/packages/v2/labtests/required", wrong)
    assert message.startswith("RequiredLabTestBatches[1]: ")


def test_remediation_treats_what_requires_it(api: Api, grow: Grow, store: Store) -> None:
    plain = stock(grow)
    needing = stock(grow, product_requires_remediation=True)
    failed = stock(grow, lab_testing_state="TestFailed")

    def remediation(label: str) -> dict[str, Any]:
        return {
            "PackageLabel": label,
            "RemediationMethodName": "Further Drying",
            "RemediationDate": grow.today,
            "RemediationSteps": "Dried",
        }

    assert "neither requires" in refused(
        api, grow, "PUT", "/packages/v2/remediate", [remediation(plain)]
    )
    written_ids(api, "PUT", "/packages/v2/remediate", [remediation(needing)])
    shown = api.ok("GET", f"/packages/v2/{needing}")
    assert shown["ProductRequiresRemediation"] is False
    assert shown["ContainsRemediatedProduct"] is True and shown["RemediationDate"] == grow.today
    assert shown["LabTestingState"] == "NotSubmitted"
    # A Cultivator may not remediate a package that failed its lab tests; a Manufacturer may.
    assert "may not treat failed packages" in refused(
        api, grow, "PUT", "/packages/v2/remediate", [remediation(failed)]
    )
    allow(store, grow.facility.id, "CanRemediatePackagesWithFailedLabResults")
    response = api.call("POST", "/packages/v1/remediate", [remediation(failed)])
    assert response.status_code == 200, response.text
    assert stored_package(store, failed).lab_testing_state == "Remediated"
    with store.read() as session:
        kinds = session.scalars(
            select(PackageTreatment.method_name).where(
                PackageTreatment.facility_id == grow.facility.id
            )
        ).all()
    assert kinds == ["Further Drying", "Further Drying"]


def test_decontamination_and_pretreatment(api: Api, grow: Grow, store: Store) -> None:
    concentrate = grow.item("Concentrate")
    failed = stock(grow, item=concentrate, lab_testing_state="TestFailed")
    buds = stock(grow, lab_testing_state="TestFailed")
    body = {
        "DecontaminationMethodName": "Wash",
        "DecontaminationDate": grow.today,
        "DecontaminationSteps": "Rinsed",
    }
    assert "cannot take a decontamination" in refused(
        api, grow, "PUT", "/packages/v2/decontaminate", [{"PackageLabel": buds, **body}]
    )
    written_ids(api, "PUT", "/packages/v2/decontaminate", [{"PackageLabel": failed, **body}])
    shown = api.ok("GET", f"/packages/v2/{failed}")
    assert (
        shown["ContainsDecontaminatedProduct"] is True
        and shown["DecontaminationDate"] == grow.today
    )
    assert shown["LabTestingState"] == "Decontaminated"
    pretreat = {
        "PackageLabel": buds,
        "PretreatmentMethodName": "Sieve",
        "PretreatmentDate": grow.today,
    }
    written_ids(api, "PUT", "/packages/v2/pretreat", [pretreat])
    assert "Method" in refused(api, grow, "PUT", "/packages/v2/pretreat", [{"PackageLabel": buds}])
    with store.read() as session:
        kinds = session.scalars(
            select(PackageTreatment.kind)
            .where(PackageTreatment.facility_id == grow.facility.id)
            .order_by(PackageTreatment.id)
        ).all()
    assert kinds == ["Decontamination", "Pretreatment"]


# --- discontinuing ---------------------------------------------------------------------------


def test_discontinue_answers_the_id_and_refuses_a_package_drawn_on(
    api: Api, grow: Grow, store: Store
) -> None:
    item = grow.item()
    lone = stock(grow, item=item)
    parent = stock(grow, item=item)
    [tag] = grow.package_tags(1)
    written_ids(api, "POST", "/packages/v2/", [derived(grow, tag, item, 1, draw(parent, 1))])
    lone_id, parent_id = stored_package(store, lone).id, stored_package(store, parent).id
    assert api.ok("DELETE", f"/packages/v2/{lone_id}") == {"Ids": [lone_id], "Warnings": None}
    assert stored_package(store, lone).archived_date is not None
    assert [p["Label"] for p in api.ok("GET", "/packages/v2/active")["Data"]] == [parent, tag]
    before = package_state(store, grow.facility.id)
    response = api.call("DELETE", f"/packages/v2/{parent_id}")
    assert response.status_code == 400 and "were made from" in response.text
    assert package_state(store, grow.facility.id) == before
    assert api.call("DELETE", f"/packages/v2/{lone_id}").status_code == 400  # once only


def test_foreign_packages_are_not_named_or_shown(
    api: Api, ledger: Ledger, store: Store, client: TestClient, demo: DemoAccess
) -> None:
    other = Grow.start(ledger, store)
    foreign = stock(other)
    foreign_id = stored_package(store, foreign).id
    grow_of_api = api.license
    assert grow_of_api != other.license
    for path in (f"/packages/v2/{foreign_id}/source/harvests",):
        assert api.call("GET", path).status_code == 401
    assert api.call("DELETE", f"/packages/v2/{foreign_id}").status_code == 401
    response = api.call("PUT", "/packages/v2/note", [{"PackageLabel": foreign, "Note": "x"}])
    assert response.status_code == 400
    assert response.json()[0]["message"] == f"No package {foreign} at this facility."
    assert stored_package(store, foreign).note is None


# --- plantings from a package, packages from a plant, plant counts ---------------------------


def planting_from(grow: Grow, label: str, count: int, **extra: Any) -> dict[str, Any]:
    with grow.store.read() as session:
        from leafledger.domain.models import Strain

        strain = session.get(Strain, grow.strain_id)
        assert strain is not None
        strain_name = strain.name
    return {
        "PackageLabel": label,
        "PlantBatchName": unique("FromPackage"),
        "PlantBatchType": "Clone",
        "PlantCount": count,
        "LocationName": grow.location,
        "StrainName": strain_name,
        "PlantedDate": grow.today,
        "UnpackagedDate": grow.today,
        **extra,
    }


def test_plantings_take_clones_out_of_their_package(api: Api, grow: Grow, store: Store) -> None:
    clones = stock(grow, "10", "Each", grow.item("Immature Plants", "CountBased"))
    [batch_id] = written_ids(
        api, "POST", "/packages/v2/plantings", [planting_from(grow, clones, 4)]
    )
    with store.read() as session:
        batch = session.get(PlantBatch, batch_id)
        assert batch is not None
        assert batch.untracked_count == 4
        assert batch.source_package_id == stored_package(store, clones).id
    assert stored_package(store, clones).quantity == 6
    too_many = planting_from(grow, clones, 7)
    assert "exceeds" in refused(api, grow, "POST", "/packages/v2/plantings", [too_many])
    buds = stock(grow)
    assert "no plants or seeds" in refused(
        api, grow, "POST", "/packages/v2/plantings", [planting_from(grow, buds, 1)]
    )
    response = api.call("POST", "/packages/v1/create/plantings", [planting_from(grow, clones, 6)])
    assert response.status_code == 200
    assert stored_package(store, clones).quantity == 0


def test_packages_of_clones_from_a_plant_need_the_capability(
    api: Api, grow: Grow, store: Store
) -> None:
    [mother] = grow.plants(1, phase="Vegetative")
    [tag] = grow.package_tags(1)
    item = grow.item("Clone - Cutting", "CountBased")
    body = {
        "PlantLabel": mother,
        "PackageTag": tag,
        "PlantBatchType": "Clone",
        "Item": item,
        "Location": None,
        "Count": 25,
        "ActualDate": grow.today,
    }
    assert "may not package immature plants" in refused(
        api, grow, "POST", "/plants/v2/plantbatch/packages", [body]
    )
    allow(store, grow.facility.id, "CanCreateImmaturePlantPackagesFromPlants")
    [package_id] = written_ids(api, "POST", "/plants/v2/plantbatch/packages", [body])
    made = stored_package(store, tag)
    assert made.quantity == 25 and made.package_type == "ImmaturePlant"
    with store.read() as session:
        [source] = session.scalars(
            select(PackageSource).where(PackageSource.package_id == package_id)
        ).all()
        assert source.source_plant_id == grow.plant(mother).id
        assert source.source_plant_batch_id == grow.batch_id
    [second] = grow.package_tags(1)
    response = api.call(
        "POST",
        "/plants/v1/create/plantbatch/packages",
        [{**body, "PackageTag": second, "Count": 2}],
    )
    assert response.status_code == 200 and response.content == b""
    assert grow.plant(mother).state == "Tracked"


def test_a_plant_group_count_is_adjusted_for_a_reason(api: Api, grow: Grow, store: Store) -> None:
    [group] = grow.plants(1, phase="Vegetative")
    plant_id = grow.plant(group).id
    body = [
        {
            "Id": plant_id,
            "Label": None,
            "AdjustCount": 4,
            "AdjustReason": "Entry Error",
            "AdjustmentDate": f"{grow.today}T00:00:00Z",
        },
        {
            "Id": None,
            "Label": group,
            "AdjustCount": -2,
            "AdjustReason": "Theft",
            "ReasonNote": "Gone",
        },
    ]
    assert written_ids(api, "PUT", "/plants/v2/adjust", body) == [plant_id, plant_id]
    assert grow.plant(group).plant_count == 3
    with store.read() as session:
        events = session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.entity_type == "plants",
                AuditEvent.entity_id == plant_id,
                AuditEvent.action == "adjust_count",
            )
            .order_by(AuditEvent.id)
        ).all()
    assert [(e.after or {}).get("reason") for e in events] == ["Entry Error", "Theft"]
    keeps = {"Label": group, "AdjustCount": -3, "AdjustReason": "Entry Error"}
    response = api.call("PUT", "/plants/v2/adjust", [keeps])
    assert response.status_code == 400 and response.json()[0]["message"].startswith("AdjustCount")
    note = {"Label": group, "AdjustCount": 1, "AdjustReason": "Theft"}
    assert (
        api.call("PUT", "/plants/v2/adjust", [note]).json()[0]["message"].startswith("ReasonNote")
    )
    assert grow.plant(group).plant_count == 3


# --- lists -----------------------------------------------------------------------------------


def ship(store: Store, grow: Grow, label: str, state: str = "Shipped") -> None:
    """A shipment of a package on a transfer of its own, as transfers record them, written
    straight into the ledger (the transfer endpoints are tested in test_transfers.py)."""
    package = stored_package(store, label)
    now = datetime.now(UTC)
    with store.transaction() as session:
        transfer = Transfer(
            facility_id=grow.facility.id,
            kind=LICENSED,
            manifest_number=unique("M"),
            departed_at=now,
        )
        session.add(transfer)
        session.flush()
        delivery = TransferDelivery(
            facility_id=grow.facility.id,
            transfer_id=transfer.id,
            delivery_number=1,
            recipient_facility_id=grow.facility.id,
            transfer_type_name="Transfer",
            estimated_departure_at=now,
            estimated_arrival_at=now,
            departed_at=now,
        )
        session.add(delivery)
        session.flush()
        session.add(
            PackageShipment(
                facility_id=grow.facility.id,
                delivery_id=delivery.id,
                package_id=package.id,
                manifest_number=unique("M"),
                recipient_license_number="LIC-RECIPIENT",
                recipient_name="Recipient",
                shipped_quantity=package.quantity,
                shipped_unit=package.unit_of_measure_name,
                state=state,
                departed_at=now,
                received_at=None if state == "Shipped" else now,
                received_quantity=None if state == "Shipped" else package.quantity,
                received_unit=None if state == "Shipped" else package.unit_of_measure_name,
            )
        )


def test_in_transit_and_transferred_are_real_lists_empty_until_transfers(
    api: Api, grow: Grow, store: Store
) -> None:
    for path in ("intransit", "transferred", "onhold", "labsamples"):
        assert api.ok("GET", f"/packages/v2/{path}")["Data"] == [], path
    assert api.ok("GET", "/packages/v1/onhold") == []
    going, gone = stock(grow), stock(grow)
    ship(store, grow, going)
    ship(store, grow, gone, "Accepted")
    in_transit = api.ok("GET", "/packages/v2/intransit")["Data"]
    assert [p["Label"] for p in in_transit] == [going]
    assert list(in_transit[0]) == list(example("GET /packages/v2/intransit")["Data"][0])
    transferred = api.ok("GET", "/packages/v2/transferred")["Data"]
    assert [p["PackageLabel"] for p in transferred] == [gone]
    assert list(transferred[0]) == list(example("GET /packages/v2/transferred")["Data"][0])
    assert transferred[0]["ShipmentPackageStateName"] == "Accepted"
    assert transferred[0]["ShippedUnitOfMeasureAbbreviation"] == "g"


def test_on_hold_lists_held_packages_in_both_versions(api: Api, grow: Grow) -> None:
    stock(grow)
    held = stock(grow, is_on_hold=True)
    listed = api.ok("GET", "/packages/v2/onhold")["Data"]
    assert [p["Label"] for p in listed] == [held]
    assert list(listed[0]) == list(example("GET /packages/v2/onhold")["Data"][0])
    assert [p["Label"] for p in api.ok("GET", "/packages/v1/onhold")] == [held]


def three_of_each_list(api: Api, grow: Grow, store: Store) -> None:
    """Three records in every package list, each package drawn from another (genealogy)."""
    item = grow.item()
    parent = stock(grow, "100", item=item)
    tags = grow.package_tags(15)
    body = [derived(grow, tag, item, 1, draw(parent, 1)) for tag in tags[:9]]
    written_ids(api, "POST", "/packages/v2/", body[:5])
    written_ids(api, "POST", "/packages/v2/", body[5:])
    samples = [derived(grow, tag, item, 1, draw(parent, 1)) for tag in tags[9:12]]
    written_ids(api, "POST", "/packages/v2/testing", samples)
    with store.transaction() as session:
        for made in session.scalars(select(Package).where(Package.label.in_(tags[:3]))):
            made.is_on_hold = True
    for label in tags[3:6]:
        ship(store, grow, label)
    for label in tags[6:9]:
        ship(store, grow, label, "Accepted")
    written_ids(api, "POST", "/packages/v2/adjust", [adjustment(parent, -1)] * 3)


@pytest.mark.parametrize(
    "path", ["onhold", "intransit", "transferred", "labsamples", "adjustments", "active"]
)
def test_a_page_of_any_package_list_costs_the_same_statements_at_any_size(
    api: Api, grow: Grow, client: TestClient, store: Store, path: str
) -> None:
    three_of_each_list(api, grow, store)
    params = {"licenseNumber": api.license}
    found = page_statements(
        client, store.engine, f"/packages/v2/{path}", api.headers, params, sizes=(1, 3)
    )
    assert [records for records, _ in found.values()] == [1, 3]
    assert found[1][1] == found[3][1]


def test_lists_are_windowed_by_last_modified(api: Api, grow: Grow) -> None:
    stock(grow, is_on_hold=True)
    window = {
        "lastModifiedStart": "2000-01-01T00:00:00Z",
        "lastModifiedEnd": "2000-01-02T00:00:00Z",
    }
    for path in ("onhold", "intransit", "transferred", "labsamples"):
        assert api.ok("GET", f"/packages/v2/{path}", **window)["Data"] == [], path
    assert len(api.ok("GET", "/packages/v2/onhold")["Data"]) == 1


# --- the examples' request bodies ------------------------------------------------------------

WRITES = [
    row
    for row in ROWS
    if row.version == "v2"
    and row.schema is not None
    and (
        row.resource == "Packages"
        or row.path in ("/plants/v2/adjust", "/plants/v2/plantbatch/packages")
    )
]
# The one write no source has an example of (its body is inferred: see package_inventory.py).
NO_EXAMPLE = next(row for row in WRITES if row.path == "/packages/v2/pretreat")
EXAMPLE_BODIES = [row for row in WRITES if row is not NO_EXAMPLE]


def example_requests(shared_dir: Path) -> dict[str, Any]:
    """The v2 examples, their numbers read as the server reads them (exact decimals)."""
    text = (shared_dir / "spec" / "metrc" / "v2-examples.json").read_text()
    return dict(json.loads(text, parse_float=Decimal))


def example_key(row: Endpoint) -> str:
    return f"{row.method} {row.path.rstrip('/')}"


def test_only_pretreat_has_no_request_example(shared_dir: Path) -> None:
    examples = example_requests(shared_dir)
    missing = [example_key(row) for row in WRITES if example_key(row) not in examples]
    assert missing == [example_key(NO_EXAMPLE)]


@pytest.mark.parametrize("row", EXAMPLE_BODIES, ids=lambda row: f"{row.method} {row.path}")
def test_the_v2_request_examples_read_as_commands(shared_dir: Path, row: Endpoint) -> None:
    """Every object of the example request of each v2 package write is a valid body: a client
    copying Metrc's examples is understood field by field."""
    examples = example_requests(shared_dir)
    objects = examples[example_key(row)]["request_example"]
    assert row.schema is not None and objects
    for obj in objects:
        command = row.schema.model_validate(obj).to_command({})
        assert command is not None
