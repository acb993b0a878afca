"""Inventory after the harvest through the HTTP API, once with the v2 rows and once with v1.

A cultivator that may test its own samples and run processing jobs harvests four plants
(2000 g), makes three packages of it (500 g, 400 g, 300 g), takes a 2 g lab sample from the
first, records passing results and releases them (the tested package passes), starts a
processing job on 100 g of the second, makes 20 pre-roll packages of 1 g from it, finishes
the job with 80 g of waste, adjusts one pre-roll down to nothing with a reason and finishes
it (only an empty package is finished). Every
quantity, state and genealogy link is checked on the way; then the same packages through the
Trace lot view, and the recall of the harvest finds every one of them in one call.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from leafledger.domain.models import Package
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger, unique
from tests.metrc.test_harvests import Api, Grow, cut
from tests.metrc.test_lab_tests import passing, results_body
from tests.metrc.test_package_inventory import allow, derived, draw
from tests.metrc.test_packages import ingredient, package_body
from tests.metrc.test_processing_jobs import line, output, start_body
from tests.package_counts import assert_package_counts_kept
from tests.statements import counted_statements
from tests.trace.conftest import TraceAccess
from tests.trace.test_lots import Lots

WRITES = {
    "v2": {
        "harvest": ("PUT", "/plants/v2/harvest"),
        "packages": ("POST", "/harvests/v2/packages"),
        "testing": ("POST", "/packages/v2/testing"),
        "record": ("POST", "/labtests/v2/record"),
        "release": ("PUT", "/labtests/v2/results/release"),
        "job_type": ("POST", "/processing/v2/jobtypes"),
        "start": ("POST", "/processing/v2/start"),
        "job_packages": ("POST", "/processing/v2/createpackages"),
        "job_finish": ("PUT", "/processing/v2/finish"),
        "adjust": ("POST", "/packages/v2/adjust"),
        "finish": ("PUT", "/packages/v2/finish"),
    },
    "v1": {
        "harvest": ("POST", "/plants/v1/harvestplants"),
        "packages": ("POST", "/harvests/v1/create/packages"),
        "testing": ("POST", "/packages/v1/create/testing"),
        "record": ("POST", "/labtests/v1/record"),
        "release": ("PUT", "/labtests/v1/results/release"),
        "job_type": ("POST", "/processing/v1/jobtypes"),
        "start": ("POST", "/processing/v1/start"),
        "job_packages": ("POST", "/processing/v1/createpackages"),
        "job_finish": ("PUT", "/processing/v1/finish"),
        "adjust": ("POST", "/packages/v1/adjust"),
        "finish": ("POST", "/packages/v1/finish"),
    },
}


def _number(value: Any) -> Decimal:
    return Decimal(str(value))


def _records(body: Any) -> list[dict[str, Any]]:
    return body["Data"] if isinstance(body, dict) else body  # type: ignore[no-any-return]


class Inventory:
    """The demo user's writes of one version at one facility, and its reads."""

    def __init__(self, api: Api, version: str) -> None:
        self.api, self.version = api, version

    def write(self, action: str, objects: list[dict[str, Any]]) -> None:
        method, path = WRITES[self.version][action]
        for start in range(0, len(objects), 10):
            self.api.ok(method, path, objects[start : start + 10])

    def read(self, path: str, **query: str) -> list[dict[str, Any]]:
        return _records(self.api.ok("GET", path.replace("{v}", self.version), **query))

    def packages(self, path: str = "/packages/{v}/active") -> dict[str, dict[str, Any]]:
        return {p["Label"]: p for p in self.read(path)}


def package_ids(store: Store, labels: list[str]) -> dict[str, int]:
    from sqlalchemy import select

    with store.read() as session:
        rows = session.execute(select(Package.label, Package.id).where(Package.label.in_(labels)))
        return {label: package_id for label, package_id in rows}


@pytest.mark.parametrize("version", ["v2", "v1"])
def test_harvest_to_pre_rolls(
    client: TestClient,
    demo: DemoAccess,
    ledger: Ledger,
    store: Store,
    version: str,
) -> None:
    trace = TraceAccess(demo.trace_api_key, demo.vendor_key, demo.user_key)
    grow = Grow.start(ledger, store)
    allow(store, grow.facility.id, "CanTestPackages")
    allow(store, grow.facility.id, "CanRecordProcessingJobs")
    api = Api(client, demo, grow.license)
    books = Inventory(api, version)
    buds, pre_roll = grow.item("Buds"), grow.item("Pre-Roll Flower")

    # 1. Harvest four plants: 2000 g.
    harvest_name = unique("Harvest")
    plants = grow.plants(4)
    books.write("harvest", [cut(grow, p, "500", HarvestName=harvest_name) for p in plants])
    (harvest,) = [h for h in books.read("/harvests/{v}/active") if h["Name"] == harvest_name]
    harvest_id = harvest["Id"]
    assert _number(harvest["CurrentWeight"]) == 2000 and harvest["PlantCount"] == 4

    # 2. Three packages of it.
    tags = grow.package_tags(24)
    first, second, third = tags[:3]
    weights = {first: 500, second: 400, third: 300}
    books.write(
        "packages",
        [
            package_body(grow, tag, buds, "Grams", [ingredient(harvest_id, weight)])
            for tag, weight in weights.items()
        ],
    )
    (harvest,) = [h for h in books.read("/harvests/{v}/active") if h["Name"] == harvest_name]
    assert _number(harvest["CurrentWeight"]) == 800 and harvest["PackageCount"] == 3
    active = books.packages()
    for tag, weight in weights.items():
        assert _number(active[tag]["Quantity"]) == weight
        assert active[tag]["SourceHarvestNames"] == harvest_name
    assert_package_counts_kept(store)  # created

    # 3. A lab sample of 2 g from the first; results recorded, then released.
    sample = tags[3]
    books.write("testing", [derived(grow, sample, buds, 2, draw(first, 2))])
    active = books.packages()
    assert _number(active[first]["Quantity"]) == 498 and _number(active[sample]["Quantity"]) == 2
    assert active[sample]["LabTestingState"] == "SubmittedForTesting"
    assert active[first]["LabTestingState"] == "SubmittedForTesting"
    assert sample in {p["Label"] for p in books.read("/packages/v2/labsamples")}
    assert_package_counts_kept(store)  # a lab sample
    books.write("record", [results_body(grow, sample, passing("THC", "CBD"))])
    assert books.packages()[sample]["LabTestingState"] == "TestPassed"
    assert books.packages()[first]["LabTestingState"] == "SubmittedForTesting"
    books.write("release", [{"PackageLabel": sample}])
    assert books.packages()[first]["LabTestingState"] == "TestPassed"
    assert_package_counts_kept(store)  # results recorded and released

    # 4. A processing job on 100 g of the second; 20 pre-rolls of 1 g; finished, 80 g waste.
    type_name = unique("Rolling")
    books.write("job_type", [{"Name": type_name, "Category": "Processing", "Attributes": []}])
    job_body = start_body(type_name, line(second, 100), WeightUnitOfMeasure="Grams")
    books.write("start", [job_body])
    job_name = job_body["JobName"]
    (job,) = [j for j in books.read("/processing/{v}/active") if j["Name"] == job_name]
    assert _number(books.packages()[second]["Quantity"]) == 300
    rolls = tags[4:24]
    books.write("job_packages", [output(grow, job_name, tag, pre_roll, 1) for tag in rolls])
    books.write(
        "job_finish",
        [{"Id": job["Id"], "TotalWeightWaste": 80, "WasteWeightUnitOfMeasureName": "Grams"}],
    )
    assert job_name not in {j["Name"] for j in books.read("/processing/{v}/active")}
    active = books.packages()
    for tag in rolls:
        assert _number(active[tag]["Quantity"]) == 1 and active[tag]["UnitOfMeasureName"] == "Grams"
        assert active[tag]["SourceHarvestNames"] == harvest_name
    assert_package_counts_kept(store)  # made by a processing job

    # 5. One pre-roll adjusted with a reason, then finished.
    reasons = [r["Name"] for r in _records(api.ok("GET", "/packages/v2/adjust/reasons"))]
    reason = "Scale Variance" if "Scale Variance" in reasons else reasons[0]
    adjusted = rolls[0]
    books.write(
        "adjust",
        [
            {
                "Label": adjusted,
                "Quantity": -1,
                "UnitOfMeasure": "Grams",
                "AdjustmentReason": reason,
                "AdjustmentDate": grow.today,
                "ReasonNote": "weighed again",
            }
        ],
    )
    assert _number(books.packages()[adjusted]["Quantity"]) == 0
    adjustments = books.read("/packages/v2/adjustments")
    (adjustment,) = [a for a in adjustments if a["PackageLabel"] == adjusted]
    assert adjustment["AdjustmentReasonName"] == reason
    assert adjustment["AdjustmentNote"] == "weighed again"
    assert _number(adjustment["AdjustmentQuantity"]) == -1
    books.write("finish", [{"Label": adjusted, "ActualDate": grow.today}])
    assert adjusted not in books.packages()
    assert adjusted in books.packages("/packages/{v}/inactive")
    assert_package_counts_kept(store)  # adjusted, then finished

    # 6. Every quantity still adds up: nothing made or lost.
    active = books.packages()
    held = sum(_number(active[t]["Quantity"]) for t in (first, second, third, sample, *rolls[1:]))
    # held + adjusted away + the job's waste + what the harvest still holds = the harvest.
    assert held + 1 + 80 + 800 == 2000

    # 7. The Trace view of the same packages: the same lots, with their origins.
    lots = {lot["barcode"]: lot for lot in Lots(client, trace.headers, grow.license).listed()}
    for tag in (first, second, third, sample, *rolls[1:]):
        assert _number(lots[tag]["quantity"]) == _number(active[tag]["Quantity"])
    assert [o["id"] for o in lots[first]["origin"]["harvest"]] == [str(harvest_id)]
    assert [o["barcode"] for o in lots[sample]["origin"]["lots"]] == [first]

    # 8. The genealogy of a pre-roll: job, package, harvest, plants, batch.
    ids = package_ids(store, [first, second, third, sample, *rolls])
    tree = api.ok("GET", f"/leafledger/v1/genealogy/packages/{rolls[1]}")
    nodes = {n["Key"]: n for n in tree["Nodes"]}
    edges = {(e["From"], e["To"], e["Relation"]) for e in tree["Edges"]}
    job_key, second_key = f"ProcessingJob:{job['Id']}", f"Package:{ids[second]}"
    harvest_key = f"Harvest:{harvest_id}"
    roll_key = f"Package:{ids[rolls[1]]}"
    assert tree["Root"] == roll_key
    assert (job_key, roll_key, "ProcessingJobOutput") in edges
    assert (second_key, job_key, "ProcessingJobInput") in edges
    assert (harvest_key, second_key, "HarvestPackage") in edges
    assert sum(1 for e in edges if e[2] == "HarvestFromPlant") == 4
    assert sum(1 for e in edges if e[2] == "PlantFromPlantBatch") == 4
    assert nodes[harvest_key]["Side"] == "Ancestor" and nodes[harvest_key]["Depth"] == 3
    assert nodes[job_key]["Depth"] == 1 and nodes[second_key]["Depth"] == 2
    assert all(n["Visible"] for n in tree["Nodes"])
    [job_input] = [e for e in tree["Edges"] if e["Relation"] == "ProcessingJobInput"]
    assert _number(job_input["Quantity"]) == 100 and job_input["UnitOfMeasureName"] == "Grams"

    # 9. The recall of the harvest: every package, in one call of fixed cost: the harvest's
    # loader and row, a statement per generation (the harvest's packages, the sample and the
    # job made of them, the pre-rolls of the job, nothing), the packages, their facilities' and
    # items' names, their shipments, sales and sales deliveries.
    with counted_statements(store.engine) as seen:
        found = api.ok("GET", f"/leafledger/v1/recall/harvests/{harvest_id}")
    assert len(seen) == 11, seen
    recalled = {p["Label"]: p for p in found["Packages"]}
    assert set(recalled) == {first, second, third, sample, *rolls}
    assert found["PackageCount"] == 24 and found["HiddenPackageCount"] == 0
    assert found["Sales"] == [] and found["SalesDeliveries"] == []
    assert recalled[adjusted]["State"] == "Finished"
    assert _number(recalled[adjusted]["Quantity"]) == 0
    assert recalled[third]["State"] == "Active"
    assert all(p["FacilityLicenseNumber"] == grow.license for p in recalled.values())
    assert all(p["UnitOfMeasureName"] == "Grams" for p in recalled.values())
    assert found["Root"]["Name"] == harvest_name
