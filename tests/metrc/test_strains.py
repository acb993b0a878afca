"""Strains through the Metrc dialect, v2 and v1: shapes, rules, scoping, archiving, audit."""

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

from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import AuditEvent, Item, Strain
from leafledger.domain.services import lookups
from leafledger.domain.services.facilities import get_facility
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger, unique
from tests.statements import page_statements


@pytest.fixture()
def licence(ledger: Ledger) -> str:
    """A fresh cultivator the demo user may act for, so every list starts empty."""
    number = ledger.facility("Cultivator").license_number
    ledger.grant_demo_user(number)
    return number


def example_keys(shared_dir: Path, key: str) -> set[str]:
    examples = json.loads((shared_dir / "spec/metrc/v2-examples.json").read_text())
    example = examples[key]["response_example"]
    if isinstance(example, dict) and "Data" in example:
        example = example["Data"][0]
    return set(example)


def post(
    client: TestClient, demo: DemoAccess, licence: str, path: str, body: Any
) -> httpx.Response:
    return client.post(path, params={"licenseNumber": licence}, headers=demo.headers, json=body)


def get(
    client: TestClient, demo: DemoAccess, licence: str, path: str, **params: str
) -> httpx.Response:
    return client.get(path, params={"licenseNumber": licence, **params}, headers=demo.headers)


def make(client: TestClient, demo: DemoAccess, licence: str, *bodies: dict[str, Any]) -> list[int]:
    response = post(client, demo, licence, "/strains/v2/", list(bodies))
    assert response.status_code == 200, response.text
    ids: list[int] = response.json()["Ids"]
    return ids


def test_create_answers_ids_in_order_and_renders_the_example_keys(
    client: TestClient, demo: DemoAccess, licence: str, shared_dir: Path
) -> None:
    ids = make(
        client,
        demo,
        licence,
        {
            "Name": "Spring Hill Kush",
            "TestingStatus": "None",
            "ThcLevel": 0.1865,
            "CbdLevel": 0.1075,
            "IndicaPercentage": 25.0,
            "SativaPercentage": 75.0,
        },
        {"Name": "TN Orange Dream", "TestingStatus": "ThirdParty", "IndicaPercentage": 60},
    )
    assert len(ids) == 2 and ids[0] < ids[1]
    one = get(client, demo, licence, f"/strains/v2/{ids[0]}")
    assert one.status_code == 200
    body = one.json()
    assert set(body) == example_keys(shared_dir, "GET /strains/v2/{id}")
    assert body["Name"] == "Spring Hill Kush"
    assert body["TestingStatus"] == "None"
    assert Decimal(str(body["ThcLevel"])) == Decimal("0.1865")
    assert body["IndicaPercentage"] == 25 and body["SativaPercentage"] == 75
    assert body["Genetics"] == "25% Indica / 75% Sativa"
    assert body["IsUsed"] is False

    listed = get(client, demo, licence, "/strains/v2/active", pageNumber="1", pageSize="1")
    assert listed.status_code == 200
    envelope = listed.json()
    assert envelope["Total"] == 2 and envelope["TotalPages"] == 2
    assert [s["Id"] for s in envelope["Data"]] == [ids[0]]
    assert set(envelope["Data"][0]) == example_keys(shared_dir, "GET /strains/v2/active")
    second = get(client, demo, licence, "/strains/v2/active", pageNumber="2", pageSize="1")
    assert [s["Name"] for s in second.json()["Data"]] == ["TN Orange Dream"]
    assert second.json()["Data"][0]["Genetics"] is None  # sativa unknown


def test_v1_twins_create_update_list_get_and_delete(
    client: TestClient, demo: DemoAccess, licence: str
) -> None:
    created = post(client, demo, licence, "/strains/v1/create", [{"Name": "V1 Kush"}])
    assert created.status_code == 200 and created.content == b""
    listed = get(client, demo, licence, "/strains/v1/active")
    assert isinstance(listed.json(), list)
    (strain,) = listed.json()
    assert strain["Name"] == "V1 Kush" and strain["TestingStatus"] == "None"
    updated = post(
        client,
        demo,
        licence,
        "/strains/v1/update",
        [{"Id": strain["Id"], "Name": "V1 Kush Renamed", "TestingStatus": "InHouse"}],
    )
    assert updated.status_code == 200 and updated.content == b""
    fetched = get(client, demo, licence, f"/strains/v1/{strain['Id']}").json()
    assert fetched["Name"] == "V1 Kush Renamed" and fetched["TestingStatus"] == "InHouse"
    deleted = client.delete(
        f"/strains/v1/{strain['Id']}", params={"licenseNumber": licence}, headers=demo.headers
    )
    assert deleted.status_code == 200 and deleted.content == b""
    assert get(client, demo, licence, "/strains/v1/active").json() == []


def test_update_v2_answers_ids_and_changes_the_strain(
    client: TestClient, demo: DemoAccess, licence: str
) -> None:
    (strain_id,) = make(client, demo, licence, {"Name": "Before"})
    response = client.put(
        "/strains/v2/",
        params={"licenseNumber": licence},
        headers=demo.headers,
        json=[{"Id": strain_id, "Name": "After", "IndicaPercentage": 50, "SativaPercentage": 50}],
    )
    assert response.status_code == 200
    assert response.json() == {"Ids": [strain_id], "Warnings": None}
    body = get(client, demo, licence, f"/strains/v2/{strain_id}").json()
    assert body["Name"] == "After" and body["Genetics"] == "50% Indica / 50% Sativa"


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ({"Name": ""}, "name is required"),
        ({"Name": "X", "TestingStatus": "Lab"}, "TestingStatus"),
        ({"Name": "X", "ThcLevel": 101}, "ThcLevel"),
        ({"Name": "X", "CbdLevel": -1}, "CbdLevel"),
        ({"Name": "X", "IndicaPercentage": 100.5}, "IndicaPercentage"),
        ({"Name": "X", "SativaPercentage": -0.1}, "SativaPercentage"),
        ({"Name": "X", "IndicaPercentage": 60, "SativaPercentage": 41}, "at most 100"),
        ({"Name": "X", "ThcLevel": "lots"}, "ThcLevel"),
        ({"Name": "N" * 201}, "at most 200 characters"),
    ],
)
def test_rule_violations_answer_400_naming_the_row(
    client: TestClient, demo: DemoAccess, licence: str, bad: dict[str, Any], words: str
) -> None:
    response = post(client, demo, licence, "/strains/v2/", [{"Name": "Fine"}, bad])
    assert response.status_code == 400
    (error,) = response.json()
    assert error["row"] == 1 and words in error["message"]
    # All or nothing: the valid first object was not kept either.
    assert get(client, demo, licence, "/strains/v2/active").json()["Total"] == 0


def test_names_are_unique_among_active_strains_only(
    client: TestClient, demo: DemoAccess, licence: str
) -> None:
    (first,) = make(client, demo, licence, {"Name": "Twin"})
    again = post(client, demo, licence, "/strains/v2/", [{"Name": "Twin"}])
    assert again.status_code == 400 and "already exists" in again.json()[0]["message"]
    within = post(client, demo, licence, "/strains/v2/", [{"Name": "Pair"}, {"Name": "Pair"}])
    assert within.status_code == 400 and within.json()[0]["row"] == 1
    (other,) = make(client, demo, licence, {"Name": "Other"})
    clash = client.put(
        "/strains/v2/",
        params={"licenseNumber": licence},
        headers=demo.headers,
        json=[{"Id": other, "Name": "Twin"}],
    )
    assert clash.status_code == 400 and "already exists" in clash.json()[0]["message"]
    archived = client.delete(
        f"/strains/v2/{first}", params={"licenseNumber": licence}, headers=demo.headers
    )
    assert archived.status_code == 200 and archived.json() == {"Ids": [first], "Warnings": None}
    assert make(client, demo, licence, {"Name": "Twin"})  # the name is free again
    inactive = get(client, demo, licence, "/strains/v2/inactive").json()
    assert [s["Id"] for s in inactive["Data"]] == [first]


def test_archived_strain_cannot_be_used_changed_or_archived_again(
    client: TestClient, demo: DemoAccess, licence: str, store: Store
) -> None:
    (strain_id,) = make(client, demo, licence, {"Name": "Gone"})
    params = {"licenseNumber": licence}
    assert client.delete(f"/strains/v2/{strain_id}", params=params, headers=demo.headers).is_success
    again = client.delete(f"/strains/v2/{strain_id}", params=params, headers=demo.headers)
    assert again.status_code == 400 and "already archived" in again.json()["Message"]
    change = client.put(
        "/strains/v2/", params=params, headers=demo.headers, json=[{"Id": strain_id, "Name": "X"}]
    )
    assert change.status_code == 400 and "archived" in change.json()[0]["message"]
    with store.read() as session:
        strain = session.get(Strain, strain_id)
        assert strain is not None and strain.active is False
        with pytest.raises(RuleViolation, match="archived"):
            lookups.strain_named(session, get_facility(session, licence), "Gone")


def test_foreign_strain_answers_401_and_missing_404(
    client: TestClient, demo: DemoAccess, licence: str, ledger: Ledger
) -> None:
    (strain_id,) = make(client, demo, licence, {"Name": "Mine"})
    other = ledger.facility("Cultivator").license_number
    ledger.grant_demo_user(other)
    foreign = get(client, demo, other, f"/strains/v2/{strain_id}")
    assert foreign.status_code == 401
    assert get(client, demo, other, f"/strains/v1/{strain_id}").status_code == 401
    update = client.put(
        "/strains/v2/",
        params={"licenseNumber": other},
        headers=demo.headers,
        json=[{"Id": strain_id, "Name": "Stolen"}],
    )
    assert update.status_code == 401
    delete = client.delete(
        f"/strains/v2/{strain_id}", params={"licenseNumber": other}, headers=demo.headers
    )
    assert delete.status_code == 401
    assert get(client, demo, other, "/strains/v2/active").json()["Total"] == 0
    assert get(client, demo, licence, "/strains/v2/999999999").status_code == 404
    assert get(client, demo, licence, f"/strains/v2/{'9' * 25}").status_code == 404


def test_is_used_once_an_item_refers_to_the_strain(
    client: TestClient, demo: DemoAccess, licence: str, store: Store
) -> None:
    (strain_id,) = make(client, demo, licence, {"Name": "Used"})
    with store.transaction() as session:
        facility = get_facility(session, licence)
        session.add(
            Item(
                facility_id=facility.id,
                name=unique("Buds"),
                category_name="Buds",
                quantity_type="WeightBased",
                unit_of_measure_name="Grams",
                strain_id=strain_id,
                details={},
            )
        )
    assert get(client, demo, licence, f"/strains/v2/{strain_id}").json()["IsUsed"] is True


def test_last_modified_window_filters_the_active_list(
    client: TestClient, demo: DemoAccess, licence: str
) -> None:
    make(client, demo, licence, {"Name": "Windowed"})
    now = datetime.now(UTC)
    inside = {
        "lastModifiedStart": (now - timedelta(hours=1)).isoformat(),
        "lastModifiedEnd": (now + timedelta(hours=1)).isoformat(),
    }
    before = {
        "lastModifiedStart": (now - timedelta(days=3)).isoformat(),
        "lastModifiedEnd": (now - timedelta(days=2)).isoformat(),
    }
    assert get(client, demo, licence, "/strains/v2/active", **inside).json()["Total"] == 1
    assert get(client, demo, licence, "/strains/v2/active", **before).json()["Total"] == 0
    assert len(get(client, demo, licence, "/strains/v1/active", **inside).json()) == 1
    assert get(client, demo, licence, "/strains/v1/active", **before).json() == []


def test_every_change_is_audited(
    client: TestClient, demo: DemoAccess, licence: str, store: Store
) -> None:
    (strain_id,) = make(client, demo, licence, {"Name": "Audited"})
    params = {"licenseNumber": licence}
    client.put(
        "/strains/v2/", params=params, headers=demo.headers, json=[{"Id": strain_id, "Name": "A2"}]
    )
    client.delete(f"/strains/v2/{strain_id}", params=params, headers=demo.headers)
    with store.read() as session:
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "strains", AuditEvent.entity_id == strain_id)
            .order_by(AuditEvent.id)
        ).all()
    assert [e.action for e in events] == ["create", "update", "archive"]
    assert events[1].before is not None and events[1].before["name"] == "Audited"
    assert events[1].after is not None and events[1].after["name"] == "A2"
    assert events[2].after is not None and events[2].after["active"] is False
    assert all(e.channel == "metrc" for e in events)


def test_a_page_of_strains_costs_the_same_statements_at_any_size(
    client: TestClient, demo: DemoAccess, licence: str, store: Store
) -> None:
    ids = make(client, demo, licence, *({"Name": unique("Page")} for _ in range(3)))
    with store.transaction() as session:  # one strain in use, so IsUsed is read for real
        facility = get_facility(session, licence)
        session.add(
            Item(
                facility_id=facility.id,
                name=unique("Buds"),
                category_name="Buds",
                quantity_type="WeightBased",
                unit_of_measure_name="Grams",
                strain_id=ids[1],
                details={},
            )
        )
    found = page_statements(
        client, store.engine, "/strains/v2/active", demo.headers, {"licenseNumber": licence},
        sizes=(1, 3),
    )  # fmt: skip
    assert [records for records, _ in found.values()] == [1, 3]
    assert found[1][1] == found[3][1]
