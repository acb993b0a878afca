"""Additive templates through the Metrc dialect (v2 only; Metrc has no v1 twin)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from leafledger.domain.actor import CLI
from leafledger.domain.models import AdditivesTemplate, AuditEvent
from leafledger.domain.services.additives import archive_template
from leafledger.domain.services.facilities import get_facility
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger
from tests.statements import page_statements

TEMPLATE = {
    "Name": "Additive 1",
    "AdditiveType": "Fertilizer",
    "ApplicationDevice": "Sprayer",
    "EpaRegistrationNumber": "123456",
    "Note": "This is a note",
    "ProductSupplier": "Supplier",
    "ProductTradeName": "Trade Name",
    "RestrictiveEntryIntervalQuantityDescription": "1",
    "RestrictiveEntryIntervalTimeDescription": "1 day",
    "ActiveIngredients": [
        {"Name": "Nitrogen", "Percentage": 1.1},
        {"Name": "Potash", "Percentage": 1.2},
    ],
}


@pytest.fixture()
def licence(ledger: Ledger) -> str:
    number = ledger.facility("Cultivator").license_number
    ledger.grant_demo_user(number)
    return number


@pytest.fixture()
def send(client: TestClient, demo: DemoAccess, licence: str) -> Any:
    def send(method: str, path: str, body: Any = None, **params: str) -> httpx.Response:
        return client.request(
            method,
            path,
            params={"licenseNumber": licence, **params},
            headers=demo.headers,
            json=body,
        )

    return send


def example_keys(shared_dir: Path, key: str) -> set[str]:
    examples = json.loads((shared_dir / "spec/metrc/v2-examples.json").read_text())
    example = examples[key]["response_example"]
    if isinstance(example, dict) and "Data" in example:
        example = example["Data"][0]
    if isinstance(example, list):
        example = example[0]
    return set(example)


def test_create_get_and_list_with_the_example_keys(send: Any, shared_dir: Path) -> None:
    second = {**TEMPLATE, "Name": "Additive 2", "AdditiveType": "pesticide"}
    response = send("POST", "/additivestemplates/v2/", [TEMPLATE, second])
    assert response.status_code == 200, response.text
    ids = response.json()["Ids"]
    assert len(ids) == 2 and ids[0] < ids[1] and response.json()["Warnings"] is None
    one = send("GET", f"/additivestemplates/v2/{ids[0]}").json()
    assert set(one) == example_keys(shared_dir, "GET /additivestemplates/v2/{id}")
    assert one["Name"] == "Additive 1" and one["AdditiveType"] == "Fertilizer"
    assert one["RestrictiveEntryIntervalTimeDescription"] == "1 day"
    assert [(i["Name"], Decimal(str(i["Percentage"]))) for i in one["ActiveIngredients"]] == [
        ("Nitrogen", Decimal("1.1")),
        ("Potash", Decimal("1.2")),
    ]
    assert one["IsActive"] is True and one["LastModified"]
    listed = send("GET", "/additivestemplates/v2/active", pageNumber="1", pageSize="20").json()
    assert [t["Id"] for t in listed["Data"]] == ids
    assert listed["Data"][1]["AdditiveType"] == "Pesticide"  # the list's own spelling
    assert set(listed["Data"][0]) == example_keys(shared_dir, "GET /additivestemplates/v2/active")


def test_update_answers_ids_and_changes_the_template(send: Any) -> None:
    (template_id,) = send("POST", "/additivestemplates/v2/", [TEMPLATE]).json()["Ids"]
    changed = {**TEMPLATE, "Id": template_id, "AdditiveType": "Other", "ActiveIngredients": []}
    response = send("PUT", "/additivestemplates/v2/", [changed])
    assert response.json() == {"Ids": [template_id], "Warnings": None}
    body = send("GET", f"/additivestemplates/v2/{template_id}").json()
    assert body["AdditiveType"] == "Other" and body["ActiveIngredients"] == []


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"AdditiveType": "Magic"}, "Unknown AdditiveType"),
        ({"AdditiveType": None}, "AdditiveType is required"),
        ({"Name": ""}, "name is required"),
        ({"ActiveIngredients": [{"Name": "N", "Percentage": 101}]}, "between 0 and 100"),
        ({"ActiveIngredients": [{"Name": "N", "Percentage": -1}]}, "between 0 and 100"),
        ({"ActiveIngredients": [{"Name": "", "Percentage": 1}]}, "Name is required"),
        ({"ActiveIngredients": [{"Name": "N"}]}, "Percentage is required"),
        (
            {
                "ActiveIngredients": [
                    {"Name": "A", "Percentage": 60},
                    {"Name": "B", "Percentage": 41},
                ]
            },
            "at most 100",
        ),
        ({"ActiveIngredients": "lots"}, "ActiveIngredients"),
        ({"Note": "n" * 1001}, "at most 1000 characters"),
    ],
)
def test_rules_answer_400_naming_the_row(send: Any, change: dict[str, Any], words: str) -> None:
    body = [{**TEMPLATE, "Name": "Fine"}, {**TEMPLATE, **change}]
    response = send("POST", "/additivestemplates/v2/", body)
    assert response.status_code == 400
    (error,) = response.json()
    assert error["row"] == 1 and words in error["message"]
    assert send("GET", "/additivestemplates/v2/active").json()["Total"] == 0


def test_names_unique_among_active_templates_and_inactive_list(
    send: Any, store: Store, licence: str
) -> None:
    (template_id,) = send("POST", "/additivestemplates/v2/", [TEMPLATE]).json()["Ids"]
    again = send("POST", "/additivestemplates/v2/", [TEMPLATE])
    assert again.status_code == 400 and "already exists" in again.json()[0]["message"]
    with store.transaction() as session:
        template = session.get(AdditivesTemplate, template_id)
        assert template is not None
        archive_template(session, CLI, get_facility(session, licence), template)
    inactive = send("GET", "/additivestemplates/v2/inactive").json()
    assert [t["Id"] for t in inactive["Data"]] == [template_id]
    assert inactive["Data"][0]["IsActive"] is False
    assert send("GET", "/additivestemplates/v2/active").json()["Total"] == 0
    archived = send("PUT", "/additivestemplates/v2/", [{**TEMPLATE, "Id": template_id}])
    assert archived.status_code == 400 and "archived" in archived.json()[0]["message"]
    assert send("POST", "/additivestemplates/v2/", [TEMPLATE]).status_code == 200


def test_foreign_template_answers_401(
    send: Any, client: TestClient, demo: DemoAccess, ledger: Ledger
) -> None:
    (template_id,) = send("POST", "/additivestemplates/v2/", [TEMPLATE]).json()["Ids"]
    other = ledger.facility("Cultivator").license_number
    ledger.grant_demo_user(other)
    params = {"licenseNumber": other}
    got = client.get(f"/additivestemplates/v2/{template_id}", params=params, headers=demo.headers)
    assert got.status_code == 401
    put = client.put(
        "/additivestemplates/v2/",
        params=params,
        headers=demo.headers,
        json=[{**TEMPLATE, "Id": template_id}],
    )
    assert put.status_code == 401
    listed = client.get("/additivestemplates/v2/active", params=params, headers=demo.headers)
    assert listed.json()["Total"] == 0
    assert send("GET", "/additivestemplates/v2/999999999").status_code == 404


def test_window_and_audit(send: Any, store: Store) -> None:
    (template_id,) = send("POST", "/additivestemplates/v2/", [TEMPLATE]).json()["Ids"]
    send("PUT", "/additivestemplates/v2/", [{**TEMPLATE, "Id": template_id, "Note": "n2"}])
    now = datetime.now(UTC)
    inside = {
        "lastModifiedStart": (now - timedelta(hours=1)).isoformat(),
        "lastModifiedEnd": (now + timedelta(hours=1)).isoformat(),
    }
    before = {
        "lastModifiedStart": (now - timedelta(days=2)).isoformat(),
        "lastModifiedEnd": (now - timedelta(days=1)).isoformat(),
    }
    assert send("GET", "/additivestemplates/v2/active", **inside).json()["Total"] == 1
    assert send("GET", "/additivestemplates/v2/active", **before).json()["Total"] == 0
    with store.read() as session:
        events = session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.entity_type == "additives_templates",
                AuditEvent.entity_id == template_id,
            )
            .order_by(AuditEvent.id)
        ).all()
    assert [e.action for e in events] == ["create", "update"]
    assert events[1].after is not None and events[1].after["note"] == "n2"


def test_a_page_of_templates_costs_the_same_statements_at_any_size(
    send: Any, client: TestClient, demo: DemoAccess, licence: str, store: Store
) -> None:
    body = [{**TEMPLATE, "Name": f"Template {n}"} for n in range(3)]
    assert send("POST", "/additivestemplates/v2/", body).status_code == 200
    found = page_statements(
        client, store.engine, "/additivestemplates/v2/active", demo.headers,
        {"licenseNumber": licence}, sizes=(1, 3),
    )  # fmt: skip
    assert [records for records, _ in found.values()] == [1, 3]
    assert found[1][1] == found[3][1]
