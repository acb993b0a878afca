"""Seed to package through the HTTP API, once with the v2 endpoints and once with the v1 ones.

Plant 100 clones, tag 40 of them into the vegetative phase, flower them, harvest them into one
batch, record waste, package the harvest into three packages in grams, ounces and pounds, and
finish the harvest. Every count, weight and tag state is checked on the way, through the reads
of the same version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import DemoAccess, Ledger, unique

# The write paths that differ between the versions; reads differ only by the version segment.
WRITES = {
    "v2": {
        "plantings": ("POST", "/plantbatches/v2/plantings"),
        "batch_phase": ("POST", "/plantbatches/v2/growthphase"),
        "plant_phase": ("PUT", "/plants/v2/growthphase"),
        "harvest": ("PUT", "/plants/v2/harvest"),
        "waste": ("POST", "/harvests/v2/waste"),
        "packages": ("POST", "/harvests/v2/packages"),
        "finish": ("PUT", "/harvests/v2/finish"),
    },
    "v1": {
        "plantings": ("POST", "/plantbatches/v1/createplantings"),
        "batch_phase": ("POST", "/plantbatches/v1/changegrowthphase"),
        "plant_phase": ("POST", "/plants/v1/changegrowthphases"),
        "harvest": ("POST", "/plants/v1/harvestplants"),
        "waste": ("POST", "/harvests/v1/removewaste"),
        "packages": ("POST", "/harvests/v1/create/packages"),
        "finish": ("POST", "/harvests/v1/finish"),
    },
}


@dataclass
class Grower:
    client: TestClient
    headers: dict[str, str]
    license_number: str
    version: str
    day: str = field(default_factory=lambda: (date.today() - timedelta(days=2)).isoformat())

    def call(self, method: str, path: str, body: Any = None) -> Any:
        response = self.client.request(
            method,
            path,
            params={"licenseNumber": self.license_number},
            headers=self.headers,
            json=body,
        )
        assert response.status_code == 200, (method, path, response.text)
        return response.json() if response.content else None

    def write(self, action: str, objects: list[dict[str, Any]]) -> None:
        method, path = WRITES[self.version][action]
        for start in range(0, len(objects), 10):  # at most 10 objects per request
            self.call(method, path, objects[start : start + 10])

    def refused(self, action: str, objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
        method, path = WRITES[self.version][action]
        response = self.client.request(
            method,
            path,
            params={"licenseNumber": self.license_number},
            headers=self.headers,
            json=objects,
        )
        assert response.status_code == 400, response.text
        body: list[dict[str, Any]] = response.json()
        return body

    def read(self, resource_path: str) -> list[dict[str, Any]]:
        """Every record of a list, whatever the version's envelope."""
        path = resource_path.replace("{v}", self.version)
        body = self.call("GET", path)
        records: list[dict[str, Any]] = body["Data"] if isinstance(body, dict) else body
        return records


def _number(value: Any) -> Decimal:
    return Decimal(str(value))


@pytest.mark.parametrize("version", ["v2", "v1"])
def test_seed_to_package(
    client: TestClient, demo: DemoAccess, ledger: Ledger, version: str
) -> None:
    facility = ledger.facility("Cultivator")
    ledger.grant_demo_user(facility.license_number)
    grow = Grower(client, demo.headers, facility.license_number, version)

    # Tags come from the sandbox endpoint; their labels run in sequence.
    types = {t["Category"]: t["Name"] for t in grow.call("GET", "/sandbox/v2/tagtypes")}
    plant_tags = grow.call(
        "POST", "/sandbox/v2/facility/tags", {"TagType": types["Plant"], "Count": 40}
    )["Labels"]
    package_tags = grow.call(
        "POST", "/sandbox/v2/facility/tags", {"TagType": types["Package"], "Count": 4}
    )["Labels"]
    assert len(plant_tags) == 40 and len(set(plant_tags)) == 40

    room, strain = unique("Room"), unique("Kush")
    grow.call("POST", "/locations/v2/", [{"Name": room, "LocationTypeName": "Default"}])
    grow.call(
        "POST",
        "/strains/v2/",
        [
            {
                "Name": strain,
                "TestingStatus": "None",
                "ThcLevel": 0.21,
                "CbdLevel": 0.01,
                "IndicaPercentage": 60,
                "SativaPercentage": 40,
            }
        ],
    )
    items = {unit: unique(f"Buds {unit}") for unit in ("Grams", "Ounces", "Pounds")}
    grow.call(
        "POST",
        "/items/v2/",
        [
            {"ItemCategory": "Buds", "Name": name, "UnitOfMeasure": unit, "Strain": strain}
            for unit, name in items.items()
        ],
    )

    # 1. Plant 100 clones.
    batch = unique("Clones")
    grow.write(
        "plantings",
        [
            {
                "Name": batch,
                "Type": "Clone",
                "Count": 100,
                "Strain": strain,
                "Location": room,
                "ActualDate": grow.day,
            }
        ],
    )
    (planted,) = [b for b in grow.read("/plantbatches/{v}/active") if b["Name"] == batch]
    assert (planted["UntrackedCount"], planted["TrackedCount"]) == (100, 0)

    # 2. Tag 40 of them into the vegetative phase, from the first plant tag on.
    grow.write(
        "batch_phase",
        [
            {
                "Name": batch,
                "Count": 40,
                "StartingTag": plant_tags[0],
                "GrowthPhase": "Vegetative",
                "NewLocation": room,
                "GrowthDate": grow.day,
            }
        ],
    )
    (tagged,) = [b for b in grow.read("/plantbatches/{v}/active") if b["Name"] == batch]
    assert (tagged["UntrackedCount"], tagged["TrackedCount"]) == (60, 40)
    vegetative = grow.read("/plants/{v}/vegetative")
    assert sorted(p["Label"] for p in vegetative) == sorted(plant_tags)
    assert all(p["PlantBatchName"] == batch and p["StrainName"] == strain for p in vegetative)
    available = {t["Label"] for t in grow.call("GET", "/tags/v2/plant/available")}
    assert available.isdisjoint(plant_tags)  # each tag is used now, once

    # More plants than the batch holds are refused, and nothing changes.
    errors = grow.refused(
        "batch_phase",
        [
            {
                "Name": batch,
                "Count": 61,
                "StartingTag": plant_tags[0],
                "GrowthPhase": "Vegetative",
                "NewLocation": room,
                "GrowthDate": grow.day,
            }
        ],
    )
    assert errors[0]["row"] == 0

    # 3. Flower them.
    grow.write(
        "plant_phase",
        [
            {
                "Label": label,
                "GrowthPhase": "Flowering",
                "NewLocation": room,
                "GrowthDate": grow.day,
            }
            for label in plant_tags
        ],
    )
    assert grow.read("/plants/{v}/vegetative") == []
    assert len(grow.read("/plants/{v}/flowering")) == 40

    # 4. Harvest them into one batch: 250.5 g of wet weight each.
    harvest_name = unique("Harvest")
    grow.write(
        "harvest",
        [
            {
                "Plant": label,
                "Weight": 250.5,
                "UnitOfWeight": "Grams",
                "DryingLocation": room,
                "HarvestName": harvest_name,
                "ActualDate": grow.day,
            }
            for label in plant_tags
        ],
    )
    assert grow.read("/plants/{v}/flowering") == []
    assert len(grow.read("/plants/{v}/inactive")) == 40
    (harvest,) = [h for h in grow.read("/harvests/{v}/active") if h["Name"] == harvest_name]
    assert harvest["PlantCount"] == 40
    assert _number(harvest["TotalWetWeight"]) == Decimal("10020")
    assert _number(harvest["CurrentWeight"]) == Decimal("10020")

    # 5. Waste: 20 g.
    grow.write(
        "waste",
        [
            {
                "Id": harvest["Id"],
                "WasteType": "Plant Material",
                "UnitOfWeight": "Grams",
                "WasteWeight": 20,
                "ActualDate": grow.day,
            }
        ],
    )

    # 6. Three packages in three units, drawn from the harvest with exact conversion.
    draws = [("Grams", Decimal("1000")), ("Ounces", Decimal("16")), ("Pounds", Decimal("2"))]
    grow.write(
        "packages",
        [
            {
                "Tag": tag,
                "Location": room,
                "Item": items[unit],
                "UnitOfWeight": unit,
                "ActualDate": grow.day,
                "Ingredients": [
                    {"HarvestId": harvest["Id"], "Weight": float(weight), "UnitOfWeight": unit}
                ],
            }
            for tag, (unit, weight) in zip(package_tags, draws, strict=False)
        ],
    )
    (harvest,) = [h for h in grow.read("/harvests/{v}/active") if h["Name"] == harvest_name]
    drawn = Decimal("1000") + Decimal("16") * Decimal("28.349523125") + 2 * Decimal("453.59237")
    assert _number(harvest["CurrentWeight"]) == Decimal("10020") - 20 - drawn
    assert _number(harvest["TotalWasteWeight"]) == Decimal("20")
    assert harvest["PackageCount"] == 3
    packages = {p["Label"]: p for p in grow.read("/packages/{v}/active")}
    for tag, (unit, weight) in zip(package_tags, draws, strict=False):
        package = packages[tag]
        assert _number(package["Quantity"]) == weight
        assert package["UnitOfMeasureName"] == unit
        assert harvest_name in package["SourceHarvestNames"]
    available = {t["Label"] for t in grow.call("GET", "/tags/v2/package/available")}
    assert set(package_tags[:3]).isdisjoint(available)
    assert package_tags[3] in available

    # Drawing more than the harvest holds is refused; the harvest and the tag are untouched.
    errors = grow.refused(
        "packages",
        [
            {
                "Tag": package_tags[3],
                "Location": room,
                "Item": items["Grams"],
                "UnitOfWeight": "Grams",
                "ActualDate": grow.day,
                "Ingredients": [
                    {"HarvestId": harvest["Id"], "Weight": 10_000, "UnitOfWeight": "Grams"}
                ],
            }
        ],
    )
    assert errors[0]["row"] == 0
    (unchanged,) = [h for h in grow.read("/harvests/{v}/active") if h["Name"] == harvest_name]
    assert unchanged["CurrentWeight"] == harvest["CurrentWeight"]
    assert package_tags[3] in {t["Label"] for t in grow.call("GET", "/tags/v2/package/available")}

    # 7. Finish the harvest: it leaves the active list for the inactive one.
    grow.write("finish", [{"Id": harvest["Id"], "ActualDate": grow.day}])
    assert harvest_name not in {h["Name"] for h in grow.read("/harvests/{v}/active")}
    (finished,) = [h for h in grow.read("/harvests/{v}/inactive") if h["Name"] == harvest_name]
    assert finished["FinishedDate"] is not None
    assert _number(finished["CurrentWeight"]) == _number(harvest["CurrentWeight"])
