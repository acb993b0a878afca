"""GET /facilities/v1 and /v2: the facilities the calling user is employed at, shaped as Metrc's."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger
from tests.statements import counted_statements

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@pytest.fixture(scope="module")
def v2_example(shared_dir: Path) -> dict[str, Any]:
    examples = json.loads((shared_dir / "spec" / "metrc" / "v2-examples.json").read_text())
    first: dict[str, Any] = examples["GET /facilities/v2"]["response_example"][0]
    return first


def doc_example(shared_dir: Path, heading: str) -> Any:
    """The example response printed under `heading` in the Metrc doc pages."""
    text = (shared_dir / "spec" / "metrc" / "docs-ca.txt").read_text()
    start = text.index("#### Example Response", text.index(heading))
    body = text[start + len("#### Example Response") :]
    return json.loads(body[: body.index("```")])


@pytest.fixture(scope="module")
def v1_example(shared_dir: Path) -> dict[str, Any]:
    first: dict[str, Any] = doc_example(shared_dir, "### GET /facilities/v1/")[0]
    return first


def get_facilities(client: TestClient, headers: dict[str, str], version: str) -> list[Any]:
    response = client.get(f"/facilities/{version}/", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert isinstance(body, list), "facilities answer a bare array, not an envelope"
    return body


def test_v2_items_have_exactly_the_example_keys(
    client: TestClient, demo: DemoAccess, v2_example: dict[str, Any]
) -> None:
    items = get_facilities(client, demo.headers, "v2")
    assert len(items) >= 5
    for item in items:
        assert set(item) == set(v2_example)
        assert set(item["FacilityType"]) == set(v2_example["FacilityType"])
        assert set(item["License"]) == set(v2_example["License"])
        # Same order as the example too, which makes a diff against Metrc readable.
        assert list(item) == list(v2_example)
        assert list(item["FacilityType"]) == list(v2_example["FacilityType"])


def test_v1_items_have_exactly_the_v1_doc_keys(
    client: TestClient, demo: DemoAccess, v1_example: dict[str, Any], v2_example: dict[str, Any]
) -> None:
    items = get_facilities(client, demo.headers, "v1")
    assert len(items) >= 5
    for item in items:
        assert set(item) == set(v1_example)
        assert set(item["FacilityType"]) == set(v1_example["FacilityType"])
        assert set(item["License"]) == set(v1_example["License"])
    # The v1 page is the v2 shape minus a few later additions.
    assert set(v1_example) < set(v2_example)


def test_values_come_from_the_facility_and_the_employment(
    client: TestClient, ledger: Ledger
) -> None:
    grow = ledger.facility("Cultivator")
    shop = ledger.facility("Dispensary")
    headers = ledger.user({grow.license_number: [], shop.license_number: ["View Packages"]})
    by_license = {item["License"]["Number"]: item for item in get_facilities(client, headers, "v2")}
    assert set(by_license) == {grow.license_number, shop.license_number}

    item = by_license[grow.license_number]
    assert item["FacilityId"] == grow.id
    assert item["Name"] == grow.name
    assert item["DisplayName"] == grow.alias
    assert item["License"]["LicenseType"] == "Cultivator"
    assert item["License"]["EndDate"] is None
    assert item["IsOwner"] is False and item["IsManager"] is False
    assert item["Occupations"] == []
    for key in ("HireDate", "CredentialedDate"):
        assert DATE.match(item[key]), item[key]
    assert DATE.match(item["License"]["StartDate"])

    grow_type, shop_type = item["FacilityType"], by_license[shop.license_number]["FacilityType"]
    assert grow_type["CanGrowPlants"] is True and grow_type["CanSellToConsumers"] is False
    assert shop_type["CanGrowPlants"] is False and shop_type["CanSellToConsumers"] is True
    # Settings the facility does not set are null; flags are always true or false.
    assert grow_type["RestrictHarvestPlantRestoreTimeHours"] is None
    assert all(isinstance(value, bool) for key, value in grow_type.items() if key.startswith("Can"))


def test_a_user_sees_only_the_facilities_they_work_at(client: TestClient, ledger: Ledger) -> None:
    facilities = [
        ledger.facility(kind)
        for kind in ("Cultivator", "Manufacturer", "Dispensary", "Testing Lab", "Distributor")
    ]
    employed = [facilities[1].license_number, facilities[3].license_number]
    headers = ledger.user({license_number: [] for license_number in employed})
    for version in ("v1", "v2"):
        items = get_facilities(client, headers, version)
        assert sorted(item["License"]["Number"] for item in items) == sorted(employed)
        assert {item["FacilityId"] for item in items} == {facilities[1].id, facilities[3].id}


def test_employee_licence_number_is_the_callers(client: TestClient, demo: DemoAccess) -> None:
    items = get_facilities(client, demo.headers, "v2")
    assert {item["License"]["EmployeeLicenseNumber"] for item in items} == {"DEMO-EMP-0001"}
    demo_licenses = set(demo.licenses.values())
    assert demo_licenses <= {item["License"]["Number"] for item in items}
    assert all(
        item["IsOwner"] and item["IsManager"]
        for item in items
        if item["License"]["Number"] in demo_licenses
    )


def test_needs_no_licence_number_but_needs_keys(client: TestClient, demo: DemoAccess) -> None:
    assert client.get("/facilities/v2/").status_code == 401
    assert client.get("/facilities/v1").status_code == 401
    bad = {"Authorization": "Basic bm90OmtleXM="}  # "not:keys"
    response = client.get("/facilities/v2/", headers=bad)
    assert response.status_code == 401
    assert "Message" in response.json()


def test_the_list_costs_the_same_statements_however_many_facilities(
    client: TestClient, ledger: Ledger, store: Store
) -> None:
    def statements(count: int) -> tuple[int, int]:
        headers = ledger.user({ledger.facility().license_number: [] for _ in range(count)})
        get_facilities(client, headers, "v2")  # the credentials are remembered before counting
        with counted_statements(store.engine) as seen:
            listed = get_facilities(client, headers, "v2")
        return len(listed), len(seen)

    one, three = statements(1), statements(3)
    assert (one[0], three[0]) == (1, 3)
    assert one[1] == three[1]
