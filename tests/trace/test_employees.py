"""Trace employees: the people employed at the facility, hiring, and the same employees through
Metrc."""

from __future__ import annotations

from typing import Any

import pytest

from leafledger.store import Store
from tests.conftest import unique
from tests.trace.conftest import MetrcCalls, TraceClient, assert_fixed_page_cost


def _sample(number: str, **more: Any) -> dict[str, Any]:
    """The create-employee sample, with an employee licence number of its own."""
    return {
        "name": {"first_name": "Judau", "last_name": "Ashita"},
        "email_address": "jashita@greencheckverified.com",
        "phone_number": "408-123-4567",
        "type": {"id": "COEMPT0002"},
        "occupational_licenses": [{"type": "agent", "number": number, "issuing_state": "co"}],
        "credentials": [
            {"username": "jdoe@kmpl.com", "password": "secret", "software_name": "metrc"}
        ],
        "birthday": "2000-01-03T00:00:00Z",
        "hire_date": "2019-01-03T00:00:00Z",
        **more,
    }


@pytest.fixture
def employees(fresh: TraceClient) -> TraceClient:
    return fresh.at("config/employees")


def test_types(employees: TraceClient) -> None:
    response = employees.client.get(
        "/co/v1/config/employees/types", headers=employees.access.headers
    )
    assert response.json()["results"]["data"] == [
        {"id": "COEMPT0001", "name": "employee"},
        {"id": "COEMPT0002", "name": "manager"},
        {"id": "COEMPT0003", "name": "owner"},
    ]


def test_hire_as_the_sample_and_read_through_metrc(
    employees: TraceClient, metrc: MetrcCalls
) -> None:
    number = unique("EMP")
    response = employees.send("POST", "", _sample(number))
    assert response.status_code == 200, response.text
    [warning] = response.json()["warnings"]
    for unkept in ("email_address", "phone_number", "birthday", "credentials"):
        assert unkept in warning["detail"]
    employee = response.json()["results"]["data"]
    assert employee["name"] == {"first_name": "Judau", "last_name": "Ashita"}
    assert employee["type"] == {"id": "COEMPT0002", "name": "manager"}
    assert employee["occupational_licenses"] == [
        {"type": "Cultivator", "number": number, "issuing_state": "co"}
    ]
    assert employee["hire_date"] == "2019-01-03T00:00:00Z"
    assert employee["credentials"] == [] and employee["email_address"] is None
    assert employee["facilities"][0]["license"]["license_number"] == employees.license_number
    assert [h["reason"] for h in employee["entity_state"]] == ["employee created"]
    assert employees.data("GET", f"/{employee['id']}") == employee
    [seen] = [e for e in metrc.listed("/employees/v2/") if e["License"]["Number"] == number]
    assert (seen["FullName"], seen["IsManager"], seen["IsOwner"]) == ("Judau Ashita", True, False)
    assert seen["License"]["StartDate"] == "2019-01-03"
    listed = employees.data("GET")
    assert {e["name"]["last_name"] for e in listed} == {"Ashita", "User"}  # and the demo user
    assert employees.get("", entity_state="inactive").json()["results"]["data"] == []


def test_the_hired_person_holds_no_permission(employees: TraceClient, metrc: MetrcCalls) -> None:
    number = unique("EMP")
    employees.data("POST", body=_sample(number, permission_groups=[]))
    permissions = metrc.call("GET", "/employees/v2/permissions", employeeLicenseNumber=number)
    assert permissions == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"permission_groups": [{"id": "1"}]}, "permission_groups"),
        ({"facilities": [{"id": "999999"}]}, "facilities"),
        ({"hire_date": "2999-01-01T00:00:00Z"}, "hire_date"),
        ({"occupational_licenses": []}, "occupational_licenses[0].number"),
        ({"type": {"id": "COEMPT0009"}}, "type"),
        ({"name": {"first_name": " "}}, "name"),
    ],
)
def test_refused_hires_change_nothing(
    employees: TraceClient, change: dict[str, Any], field: str
) -> None:
    before = employees.data("GET")
    detail = employees.refused("POST", "", _sample(unique("EMP"), **change))
    assert detail.startswith(field), detail
    assert employees.data("GET") == before


def test_an_employee_licence_number_is_registered_once(employees: TraceClient) -> None:
    number = unique("EMP")
    employees.data("POST", body=_sample(number))
    detail = employees.refused("POST", "", _sample(number))
    assert detail.startswith("occupational_licenses[0].number") and number in detail


def test_the_facility_named_must_be_the_licence_s(employees: TraceClient, store: Store) -> None:
    from leafledger.domain.services.facilities import get_facility

    with store.transaction() as session:
        facility_id = get_facility(session, employees.license_number).id
    hired = employees.data(
        "POST", body=_sample(unique("EMP"), facilities=[{"id": str(facility_id)}])
    )
    assert hired["facilities"][0]["id"] == str(facility_id)


def test_a_page_costs_the_same_statements_at_any_size(employees: TraceClient, store: Store) -> None:
    for _ in range(2):
        employees.data("POST", body=_sample(unique("EMP")))
    assert_fixed_page_cost(employees, store)
