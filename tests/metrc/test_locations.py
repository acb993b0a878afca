"""Locations through the Metrc dialect, v2 and the v1 twins."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from leafledger.domain.models import AuditEvent, Location
from leafledger.domain.services.facilities import get_facility
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger, unique
from tests.domain.test_tags_locations import hold_package, hold_plant
from tests.statements import page_statements


@pytest.fixture(scope="module")
def example_keys(shared_dir: Any) -> set[str]:
    examples = json.loads((shared_dir / "spec" / "metrc" / "v2-examples.json").read_text())
    keys = set(examples["GET /locations/v2/{id}"]["response_example"])
    assert keys == set(examples["GET /locations/v2/active"]["response_example"]["Data"][0])
    assert keys == set(examples["GET /locations/v2/inactive"]["response_example"]["Data"][0])
    return keys


class Api:
    """The demo user acting for one fresh facility of its own."""

    def __init__(self, client: TestClient, headers: dict[str, str], license_number: str) -> None:
        self.client = client
        self.headers = headers
        self.license = license_number

    def call(self, method: str, path: str, body: Any = None, **query: str) -> Any:
        return self.client.request(
            method,
            path,
            params={"licenseNumber": self.license, **query},
            headers=self.headers,
            json=body,
        )

    def create(self, *objects: dict[str, Any], version: str = "v2") -> list[int]:
        path = "/locations/v2/" if version == "v2" else "/locations/v1/create"
        response = self.call("POST", path, list(objects))
        assert response.status_code == 200, response.text
        if version == "v1":
            assert response.content == b""
            return []
        assert response.json()["Warnings"] is None
        ids: list[int] = response.json()["Ids"]
        return ids

    def active(self, version: str = "v2", **query: str) -> list[dict[str, Any]]:
        response = self.call("GET", f"/locations/{version}/active", **query)
        assert response.status_code == 200, response.text
        body = response.json()
        return body if version == "v1" else body["Data"]  # type: ignore[no-any-return]

    def inactive(self) -> list[dict[str, Any]]:
        response = self.call("GET", "/locations/v2/inactive")
        assert response.status_code == 200, response.text
        return response.json()["Data"]  # type: ignore[no-any-return]


@pytest.fixture()
def api(client: TestClient, demo: DemoAccess, ledger: Ledger) -> Api:
    facility = ledger.facility("Cultivator")
    ledger.grant_demo_user(facility.license_number)
    return Api(client, demo.headers, facility.license_number)


def test_create_answers_ids_in_order_and_objects_have_the_example_keys(
    api: Api, example_keys: set[str]
) -> None:
    names = [unique("Harvest Location"), unique("Plants Location")]
    ids = api.create(
        {"Name": names[0], "LocationTypeName": "Default"},
        {"Name": names[1], "LocationTypeName": "Planting"},
    )
    assert len(ids) == 2 and ids[0] < ids[1]
    listed = api.active()
    assert [item["Id"] for item in listed] == ids
    assert all(set(item) == example_keys for item in listed)
    assert listed[1] == {
        "Id": ids[1],
        "Name": names[1],
        "LocationTypeId": 2,
        "LocationTypeName": "Planting",
        "ForPlantBatches": True,
        "ForPlants": True,
        "ForHarvests": False,
        "ForPackages": False,
    }
    one = api.call("GET", f"/locations/v2/{ids[0]}")
    assert one.status_code == 200
    assert one.json() == listed[0]
    assert api.call("GET", f"/locations/v1/{ids[0]}").json() == listed[0]


def test_duplicate_name_answers_400_naming_the_row_and_keeps_nothing(api: Api) -> None:
    taken = unique("Room")
    api.create({"Name": taken, "LocationTypeName": "Default"})
    fresh = unique("Room")
    response = api.call(
        "POST",
        "/locations/v2/",
        [
            {"Name": fresh, "LocationTypeName": "Default"},
            {"Name": taken, "LocationTypeName": "Vault"},
        ],
    )
    assert response.status_code == 400
    (error,) = response.json()
    assert error["row"] == 1 and taken in error["message"]
    assert [item["Name"] for item in api.active()] == [taken]  # the first object was not kept


@pytest.mark.parametrize(
    ("obj", "fragment"),
    [
        ({"Name": "Room", "LocationTypeName": "Attic"}, "Unknown location type"),
        ({"LocationTypeName": "Default"}, "Name"),
        ({"Name": 12, "LocationTypeName": "Default"}, "Name"),
        ({"Name": "   ", "LocationTypeName": "Default"}, "required"),
    ],
)
def test_invalid_objects_answer_400_naming_the_row(
    api: Api, obj: dict[str, Any], fragment: str
) -> None:
    good = {"Name": unique("Room"), "LocationTypeName": "Default"}
    response = api.call("POST", "/locations/v2/", [good, obj])
    assert response.status_code == 400
    (error,) = response.json()
    assert error["row"] == 1 and fragment in error["message"]


def test_update_renames_and_retypes_v2_and_v1(api: Api, store: Store) -> None:
    first, second = api.create(
        {"Name": unique("A"), "LocationTypeName": "Default"},
        {"Name": unique("B"), "LocationTypeName": "Default"},
    )
    names = [unique("A2"), unique("B2")]
    response = api.call(
        "PUT",
        "/locations/v2/",
        [
            {"Id": second, "Name": names[1], "LocationTypeName": "Packing"},
            {"Id": first, "Name": names[0], "LocationTypeName": "Drying Room"},
        ],
    )
    assert response.status_code == 200
    assert response.json() == {"Ids": [second, first], "Warnings": None}
    by_id = {item["Id"]: item for item in api.active()}
    assert by_id[first]["Name"] == names[0] and by_id[first]["ForHarvests"] is True
    assert by_id[second]["LocationTypeName"] == "Packing" and by_id[second]["ForPlants"] is False
    v1 = api.call(
        "POST",
        "/locations/v1/update",
        [{"Id": first, "Name": "v1 " + names[0], "LocationTypeName": "Vault"}],
    )
    assert v1.status_code == 200 and v1.content == b""
    assert api.call("GET", f"/locations/v1/{first}").json()["LocationTypeName"] == "Vault"
    with store.read() as session:
        actions = session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity_type == "locations", AuditEvent.entity_id == first)
            .order_by(AuditEvent.id)
        ).all()
    assert actions == ["create", "update", "update"]


def test_locations_of_another_facility_answer_401(
    api: Api, client: TestClient, demo: DemoAccess
) -> None:
    other = Api(client, demo.headers, demo.licenses["Manufacturer"])
    (theirs,) = other.create({"Name": unique("Theirs"), "LocationTypeName": "Default"})
    for method, path, body in [
        ("GET", f"/locations/v2/{theirs}", None),
        ("GET", f"/locations/v1/{theirs}", None),
        ("DELETE", f"/locations/v2/{theirs}", None),
        ("DELETE", f"/locations/v1/{theirs}", None),
    ]:
        response = api.call(method, path, body)
        assert response.status_code == 401, (method, path)
        assert "does not belong" in response.json()["Message"]
    update = api.call(
        "PUT", "/locations/v2/", [{"Id": theirs, "Name": "Mine now", "LocationTypeName": "Default"}]
    )
    assert update.status_code == 401
    assert all(item["Id"] != theirs for item in api.active())
    assert api.call("GET", "/locations/v2/987654321").status_code == 404


def test_archived_location_is_listed_inactive_and_refused(api: Api) -> None:
    name = unique("Old Room")
    kept, gone = api.create(
        {"Name": unique("Kept"), "LocationTypeName": "Default"},
        {"Name": name, "LocationTypeName": "Default"},
    )
    response = api.call("DELETE", f"/locations/v2/{gone}")
    assert response.status_code == 200
    assert response.json() == {"Ids": [gone], "Warnings": None}
    assert [item["Id"] for item in api.active()] == [kept]
    assert [item["Id"] for item in api.inactive()] == [gone]
    assert api.call("GET", f"/locations/v2/{gone}").json()["Name"] == name
    again = api.call("DELETE", f"/locations/v2/{gone}")
    assert again.status_code == 400 and "archived" in again.json()["Message"]
    update = api.call(
        "PUT", "/locations/v2/", [{"Id": gone, "Name": name, "LocationTypeName": "Default"}]
    )
    assert update.status_code == 400
    assert update.json()[0]["row"] == 0 and "archived" in update.json()[0]["message"]
    # The name is free again once its holder is archived.
    (reused,) = api.create({"Name": name, "LocationTypeName": "Vault"})
    assert reused != gone
    v1 = api.call("DELETE", f"/locations/v1/{kept}")
    assert v1.status_code == 200 and v1.content == b""
    assert {item["Id"] for item in api.inactive()} == {gone, kept}


@pytest.mark.parametrize("hold", [hold_plant, hold_package], ids=["plant", "package"])
def test_a_location_holding_inventory_cannot_be_archived(api: Api, store: Store, hold: Any) -> None:
    (location_id,) = api.create({"Name": unique("Busy"), "LocationTypeName": "Default"})
    with store.transaction() as session:
        facility = get_facility(session, api.license)
        hold(session, facility, session.get(Location, location_id), None)
    for version in ("v2", "v1"):
        response = api.call("DELETE", f"/locations/{version}/{location_id}")
        assert response.status_code == 400
        assert "still holds active" in response.json()["Message"]
    assert location_id in [item["Id"] for item in api.active()]


def test_lists_page_and_honour_the_last_modified_window(api: Api) -> None:
    ids = api.create(*({"Name": unique("Paged"), "LocationTypeName": "Default"} for _ in range(3)))
    page = api.call("GET", "/locations/v2/active", pageNumber="2", pageSize="2").json()
    assert page["Total"] == 3 and page["TotalPages"] == 2 and page["RecordsOnPage"] == 1
    assert [item["Id"] for item in page["Data"]] == ids[2:]
    now = datetime.now(UTC)
    around = {
        "lastModifiedStart": (now - timedelta(hours=1)).isoformat(),
        "lastModifiedEnd": (now + timedelta(hours=1)).isoformat(),
    }
    before = {
        "lastModifiedStart": (now - timedelta(hours=30)).isoformat(),
        "lastModifiedEnd": (now - timedelta(hours=20)).isoformat(),
    }
    assert [item["Id"] for item in api.active(**around)] == ids
    assert api.active(**before) == []
    assert [item["Id"] for item in api.active("v1", **around)] == ids
    assert api.active("v1", **before) == []


def test_v1_create_answers_an_empty_200_and_v1_lists_a_bare_array(
    api: Api, example_keys: set[str], store: Store
) -> None:
    name = unique("V1 Room")
    api.create({"Name": name, "LocationTypeName": "Mother Room"}, version="v1")
    (listed,) = api.active("v1")
    assert set(listed) == example_keys
    assert listed["Name"] == name and listed["LocationTypeName"] == "Mother Room"
    with store.read() as session:
        event = session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "locations",
                AuditEvent.entity_id == listed["Id"],
                AuditEvent.action == "create",
            )
        ).one()
        assert event.channel == "metrc" and event.user_id is not None


def test_a_page_of_locations_costs_the_same_statements_at_any_size(
    api: Api, client: TestClient, store: Store
) -> None:
    api.create(*({"Name": unique("Room"), "LocationTypeName": "Default"} for _ in range(3)))
    found = page_statements(
        client, store.engine, "/locations/v2/active", api.headers, {"licenseNumber": api.license},
        sizes=(1, 3),
    )  # fmt: skip
    assert [records for records, _ in found.values()] == [1, 3]
    assert found[1][1] == found[3][1]
