"""Sublocations through the Metrc dialect (v2 only)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from leafledger.domain.actor import CLI
from leafledger.domain.models import AuditEvent, Sublocation
from leafledger.domain.services.facilities import get_facility
from leafledger.domain.services.locations import NewLocation, create_location
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger, unique
from tests.domain.test_tags_locations import hold_plant
from tests.metrc.test_locations import Api


@pytest.fixture(scope="module")
def example_keys(shared_dir: Any) -> set[str]:
    examples = json.loads((shared_dir / "spec" / "metrc" / "v2-examples.json").read_text())
    keys = set(examples["GET /sublocations/v2/{id}"]["response_example"])
    assert keys == set(examples["GET /sublocations/v2/active"]["response_example"]["Data"][0])
    assert keys == set(examples["GET /sublocations/v2/inactive"]["response_example"]["Data"][0])
    return keys


@pytest.fixture()
def api(client: TestClient, demo: DemoAccess, ledger: Ledger) -> Api:
    facility = ledger.facility("Cultivator")
    ledger.grant_demo_user(facility.license_number)
    return Api(client, demo.headers, facility.license_number)


def create(api: Api, *names: str) -> list[int]:
    response = api.call("POST", "/sublocations/v2/", [{"Name": name} for name in names])
    assert response.status_code == 200, response.text
    assert response.json()["Warnings"] is None
    ids: list[int] = response.json()["Ids"]
    return ids


def listed(api: Api, state: str, **query: str) -> list[dict[str, Any]]:
    response = api.call("GET", f"/sublocations/v2/{state}", **query)
    assert response.status_code == 200, response.text
    return response.json()["Data"]  # type: ignore[no-any-return]


def test_create_get_and_list_with_the_example_keys(
    api: Api, example_keys: set[str], store: Store
) -> None:
    names = [unique("Room 1 Sublocation"), unique("Table 1 Sublocation")]
    ids = create(api, *names)
    assert len(ids) == 2 and ids[0] < ids[1]
    assert listed(api, "active") == [{"Id": i, "Name": n} for i, n in zip(ids, names, strict=True)]
    one = api.call("GET", f"/sublocations/v2/{ids[1]}")
    assert one.status_code == 200 and set(one.json()) == example_keys
    assert one.json() == {"Id": ids[1], "Name": names[1]}
    with store.read() as session:
        created = session.scalars(
            select(AuditEvent.entity_id).where(
                AuditEvent.entity_type == "sublocations", AuditEvent.action == "create"
            )
        ).all()
    assert set(ids) <= set(created)


def test_duplicate_names_answer_400_naming_the_row(api: Api) -> None:
    taken = unique("Shelf")
    create(api, taken)
    response = api.call("POST", "/sublocations/v2/", [{"Name": unique("Shelf")}, {"Name": taken}])
    assert response.status_code == 400
    (error,) = response.json()
    assert error["row"] == 1 and taken in error["message"]
    assert [item["Name"] for item in listed(api, "active")] == [taken]
    (other,) = create(api, unique("Other"))
    rename = api.call("PUT", "/sublocations/v2/", [{"Id": other, "Name": taken}])
    assert rename.status_code == 400 and rename.json()[0]["row"] == 0


def test_update_answers_ids_and_is_audited(api: Api, store: Store) -> None:
    first, second = create(api, unique("A"), unique("B"))
    names = [unique("Room 1A"), unique("Table 2B")]
    response = api.call(
        "PUT",
        "/sublocations/v2/",
        [{"Id": first, "Name": names[0]}, {"Id": second, "Name": names[1]}],
    )
    assert response.status_code == 200
    assert response.json() == {"Ids": [first, second], "Warnings": None}
    assert [item["Name"] for item in listed(api, "active")] == names
    with store.read() as session:
        event = session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "sublocations",
                AuditEvent.entity_id == second,
                AuditEvent.action == "update",
            )
        ).one()
    assert event.after is not None and event.after["name"] == names[1]


def test_foreign_sublocation_answers_401(api: Api, client: TestClient, demo: DemoAccess) -> None:
    other = Api(client, demo.headers, demo.licenses["Dispensary"])
    response = other.call("POST", "/sublocations/v2/", [{"Name": unique("Theirs")}])
    (theirs,) = response.json()["Ids"]
    for method in ("GET", "DELETE"):
        assert api.call(method, f"/sublocations/v2/{theirs}").status_code == 401
    update = api.call("PUT", "/sublocations/v2/", [{"Id": theirs, "Name": "Mine"}])
    assert update.status_code == 401
    assert api.call("GET", "/sublocations/v2/987654321").status_code == 404


def test_archived_sublocation_is_listed_inactive_and_refused(api: Api) -> None:
    kept, gone = create(api, unique("Kept"), unique("Gone"))
    response = api.call("DELETE", f"/sublocations/v2/{gone}")
    assert response.status_code == 200 and response.json() == {"Ids": [gone], "Warnings": None}
    assert [item["Id"] for item in listed(api, "active")] == [kept]
    assert [item["Id"] for item in listed(api, "inactive")] == [gone]
    update = api.call("PUT", "/sublocations/v2/", [{"Id": gone, "Name": unique("Back")}])
    assert update.status_code == 400 and "archived" in update.json()[0]["message"]
    assert api.call("DELETE", f"/sublocations/v2/{gone}").status_code == 400


def test_a_sublocation_holding_a_plant_cannot_be_archived(api: Api, store: Store) -> None:
    (sub_id,) = create(api, unique("Busy shelf"))
    with store.transaction() as session:
        facility = get_facility(session, api.license)
        location = create_location(session, CLI, facility, NewLocation(unique("Room"), "Default"))
        hold_plant(session, facility, location, session.get(Sublocation, sub_id))
    response = api.call("DELETE", f"/sublocations/v2/{sub_id}")
    assert response.status_code == 400
    assert "still holds active plants" in response.json()["Message"]


def test_lists_page_and_honour_the_window(api: Api) -> None:
    ids = create(api, unique("P1"), unique("P2"), unique("P3"))
    page = api.call("GET", "/sublocations/v2/active", pageNumber="1", pageSize="2").json()
    assert page["Total"] == 3 and [item["Id"] for item in page["Data"]] == ids[:2]
    now = datetime.now(UTC)
    around = {
        "lastModifiedStart": (now - timedelta(hours=2)).isoformat(),
        "lastModifiedEnd": (now + timedelta(hours=2)).isoformat(),
    }
    later = {
        "lastModifiedStart": (now + timedelta(hours=3)).isoformat(),
        "lastModifiedEnd": (now + timedelta(hours=5)).isoformat(),
    }
    assert [item["Id"] for item in listed(api, "active", **around)] == ids
    assert listed(api, "active", **later) == []
