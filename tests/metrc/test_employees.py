"""GET /employees/v1, /employees/v2 and /employees/v2/permissions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from leafledger.domain.actor import CLI
from leafledger.domain.services.facilities import get_facility
from leafledger.domain.services.identity import create_user, employ
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger, basic_auth, unique
from tests.statements import page_statements

MANAGE = "Manage Employees"
VIEW = "View Employees"


@dataclass(frozen=True)
class Person:
    full_name: str
    employee_license: str
    headers: dict[str, str]


def hire(
    store: Store, demo: DemoAccess, grants: dict[str, list[str]], *, name: str | None = None
) -> Person:
    """A new user with a known name and licence, employed at each facility of `grants`."""
    full_name = name or unique("Employee")
    with store.transaction() as session:
        issued = create_user(session, CLI, full_name, unique("EMP"))
        for license_number, permissions in grants.items():
            employ(session, CLI, issued.holder, get_facility(session, license_number), permissions)
        license_number = issued.holder.employee_license_number
    return Person(full_name, license_number, basic_auth(demo.vendor_key, issued.key))


@pytest.fixture(scope="module")
def v2_example(shared_dir: Path) -> dict[str, Any]:
    examples = json.loads((shared_dir / "spec" / "metrc" / "v2-examples.json").read_text())
    example: dict[str, Any] = examples["GET /employees/v2"]["response_example"]
    return example


@dataclass(frozen=True)
class Staff:
    license_number: str
    manager: Person
    others: list[Person]

    @property
    def everyone(self) -> list[Person]:
        return [self.manager, *self.others]


@pytest.fixture(scope="module")
def staff(store: Store, demo: DemoAccess, ledger: Ledger) -> Staff:
    """A facility with a manager and four more employees; one more user works elsewhere."""
    license_number = ledger.facility("Dispensary").license_number
    manager = hire(store, demo, {license_number: [MANAGE, VIEW, "View Packages"]})
    others = [hire(store, demo, {license_number: ["View Packages"]}) for _ in range(3)]
    others.append(hire(store, demo, {license_number: [VIEW]}))
    elsewhere = ledger.facility("Cultivator").license_number
    hire(store, demo, {elsewhere: [MANAGE, VIEW]})
    return Staff(license_number, manager, others)


def test_v2_shape_matches_the_example(
    client: TestClient, staff: Staff, v2_example: dict[str, Any]
) -> None:
    response = client.get(
        "/employees/v2/",
        params={"licenseNumber": staff.license_number},
        headers=staff.manager.headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == set(v2_example)
    sample = v2_example["Data"][0]
    for item in body["Data"]:
        assert set(item) == set(sample)
        assert set(item["License"]) == set(sample["License"])


def test_v2_lists_the_users_employed_at_the_facility(client: TestClient, staff: Staff) -> None:
    response = client.get(
        "/employees/v2/",
        params={"licenseNumber": staff.license_number},
        headers=staff.manager.headers,
    )
    body = response.json()
    assert body["Total"] == len(staff.everyone)
    assert sorted(item["FullName"] for item in body["Data"]) == sorted(
        p.full_name for p in staff.everyone
    )
    by_name = {item["FullName"]: item for item in body["Data"]}
    manager = by_name[staff.manager.full_name]
    assert manager["License"]["Number"] == staff.manager.employee_license
    assert manager["License"]["EmployeeLicenseNumber"] == staff.manager.employee_license
    assert manager["License"]["LicenseType"] == "Dispensary"
    assert manager["IsIndustryAdmin"] is False


def test_v1_is_a_bare_array_of_the_same_employees(client: TestClient, staff: Staff) -> None:
    response = client.get(
        "/employees/v1/",
        params={"licenseNumber": staff.license_number},
        headers=staff.manager.headers,
    )
    assert response.status_code == 200, response.text
    items = response.json()
    assert isinstance(items, list)
    assert sorted(item["FullName"] for item in items) == sorted(p.full_name for p in staff.everyone)


def test_v2_pages(client: TestClient, staff: Staff) -> None:
    seen: list[str] = []
    for number, expected in ((1, 2), (2, 2), (3, 1)):
        response = client.get(
            "/employees/v2/",
            params={"licenseNumber": staff.license_number, "pageNumber": number, "pageSize": 2},
            headers=staff.manager.headers,
        )
        body = response.json()
        assert body["RecordsOnPage"] == expected == len(body["Data"])
        assert (body["Page"], body["CurrentPage"], body["PageSize"]) == (number, number, 2)
        assert (body["Total"], body["TotalRecords"], body["TotalPages"]) == (5, 5, 3)
        seen += [item["FullName"] for item in body["Data"]]
    assert sorted(seen) == sorted(p.full_name for p in staff.everyone)
    unpaged = client.get(
        "/employees/v2/",
        params={"licenseNumber": staff.license_number},
        headers=staff.manager.headers,
    ).json()
    assert unpaged["RecordsOnPage"] == 5
    assert seen == [item["FullName"] for item in unpaged["Data"]], "pages keep one order"

    beyond = client.get(
        "/employees/v2/",
        params={"licenseNumber": staff.license_number, "pageNumber": 4, "pageSize": 2},
        headers=staff.manager.headers,
    ).json()
    assert beyond["Data"] == [] and beyond["Total"] == 5
    too_big = client.get(
        "/employees/v2/",
        params={"licenseNumber": staff.license_number, "pageSize": 21},
        headers=staff.manager.headers,
    )
    assert too_big.status_code == 400


def test_lists_need_manage_employees(client: TestClient, staff: Staff) -> None:
    viewer = staff.others[-1]  # holds View Employees but not Manage Employees
    for path in ("/employees/v2/", "/employees/v1/", "/employees/v2/permissions"):
        response = client.get(
            path,
            params={
                "licenseNumber": staff.license_number,
                "employeeLicenseNumber": viewer.employee_license,
            },
            headers=viewer.headers,
        )
        assert response.status_code == 403, path
        assert MANAGE in response.json()["Message"]


def test_lists_are_scoped_to_the_callers_facilities(
    client: TestClient, staff: Staff, ledger: Ledger
) -> None:
    other = ledger.facility("Cultivator").license_number
    response = client.get(
        "/employees/v2/", params={"licenseNumber": other}, headers=staff.manager.headers
    )
    assert response.status_code == 401


def test_permissions_of_an_employee(client: TestClient, staff: Staff) -> None:
    response = client.get(
        "/employees/v2/permissions",
        params={
            "licenseNumber": staff.license_number,
            "employeeLicenseNumber": staff.manager.employee_license,
        },
        headers=staff.manager.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json() == ["manage employees", "view employees", "view packages"]

    colleague = staff.others[0]
    response = client.get(
        "/employees/v2/permissions",
        params={
            "licenseNumber": staff.license_number,
            "employeeLicenseNumber": colleague.employee_license,
        },
        headers=staff.manager.headers,
    )
    assert response.json() == ["view packages"]


def test_permissions_of_an_unknown_or_missing_employee(
    client: TestClient, staff: Staff, store: Store, demo: DemoAccess, ledger: Ledger
) -> None:
    base = {"licenseNumber": staff.license_number}
    unknown = client.get(
        "/employees/v2/permissions",
        params={**base, "employeeLicenseNumber": "NO-SUCH-EMPLOYEE"},
        headers=staff.manager.headers,
    )
    assert unknown.status_code == 404
    assert "NO-SUCH-EMPLOYEE" in unknown.json()["Message"]

    # A real user, but employed at another facility: not an employee here.
    outsider = hire(store, demo, {ledger.facility().license_number: [VIEW]})
    elsewhere = client.get(
        "/employees/v2/permissions",
        params={**base, "employeeLicenseNumber": outsider.employee_license},
        headers=staff.manager.headers,
    )
    assert elsewhere.status_code == 404

    missing = client.get("/employees/v2/permissions", params=base, headers=staff.manager.headers)
    assert missing.status_code == 400
    assert "employeeLicenseNumber" in missing.json()["Message"]


def test_a_page_of_employees_costs_the_same_statements_at_any_size(
    client: TestClient, staff: Staff, store: Store
) -> None:
    found = page_statements(
        client, store.engine, "/employees/v2/", staff.manager.headers,
        {"licenseNumber": staff.license_number}, sizes=(1, 3),
    )  # fmt: skip
    assert [records for records, _ in found.values()] == [1, 3]
    assert found[1][1] == found[3][1]
