"""Processing jobs and job types through HTTP, v2 and v1: shapes against Metrc's examples, the
books of a job (what it took in, packaged and wasted, exactly), its refusals (each a 400 naming
the row, nothing changed), genealogy through a job, lists and their statement counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from leafledger.domain.models import (
    AuditEvent,
    Item,
    Package,
    PackageSource,
    ProcessingJob,
    ProcessingJobAttribute,
    ProcessingJobInput,
    ProcessingJobType,
    Tag,
)
from leafledger.domain.services.lookups import facility_today
from leafledger.domain.services.processing_types import CATEGORIES
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger, unique
from tests.metrc.test_harvests import Api, Grow, example, harvest_into
from tests.metrc.test_package_inventory import allow, package_state, stock, stored_package
from tests.statements import page_statements


@pytest.fixture()
def shop(ledger: Ledger, store: Store) -> Grow:
    """A manufacturer the demo user works at (rooms, a strain, tags, items: see Grow)."""
    return Grow.start(ledger, store, "Manufacturer")


@pytest.fixture()
def api(client: TestClient, demo: DemoAccess, shop: Grow) -> Api:
    return Api(client, demo, shop.license)


# --- building blocks -------------------------------------------------------------------------


def item_of(shop: Grow, category: str, quantity_type: str, unit: str) -> str:
    """An item made straight in the ledger (volume items have no category of their own)."""
    with shop.store.transaction() as session:
        item = Item(
            facility_id=shop.facility.id,
            name=unique(category),
            category_name=category,
            quantity_type=quantity_type,
            unit_of_measure_name=unit,
        )
        session.add(item)
        return item.name


def job_type(api: Api, name: str | None = None, **fields: Any) -> tuple[int, str]:
    name = name or unique("Infuse Brownies")
    body = {
        "Name": name,
        "Description": "Turn buds into brownies",
        "Category": "Processing",
        "ProcessingSteps": "Extract and bake",
        "Attributes": ["Infuse", "Food"],
        **fields,
    }
    [type_id] = api.ok("POST", "/processing/v2/jobtypes", [body])["Ids"]
    return int(type_id), name


def line(label: str, quantity: Any, unit: str = "Grams") -> dict[str, Any]:
    return {"Label": label, "Quantity": quantity, "UnitOfMeasure": unit}


def start_body(type_name: str, *lines: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "JobName": unique("Job"),
        "JobType": type_name,
        "CountUnitOfMeasure": "Each",
        "VolumeUnitOfMeasure": "Fluid Ounces",
        "WeightUnitOfMeasure": "Ounces",
        "Packages": list(lines),
        "StartDate": "0001-01-01T00:00:00Z",
        **extra,
    }


def start(api: Api, type_name: str, *lines: dict[str, Any], **extra: Any) -> tuple[int, str]:
    body = start_body(type_name, *lines, **extra)
    [job_id] = api.ok("POST", "/processing/v2/start", [body])["Ids"]
    return int(job_id), str(body["JobName"])


def output(
    shop: Grow, job_name: str, tag: str, item: str, quantity: Any, unit: str = "Grams", **extra: Any
) -> dict[str, Any]:
    return {
        "JobName": job_name,
        "Tag": tag,
        "Location": None,
        "Sublocation": None,
        "Item": item,
        "Quantity": quantity,
        "UnitOfMeasure": unit,
        "IsFinishedGood": False,
        "PatientLicenseNumber": None,
        "Note": None,
        "ProductionBatchNumber": None,
        "FinishProcessingJob": False,
        "PackageDate": shop.today,
        **extra,
    }


def job(store: Store, job_id: int) -> ProcessingJob:
    with store.read() as session:
        found = session.get(ProcessingJob, job_id)
        assert found is not None
        return found


def books(store: Store, job_id: int) -> dict[str, Decimal]:
    found = job(store, job_id)
    return {
        f"{entry}_{kind}": getattr(found, f"{entry}_{kind}")
        for entry in ("consumed", "packaged", "waste")
        for kind in ("count", "volume", "weight")
    }


def ledger_state(store: Store, facility_id: int) -> dict[str, Any]:
    """Everything a processing request may change at a facility (what a package request may
    change, and every column of the processing records), to show a refusal changed none of
    it."""
    state = package_state(store, facility_id)
    models = (ProcessingJobType, ProcessingJobAttribute, ProcessingJob, ProcessingJobInput)
    with store.read() as session:
        for model in (*models, PackageSource):
            query = select(*model.__table__.columns).where(model.facility_id == facility_id)
            state[model.__tablename__] = session.execute(query.order_by(model.id)).all()
    return state


def refused(api: Api, shop: Grow, method: str, path: str, body: list[Any], row: int = 0) -> str:
    """The message of a 400 naming object `row`, after checking the refusal changed nothing."""
    before = ledger_state(shop.store, shop.facility.id)
    response = api.call(method, path, body)
    assert response.status_code == 400, response.text
    [error] = response.json()
    assert error["row"] == row, error
    assert ledger_state(shop.store, shop.facility.id) == before
    return str(error["message"])


# --- job types -------------------------------------------------------------------------------


def test_job_types_have_the_example_keys_their_category_and_attributes(api: Api) -> None:
    type_id, name = job_type(api)
    [shown] = api.ok("GET", "/processing/v2/jobtypes/active")["Data"]
    documented = example("GET /processing/v2/jobtypes/active")["Data"][0]
    assert set(shown) == set(documented)
    assert [set(a) for a in shown["Attributes"]] == [set(documented["Attributes"][0])] * 2
    assert shown["Id"] == type_id and shown["Name"] == name
    assert shown["CategoryName"] == "Processing" and shown["ForProcessingJobs"] is True
    assert [a["Name"] for a in shown["Attributes"]] == ["Infuse", "Food"]
    attributes = api.ok("GET", "/processing/v2/jobtypes/attributes")
    assert set(attributes["Data"][0]) == set(
        example("GET /processing/v2/jobtypes/attributes")["Data"][0]
    )
    assert [a["Name"] for a in attributes["Data"]] == ["Infuse", "Food"]
    assert {a["Id"] for a in attributes["Data"]} == {a["Id"] for a in shown["Attributes"]}
    # v1 answers the same objects in a bare array, and writes an empty 200.
    assert api.ok("GET", "/processing/v1/jobtypes/active") == [shown]
    assert (
        api.ok("POST", "/processing/v1/jobtypes", [{"Name": unique("T"), "Category": "Vape"}])
        is None
    )


def test_the_categories_are_the_fixed_list_in_the_example_shape(api: Api) -> None:
    answer = api.ok("GET", "/processing/v2/jobtypes/categories")
    documented = example("GET /processing/v2/jobtypes/categories")["Data"][0]
    assert [set(c) for c in answer["Data"]] == [set(documented)] * len(CATEGORIES)
    assert [c["Name"] for c in answer["Data"]] == [c.name for c in CATEGORIES]
    assert api.ok("GET", "/processing/v1/jobtypes/categories") == answer["Data"]


def test_attributes_are_recorded_once_whatever_their_case(api: Api, shop: Grow) -> None:
    job_type(api, Attributes=["Infuse", "food"])
    job_type(api, Attributes=["INFUSE", "Vape", "vape"])
    names = [a["Name"] for a in api.ok("GET", "/processing/v2/jobtypes/attributes")["Data"]]
    assert names == ["Infuse", "food", "Vape"]
    second = api.ok("GET", "/processing/v2/jobtypes/active")["Data"][1]
    assert [a["Name"] for a in second["Attributes"]] == ["Infuse", "Vape"]


def test_a_job_type_is_updated_renamed_and_archived(api: Api, shop: Grow) -> None:
    type_id, _ = job_type(api)
    renamed = unique("Vape Pen")
    change = {
        "Id": type_id,
        "Name": renamed,
        "Description": "Create extract for vape pen",
        "CategoryName": "Vape",
        "ProcessingSteps": "Extract THC and infuse into pen",
        "Attributes": ["Vape", "Infuse"],
    }
    assert api.ok("PUT", "/processing/v2/jobtypes", [change]) == {
        "Ids": [type_id],
        "Warnings": None,
    }
    [shown] = api.ok("GET", "/processing/v2/jobtypes/active")["Data"]
    assert (shown["Name"], shown["CategoryName"]) == (renamed, "Vape")
    assert [a["Name"] for a in shown["Attributes"]] == ["Vape", "Infuse"]
    assert api.ok("DELETE", f"/processing/v2/jobtypes/{type_id}") == {
        "Ids": [type_id],
        "Warnings": None,
    }
    assert api.ok("GET", "/processing/v2/jobtypes/active")["Data"] == []
    assert [t["Id"] for t in api.ok("GET", "/processing/v2/jobtypes/inactive")["Data"]] == [type_id]
    # Archived: it cannot be changed, archived again, or start a job; its name is free again.
    assert "archived" in refused(api, shop, "PUT", "/processing/v2/jobtypes", [change])
    assert api.call("DELETE", f"/processing/v1/jobtypes/{type_id}").status_code == 400
    label = stock(shop)
    message = refused(
        api, shop, "POST", "/processing/v2/start", [start_body(renamed, line(label, 1))]
    )
    assert message.startswith("JobType: ") and "archived" in message
    job_type(api, renamed)


def test_job_type_refusals_name_the_row_and_the_field(api: Api, shop: Grow) -> None:
    _, name = job_type(api)
    good = {"Name": unique("T"), "Category": "Processing"}
    duplicate = refused(
        api, shop, "POST", "/processing/v2/jobtypes", [good, {**good, "Name": name}], row=1
    )
    assert "already exists" in duplicate
    unknown = refused(
        api, shop, "POST", "/processing/v2/jobtypes", [{**good, "Category": "Baking"}]
    )
    assert unknown.startswith("Category 'Baking' is unknown; use one of Extraction")
    missing = refused(api, shop, "POST", "/processing/v2/jobtypes", [{"Name": unique("T")}])
    assert missing.startswith("Category is required")
    infusing = refused(
        api, shop, "POST", "/processing/v2/jobtypes", [{**good, "Category": "Infusing"}]
    )
    assert infusing.startswith("Attributes: ") and "at least one attribute" in infusing
    blank = refused(
        api, shop, "POST", "/processing/v2/jobtypes", [{**good, "Attributes": ["ok", " "]}]
    )
    assert blank.startswith("Attributes[1]: ")
    # In PUT the category is CategoryName, as Metrc's example spells it.
    type_id, _ = job_type(api)
    wrong = refused(
        api,
        shop,
        "PUT",
        "/processing/v2/jobtypes",
        [{"Id": type_id, "Name": "x", "CategoryName": "?"}],
    )
    assert wrong.startswith("CategoryName '?' is unknown")


def test_only_a_facility_that_processes_keeps_job_types_and_runs_jobs(
    client: TestClient, demo: DemoAccess, ledger: Ledger, store: Store
) -> None:
    grow = Grow.start(ledger, store, "Cultivator")
    api = Api(client, demo, grow.license)
    body = [{"Name": unique("T"), "Category": "Processing"}]
    message = refused(api, grow, "POST", "/processing/v2/jobtypes", body)
    assert message == f"Facility {grow.license} (Cultivator) may not run processing jobs."
    label = stock(grow)
    message = refused(api, grow, "POST", "/processing/v2/start", [start_body("x", line(label, 1))])
    assert "may not run processing jobs" in message
    # Either flag admits it: the manufacturer's infusion, or Metrc's processing job flag.
    allow(store, grow.facility.id, "CanRecordProcessingJobs")
    _, name = job_type(api)
    start(api, name, line(label, 1))


# --- starting a job --------------------------------------------------------------------------


def test_a_job_takes_from_its_sources_exactly_in_their_units(
    api: Api, shop: Grow, store: Store
) -> None:
    _, type_name = job_type(api)
    grams = stock(shop, "100")
    pounds = stock(shop, "2", "Pounds")
    job_id, job_name = start(
        api, type_name, line(grams, "10.5"), line(pounds, 1, "Ounces"), line(grams, "0.5", "Grams")
    )
    assert stored_package(store, grams).quantity == Decimal("89")
    assert stored_package(store, pounds).quantity == Decimal("1.9375")
    # The job took 11 g and 1 oz (28.349523125 g), exactly, in grams.
    assert books(store, job_id)["consumed_weight"] == Decimal("39.349523125")
    shown = api.ok("GET", f"/processing/v2/{job_id}")
    assert set(shown) == set(example("GET /processing/v2/{id}"))
    assert (shown["Name"], shown["JobTypeName"], shown["IsFinished"]) == (
        job_name,
        type_name,
        False,
    )
    assert shown["WeightUnitOfMeasureName"] == "Ounces" and shown["WeightUnitOfMeasureId"] == 2
    assert Decimal(str(shown["TotalWeight"])) == Decimal("1.3880135814")
    assert (shown["TotalUnitOfMeasureId"], shown["TotalQuantity"]) == (2, shown["TotalWeight"])
    assert (shown["TotalCount"], shown["CountUnitOfMeasureName"]) == (0, "Each")
    assert shown["TotalWeightWaste"] is None and shown["WasteWeightUnitOfMeasureName"] is None
    assert [
        (p["PackageLabel"], p["Quantity"], p["UnitOfMeasureName"]) for p in shown["Packages"]
    ] == [
        (grams, 11, "Grams"),
        (pounds, 0.0625, "Pounds"),
    ]
    with store.read() as session:
        actions = {
            (e.entity_type, e.action)
            for e in session.scalars(
                select(AuditEvent).where(AuditEvent.facility_id == shop.facility.id)
            )
        }
    assert {("processing_jobs", "create"), ("processing_job_inputs", "create")} <= actions
    assert ("packages", "process") in actions


def test_start_refusals_name_the_row_and_change_nothing(api: Api, shop: Grow, store: Store) -> None:
    _, type_name = job_type(api)
    label = stock(shop, "10")
    other = stock(shop, "10")
    good = start_body(type_name, line(other, 1))
    path = "/processing/v2/start"

    def refusal(*lines: dict[str, Any], row: int = 1, **extra: Any) -> str:
        return refused(
            api, shop, "POST", path, [good, start_body(type_name, *lines, **extra)], row=row
        )

    assert "exceeds the quantity of package" in refusal(line(label, 6), line(label, "4.5"))
    assert refusal(line(label, 1, "Each")).startswith("Packages[0].UnitOfMeasure: Each cannot")
    assert refusal(line(label, 0)).startswith("Packages[0].Quantity of 0 changes nothing")
    assert refusal(line(label, -1)).startswith("Packages[0].Quantity: A new job only takes")
    assert refusal().startswith("Packages must name at least one package")
    assert "No package NOPE" in refusal(line("NOPE", 1))
    assert "in the future" in refusal(line(label, 1), StartDate="2199-01-01")
    early = refusal(line(label, 1), StartDate="2001-01-01")
    assert early == f"StartDate 2001-01-01 is before package {label} was packaged."
    assert refusal(line(label, 1), JobType="Nothing").startswith("JobType: No processing job type")
    assert "not a unit of weight" in refusal(line(label, 1), WeightUnitOfMeasure="Liters")
    _, taken = start(api, type_name, line(label, 1))
    assert "already exists" in refusal(line(label, 1), JobName=taken)
    with store.transaction() as session:
        held = session.scalars(select(Package).where(Package.label == label)).one()
        held.is_on_hold = True
    assert "on hold" in refusal(line(label, 1))
    finished = stock(shop, "0", finished_date=facility_today(shop.facility))
    assert "finished" in refusal(line(finished, 1))
    sample = stock(shop, "5", is_testing_sample=True)
    assert "lab sample" in refusal(line(sample, 1))
    clones = stock(shop, "5", "Each", item=item_of(shop, "Immature Plants", "CountBased", "Each"))
    assert "living plants" in refusal(line(clones, 1, "Each"))


def test_a_source_of_another_facility_is_unknown(
    api: Api, shop: Grow, ledger: Ledger, store: Store
) -> None:
    _, type_name = job_type(api)
    elsewhere = Grow.start(ledger, store, "Manufacturer")
    foreign = stock(elsewhere, "10")
    message = refused(
        api, shop, "POST", "/processing/v2/start", [start_body(type_name, line(foreign, 1))]
    )
    assert message.startswith(f"Packages[0]: No package {foreign} at this facility")
    assert stored_package(store, foreign).quantity == 10


# --- packages from a job ---------------------------------------------------------------------


def test_packages_from_a_job_conserve_its_books_and_record_the_job(
    api: Api, shop: Grow, store: Store
) -> None:
    _, type_name = job_type(api)
    source = stock(shop, "100")
    job_id, job_name = start(api, type_name, line(source, 100))
    tags = shop.package_tags(3)
    oil = shop.item("Concentrate")
    body = [
        output(shop, job_name, tags[0], oil, 1, "Ounces"),
        output(shop, job_name, tags[1], oil, "0.05", "Kilograms", IsFinishedGood=True),
    ]
    flagged = refused(api, shop, "POST", "/processing/v2/createpackages", body, row=1)
    assert flagged == f"Facility {shop.license} (Manufacturer) may not track finished goods."
    allow(store, shop.facility.id, "CanTrackFinishedGoods")
    ids = api.ok("POST", "/processing/v2/createpackages", body)["Ids"]
    assert len(ids) == 2
    kept = books(store, job_id)
    assert kept["packaged_weight"] == Decimal("78.349523125")
    assert kept["consumed_weight"] - kept["packaged_weight"] == Decimal("21.650476875")
    made = [stored_package(store, tag) for tag in tags[:2]]
    assert [(p.quantity, p.unit_of_measure_name) for p in made] == [
        (1, "Ounces"),
        (Decimal("0.05"), "Kilograms"),
    ]
    assert made[1].is_finished_good
    with store.read() as session:
        assert session.scalars(select(Tag.status).where(Tag.label == tags[0])).one() == "Used"
        links = session.execute(
            select(PackageSource.package_id, PackageSource.source_processing_job_id).where(
                PackageSource.package_id.in_(ids)
            )
        ).all()
    assert sorted(links) == [(ids[0], job_id), (ids[1], job_id)]
    shown = api.ok("GET", f"/packages/v2/{ids[0]}")
    assert shown["SourceProcessingJobCount"] == 1 and shown["SourcePackageCount"] == 0
    # A tag is used once; a job gives no more than remains, of the package's type only.
    again = refused(
        api,
        shop,
        "POST",
        "/processing/v2/createpackages",
        [output(shop, job_name, tags[0], oil, 1)],
    )
    assert "a tag may be used only once" in again
    too_much = refused(
        api,
        shop,
        "POST",
        "/processing/v2/createpackages",
        [output(shop, job_name, tags[2], oil, 22)],
    )
    assert too_much.startswith("Quantity 22 Grams is more than the processing job")
    edibles = shop.item("Edible", "CountBased")
    counted = refused(
        api,
        shop,
        "POST",
        "/processing/v2/createpackages",
        [output(shop, job_name, tags[2], edibles, 1, "Each")],
    )
    assert counted.endswith("holds (0 Each).")
    plants = item_of(shop, "Immature Plants", "CountBased", "Each")
    assert "plant item" in refused(
        api,
        shop,
        "POST",
        "/processing/v2/createpackages",
        [output(shop, job_name, tags[2], plants, 1, "Each")],
    )
    unknown = refused(
        api, shop, "POST", "/processing/v2/createpackages", [output(shop, "nope", tags[2], oil, 1)]
    )
    assert unknown.startswith("JobName: No active processing job named 'nope'")
    # What remains can be packaged to the last decimal.
    api.ok(
        "POST",
        "/processing/v1/createpackages",
        [output(shop, job_name, tags[2], oil, "21.650476875")],
    )
    assert books(store, job_id)["packaged_weight"] == Decimal(100)


def test_genealogy_walks_from_a_job_output_through_the_job_to_the_harvest(
    client: TestClient, demo: DemoAccess, ledger: Ledger, store: Store
) -> None:
    grow = Grow.start(ledger, store, "Cultivator")
    allow(store, grow.facility.id, "CanInfuseProducts")
    api = Api(client, demo, grow.license)
    harvest_name = unique("Harvest")
    harvest_id = harvest_into(api, grow, ["500"], name=harvest_name)
    [bud_tag, oil_tag] = grow.package_tags(2)
    buds = grow.item()
    from_harvest = {
        "Tag": bud_tag,
        "Item": buds,
        "UnitOfWeight": "Grams",
        "ActualDate": grow.today,
        "Ingredients": [{"HarvestId": harvest_id, "Weight": 200, "UnitOfWeight": "Grams"}],
    }
    api.ok("POST", "/harvests/v2/packages", [from_harvest])
    _, type_name = job_type(api)
    _, job_name = start(api, type_name, line(bud_tag, 150))
    [oil_id] = api.ok(
        "POST",
        "/processing/v2/createpackages",
        [output(grow, job_name, oil_tag, grow.item("Concentrate"), 20)],
    )["Ids"]
    shown = api.ok("GET", f"/packages/v2/{oil_id}")
    assert shown["SourceHarvestNames"] == harvest_name and shown["SourceHarvestCount"] == 1
    assert shown["SourceProcessingJobCount"] == 1 and shown["SourcePackageLabels"] is None
    roots = api.ok("GET", f"/packages/v2/{oil_id}/source/harvests")
    assert [r["Name"] for r in roots] == [harvest_name]


def test_outputs_inherit_remediation_and_sources_stay_in_the_ledger(
    api: Api, shop: Grow, store: Store
) -> None:
    _, type_name = job_type(api)
    clean, tainted = stock(shop, "10"), stock(shop, "10", product_requires_remediation=True)
    _, job_name = start(api, type_name, line(clean, 5), line(tainted, 5))
    [tag] = shop.package_tags(1)
    made = output(shop, job_name, tag, shop.item("Concentrate"), 8)
    [package_id] = api.ok("POST", "/processing/v2/createpackages", [made])["Ids"]
    shown = api.ok("GET", f"/packages/v2/{package_id}")
    assert shown["ProductRequiresRemediation"] is True
    assert shown["LabTestingState"] == "NotSubmitted"
    # A package a job took from has children through the job: it is not discontinued.
    source_id = stored_package(store, clean).id
    before = ledger_state(store, shop.facility.id)
    response = api.call("DELETE", f"/packages/v2/{source_id}")
    assert response.status_code == 400, response.text
    assert f"A processing job took from package {clean}" in response.text
    assert ledger_state(store, shop.facility.id) == before


# --- adjusting -------------------------------------------------------------------------------


def adjustment(job_id: int, *lines: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "Id": job_id,
        "AdjustmentReason": "Data Entry",
        "AdjustmentDate": "2021-11-01T00:00:00Z",
        "AdjustmentNote": None,
        "CountUnitOfMeasureName": None,
        "VolumeUnitOfMeasureName": None,
        "WeightUnitOfMeasureName": None,
        "Packages": list(lines),
        **extra,
    }


def test_an_adjustment_takes_more_or_gives_back_what_the_job_holds(
    api: Api, shop: Grow, store: Store
) -> None:
    _, type_name = job_type(api)
    first, second = stock(shop, "50"), stock(shop, "50")
    job_id, job_name = start(api, type_name, line(first, 20))
    today = {"AdjustmentDate": shop.today}
    answer = api.ok(
        "POST",
        "/processing/v2/adjust",
        [adjustment(job_id, line(second, 1, "Ounces"), line(first, -5), **today)],
    )
    assert answer == {"Ids": [job_id], "Warnings": None}
    assert stored_package(store, first).quantity == Decimal(35)
    assert stored_package(store, second).quantity == Decimal("21.650476875")
    assert books(store, job_id)["consumed_weight"] == Decimal("43.349523125")
    # Only what the job took from a package goes back to it, and only what it still holds.
    more = refused(
        api, shop, "POST", "/processing/v2/adjust", [adjustment(job_id, line(first, -16), **today)]
    )
    assert more.startswith(f"Packages[0]: The job holds 15 Grams taken from package {first}")
    [tag] = shop.package_tags(1)
    api.ok(
        "POST",
        "/processing/v2/createpackages",
        [output(shop, job_name, tag, shop.item("Concentrate"), 40)],
    )
    held = refused(
        api, shop, "POST", "/processing/v2/adjust", [adjustment(job_id, line(first, -5), **today)]
    )
    assert held.startswith("Packages: The processing job") and "cannot give back 5 Grams" in held
    # A package made from the job never goes back into it.
    cycle = refused(
        api, shop, "POST", "/processing/v2/adjust", [adjustment(job_id, line(tag, 1), **today)]
    )
    assert "was made from the processing job" in cycle
    # Units: the totals are shown in the new unit; the books do not move.
    before = books(store, job_id)
    api.ok(
        "POST",
        "/processing/v1/adjust",
        [adjustment(job_id, WeightUnitOfMeasureName="Grams", **today)],
    )
    assert books(store, job_id) == before
    assert api.ok("GET", f"/processing/v2/{job_id}")["TotalWeight"] == 43.349523125


def test_adjustment_refusals_name_the_row(api: Api, shop: Grow) -> None:
    _, type_name = job_type(api)
    label = stock(shop, "50")
    job_id, _ = start(api, type_name, line(label, 20))
    today = {"AdjustmentDate": shop.today}

    def refusal(*lines: dict[str, Any], **extra: Any) -> str:
        body = [adjustment(job_id, *lines, **extra)]
        return refused(api, shop, "POST", "/processing/v2/adjust", body)

    unknown = refusal(line(label, 1), AdjustmentReason="Whim", **today)
    assert unknown == "AdjustmentReason: Adjustment reason 'Whim' is unknown."
    noted = refusal(line(label, 1), AdjustmentReason="Theft", **today)
    assert noted == "AdjustmentNote: The adjustment reason 'Theft' requires a note."
    assert "before the job started" in refusal(line(label, 1))
    assert refusal(**today).startswith("Packages must name at least one package")
    assert refusal(line(label, 1), WeightUnitOfMeasureName="Each", **today).startswith(
        "WeightUnitOfMeasureName: Each is not a unit of weight"
    )
    missing = api.call("POST", "/processing/v2/adjust", [adjustment(987_654_321, **today)])
    assert missing.status_code == 400 and "No processing job 987654321" in missing.text


# --- finishing -------------------------------------------------------------------------------


def test_finish_records_waste_and_unfinish_takes_back_only_that(
    api: Api, shop: Grow, store: Store
) -> None:
    _, type_name = job_type(api)
    label = stock(shop, "100")
    job_id, job_name = start(api, type_name, line(label, 100))
    [tag] = shop.package_tags(1)
    api.ok(
        "POST",
        "/processing/v2/createpackages",
        [output(shop, job_name, tag, shop.item("Concentrate"), 60)],
    )
    opened = books(store, job_id)
    finish = {
        "Id": job_id,
        "FinishDate": shop.today,
        "FinishNote": "Infusing",
        "TotalCountWaste": None,
        "WasteCountUnitOfMeasureName": None,
        "TotalVolumeWaste": None,
        "WasteVolumeUnitOfMeasureName": None,
        "TotalWeightWaste": 1,
        "WasteWeightUnitOfMeasureName": "Ounces",
    }
    too_much = refused(
        api, shop, "PUT", "/processing/v2/finish", [{**finish, "TotalWeightWaste": 2}]
    )
    assert too_much.startswith("TotalWeightWaste 2 Ounces is more than the processing job")
    early = refused(
        api, shop, "PUT", "/processing/v2/finish", [{**finish, "FinishDate": "2001-01-01"}]
    )
    assert early == "FinishDate 2001-01-01 is before the job started."
    assert api.ok("PUT", "/processing/v2/finish", [finish]) == {"Ids": [job_id], "Warnings": None}
    assert books(store, job_id) == {**opened, "waste_weight": Decimal("28.349523125")}
    shown = api.ok("GET", f"/processing/v2/{job_id}")
    assert (shown["IsFinished"], shown["FinishNote"], shown["FinishedDate"]) == (
        True,
        "Infusing",
        shop.today,
    )
    assert (shown["TotalWeightWaste"], shown["WasteWeightUnitOfMeasureName"]) == (1, "Ounces")
    assert [j["Id"] for j in api.ok("GET", "/processing/v2/inactive")["Data"]] == [job_id]
    assert api.ok("GET", "/processing/v2/active")["Data"] == []
    # A finished job takes nothing until it is unfinished, and finishes once.
    [other] = shop.package_tags(1)
    closed = refused(
        api,
        shop,
        "POST",
        "/processing/v2/createpackages",
        [output(shop, job_name, other, shop.item("Concentrate"), 1)],
    )
    assert "is finished; unfinish it first" in closed
    assert "is finished" in refused(api, shop, "PUT", "/processing/v2/finish", [finish])
    assert api.ok("PUT", "/processing/v1/unfinish", [{"Id": job_id}]) is None
    assert books(store, job_id) == opened
    reopened = api.ok("GET", f"/processing/v2/{job_id}")
    assert (reopened["IsFinished"], reopened["FinishNote"], reopened["TotalWeightWaste"]) == (
        False,
        None,
        None,
    )
    assert "is not finished" in refused(
        api, shop, "PUT", "/processing/v2/unfinish", [{"Id": job_id}]
    )


def test_a_package_may_finish_its_job(api: Api, shop: Grow, store: Store) -> None:
    _, type_name = job_type(api)
    label = stock(shop, "10")
    job_id, job_name = start(api, type_name, line(label, 10))
    [tag] = shop.package_tags(1)
    last = output(
        shop,
        job_name,
        tag,
        shop.item("Concentrate"),
        9,
        FinishProcessingJob=True,
        FinishDate=shop.today,
        FinishNote="done",
        WasteWeightQuantity=1,
        WasteWeightUnitOfMeasureName="Grams",
    )
    api.ok("POST", "/processing/v2/createpackages", [last])
    kept = books(store, job_id)
    assert (kept["consumed_weight"], kept["packaged_weight"], kept["waste_weight"]) == (10, 9, 1)
    assert job(store, job_id).finished_date is not None


def test_archiving_a_job_that_holds_something_needs_it_finished(api: Api, shop: Grow) -> None:
    _, type_name = job_type(api)
    label = stock(shop, "10")
    job_id, _ = start(api, type_name, line(label, 4))
    response = api.call("DELETE", f"/processing/v2/{job_id}")
    assert response.status_code == 400 and "still holds 4 Grams" in response.text
    api.ok("PUT", "/processing/v2/finish", [{"Id": job_id}])
    assert api.ok("DELETE", f"/processing/v2/{job_id}") == {"Ids": [job_id], "Warnings": None}
    assert [j["Id"] for j in api.ok("GET", "/processing/v2/inactive")["Data"]] == [job_id]
    assert "archived" in refused(api, shop, "PUT", "/processing/v2/unfinish", [{"Id": job_id}])
    assert api.call("DELETE", f"/processing/v1/{job_id}").status_code == 400


# --- reads -----------------------------------------------------------------------------------


def test_job_lists_have_the_example_keys_v2_and_v1(api: Api, shop: Grow) -> None:
    _, type_name = job_type(api)
    job_id, _ = start(api, type_name, line(stock(shop, "10"), 1))
    listed = api.ok("GET", "/processing/v2/active")
    documented = example("GET /processing/v2/active")
    assert set(listed) == set(documented)
    [shown] = listed["Data"]
    assert set(shown) == set(documented["Data"][0])
    assert api.ok("GET", "/processing/v1/active") == [shown]
    assert api.ok("GET", f"/processing/v1/{job_id}") == shown
    assert api.ok("GET", "/processing/v1/inactive") == []


def test_a_job_of_another_facility_answers_401_and_a_missing_one_404(
    api: Api, shop: Grow, client: TestClient, demo: DemoAccess, ledger: Ledger, store: Store
) -> None:
    _, type_name = job_type(api)
    job_id, _ = start(api, type_name, line(stock(shop, "10"), 1))
    other = Api(client, demo, Grow.start(ledger, store, "Manufacturer").license)
    assert other.call("GET", f"/processing/v2/{job_id}").status_code == 401
    assert other.call("DELETE", f"/processing/v2/{job_id}").status_code == 401
    assert other.call("PUT", "/processing/v2/unfinish", [{"Id": job_id}]).status_code == 401
    assert api.call("GET", "/processing/v2/987654321").status_code == 404
    assert other.ok("GET", "/processing/v2/active")["Data"] == []


def test_the_active_list_is_windowed_on_the_last_change(api: Api, shop: Grow) -> None:
    _, type_name = job_type(api)
    start(api, type_name, line(stock(shop, "10"), 1))
    window = {
        "lastModifiedStart": "2000-01-01T00:00:00Z",
        "lastModifiedEnd": "2000-01-01T12:00:00Z",
    }
    assert api.ok("GET", "/processing/v2/active", **window)["Data"] == []
    assert len(api.ok("GET", "/processing/v2/active")["Data"]) == 1


@pytest.mark.parametrize(
    "path",
    [
        "/processing/v2/active",
        "/processing/v2/inactive",
        "/processing/v2/jobtypes/active",
        "/processing/v2/jobtypes/inactive",
        "/processing/v2/jobtypes/attributes",
    ],
)
def test_a_page_costs_the_same_statements_at_any_size(
    api: Api, shop: Grow, client: TestClient, store: Store, path: str
) -> None:
    type_ids = []
    for index in range(3):
        type_id, type_name = job_type(api, Attributes=[f"A{index}", f"B{index}", "Shared"])
        type_ids.append(type_id)
        labels = [stock(shop, "10") for _ in range(2)]
        job_id, _ = start(api, type_name, *(line(label, 1) for label in labels))
        api.ok(
            "POST",
            "/processing/v2/adjust",
            [adjustment(job_id, line(labels[0], 1), AdjustmentDate=shop.today)],
        )
        if path == "/processing/v2/inactive":
            api.ok("PUT", "/processing/v2/finish", [{"Id": job_id}])
    if path == "/processing/v2/jobtypes/inactive":
        for type_id in type_ids:
            api.ok("DELETE", f"/processing/v2/jobtypes/{type_id}")
    params = {"licenseNumber": api.license}
    found = page_statements(client, store.engine, path, api.headers, params, sizes=(1, 3))
    assert [records for records, _ in found.values()] == [1, 3]
    assert found[1][1] == found[3][1]
