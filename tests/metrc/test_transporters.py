"""Transporters through the Metrc dialect: drivers and vehicles (v2 rows only).

Drivers and vehicles obey the same rules with their own fields, so most tests run once for
each kind (`KINDS`): what a kind's objects look like, and which field is unique among the
facility's active rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from leafledger.domain.models import AuditEvent, Driver, Vehicle
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger, unique
from tests.statements import page_statements


@dataclass(frozen=True)
class Kind:
    name: str  # drivers, vehicles
    model: type[Any]
    key: str  # the wire field unique among the facility's active rows
    make: Callable[[], dict[str, Any]]  # a new object, fresh values (no id)
    change: Callable[[], dict[str, Any]]  # new values for an existing object (no id)

    @property
    def path(self) -> str:
        return f"/transporters/v2/{self.name}"


def _driver() -> dict[str, Any]:
    return {
        "Name": unique("Driver"),
        "EmployeeId": unique("EMP"),
        "DriversLicenseNumber": unique("DL"),
    }


def _vehicle() -> dict[str, Any]:
    return {"Make": unique("Make"), "Model": unique("Model"), "LicensePlateNumber": unique("PL")}


DRIVERS = Kind("drivers", Driver, "DriversLicenseNumber", _driver, _driver)
VEHICLES = Kind("vehicles", Vehicle, "LicensePlateNumber", _vehicle, _vehicle)
KINDS = pytest.mark.parametrize("kind", [DRIVERS, VEHICLES], ids=lambda k: k.name)


@pytest.fixture(scope="module")
def examples(shared_dir: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((shared_dir / "spec/metrc/v2-examples.json").read_text())
    return loaded


@dataclass(frozen=True)
class Api:
    """One user acting for one facility."""

    client: TestClient
    headers: dict[str, str]
    license: str

    def call(self, method: str, path: str, body: Any = None, **query: str) -> Any:
        params = {"licenseNumber": self.license, **query}
        return self.client.request(method, path, params=params, headers=self.headers, json=body)

    def create(self, kind: Kind, *objects: dict[str, Any]) -> list[int]:
        response = self.call("POST", kind.path, list(objects))
        assert response.status_code == 200, response.text
        assert response.json()["Warnings"] is None
        ids: list[int] = response.json()["Ids"]
        return ids

    def listed(self, kind: Kind, **query: str) -> list[dict[str, Any]]:
        response = self.call("GET", kind.path, **query)
        assert response.status_code == 200, response.text
        return response.json()["Data"]  # type: ignore[no-any-return]

    def one(self, kind: Kind, row_id: int) -> dict[str, Any]:
        response = self.call("GET", f"{kind.path}/{row_id}")
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]


@pytest.fixture()
def api(client: TestClient, demo: DemoAccess, ledger: Ledger) -> Api:
    facility = ledger.facility("Distributor")
    ledger.grant_demo_user(facility.license_number)
    return Api(client, demo.headers, facility.license_number)


def _facility_id(store: Store, license_number: str) -> int:
    from leafledger.domain.services.facilities import get_facility

    with store.read() as session:
        return get_facility(session, license_number).id


def _audit_length(store: Store) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


# --- shapes


@KINDS
def test_created_objects_are_listed_and_fetched_in_the_documented_shape(
    api: Api, store: Store, examples: dict[str, Any], kind: Kind
) -> None:
    documented = examples[f"GET {kind.path}/{{id}}"]["response_example"]
    assert list(documented) == list(examples[f"GET {kind.path}"]["response_example"]["Data"][0])
    objects = [kind.make(), kind.make()]
    answer = api.call("POST", kind.path, objects)
    assert answer.status_code == 200
    ids = answer.json()["Ids"]
    assert answer.json() == {"Ids": ids, "Warnings": None}
    assert len(ids) == 2 and ids[0] < ids[1]
    facility_id = _facility_id(store, api.license)
    listed = api.listed(kind)
    assert listed == [
        {"Id": row_id, "FacilityId": facility_id, **sent}
        for row_id, sent in zip(ids, objects, strict=True)
    ]
    assert all(list(item) == list(documented) for item in listed)  # the keys, in their order
    assert [api.one(kind, row_id) for row_id in ids] == listed


def test_the_documented_create_examples_create(api: Api, examples: dict[str, Any]) -> None:
    for kind in (DRIVERS, VEHICLES):
        sent = examples[f"POST {kind.path}"]["request_example"]
        ids = api.create(kind, *sent)
        assert [{k: v for k, v in item.items() if k in sent[0]} for item in api.listed(kind)] == [
            {k: obj[k] for k in sent[0]} for obj in sent
        ]
        assert len(ids) == len(sent)


@KINDS
def test_an_envelope_pages_the_active_ones(api: Api, kind: Kind) -> None:
    ids = api.create(kind, kind.make(), kind.make(), kind.make())
    page = api.call("GET", kind.path, pageNumber="2", pageSize="2").json()
    assert page["Total"] == page["TotalRecords"] == 3
    assert page["TotalPages"] == 2 and page["RecordsOnPage"] == 1 and page["CurrentPage"] == 2
    assert [item["Id"] for item in page["Data"]] == ids[2:]
    everything = api.call("GET", kind.path).json()
    assert [item["Id"] for item in everything["Data"]] == ids and everything["PageSize"] == 3


@KINDS
def test_a_page_costs_the_same_statements_at_any_size(
    api: Api, client: TestClient, store: Store, kind: Kind
) -> None:
    api.create(kind, *(kind.make() for _ in range(10)))
    api.create(kind, *(kind.make() for _ in range(10)))
    found = page_statements(
        client, store.engine, kind.path, api.headers, {"licenseNumber": api.license}
    )
    assert found[1][0] == 1 and found[20][0] == 20
    assert found[1][1] == found[20][1]


# --- writes


@KINDS
def test_update_replaces_every_field_and_is_audited(api: Api, store: Store, kind: Kind) -> None:
    first, second = api.create(kind, kind.make(), kind.make())
    changes = [kind.change(), kind.change()]
    answer = api.call("PUT", kind.path, [{"Id": second, **changes[1]}, {"Id": first, **changes[0]}])
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"Ids": [second, first], "Warnings": None}
    assert api.one(kind, first).items() >= changes[0].items()
    assert api.one(kind, second).items() >= changes[1].items()
    with store.read() as session:
        actions = session.scalars(
            select(AuditEvent.action)
            .where(
                AuditEvent.entity_type == kind.model.__tablename__, AuditEvent.entity_id == first
            )
            .order_by(AuditEvent.id)
        ).all()
    assert actions == ["create", "update"]


@KINDS
def test_a_key_held_by_an_active_one_is_refused_naming_the_row(
    api: Api, store: Store, kind: Kind
) -> None:
    held = kind.make()
    (holder,) = api.create(kind, held)
    before = _audit_length(store)
    taken = {**kind.make(), kind.key: held[kind.key]}
    answer = api.call("POST", kind.path, [kind.make(), taken])
    assert answer.status_code == 400
    (error,) = answer.json()
    assert error["row"] == 1
    assert kind.key in error["message"] and held[kind.key] in error["message"]
    # Twice in one body: the second is refused.
    twice = kind.make()
    answer = api.call("POST", kind.path, [twice, {**kind.make(), kind.key: twice[kind.key]}])
    assert answer.status_code == 400 and answer.json()[0]["row"] == 1
    assert _audit_length(store) == before
    assert [item["Id"] for item in api.listed(kind)] == [holder]
    # Another one changed to the held key.
    (other,) = api.create(kind, kind.make())
    before = _audit_length(store)
    answer = api.call("PUT", kind.path, [{"Id": other, **kind.make(), kind.key: held[kind.key]}])
    assert answer.status_code == 400 and answer.json()[0]["row"] == 0
    assert _audit_length(store) == before
    assert [item["Id"] for item in api.listed(kind)] == [holder, other]
    # Its holder may keep it (a change of the other fields).
    answer = api.call("PUT", kind.path, [{"Id": holder, **kind.change(), kind.key: held[kind.key]}])
    assert answer.status_code == 200, answer.text


@KINDS
@pytest.mark.parametrize(
    ("fault", "fragment"),
    [
        ("missing", "is required"),
        ("blank", "is required"),
        ("a number", "string"),
        ("too long", "at most"),
    ],
)
def test_each_field_is_required_text_of_bounded_length(
    api: Api, store: Store, kind: Kind, fault: str, fragment: str
) -> None:
    before = _audit_length(store)
    for field in kind.make():
        obj: dict[str, Any] = kind.make()
        if fault == "missing":
            del obj[field]
        else:
            obj[field] = {"blank": "   ", "a number": 12, "too long": "x" * 201}[fault]
        answer = api.call("POST", kind.path, [kind.make(), obj])
        assert answer.status_code == 400, (field, answer.text)
        (error,) = answer.json()
        assert error["row"] == 1 and field in error["message"], error
        assert fragment in error["message"], error
    assert _audit_length(store) == before
    assert api.listed(kind) == []


# --- archiving


@KINDS
def test_an_archived_one_leaves_the_list_refuses_changes_and_frees_its_key(
    api: Api, kind: Kind
) -> None:
    kept_values, gone_values = kind.make(), kind.make()
    kept, gone = api.create(kind, kept_values, gone_values)
    answer = api.call("DELETE", f"{kind.path}/{gone}")
    assert answer.status_code == 200
    assert answer.json() == {"Ids": [gone], "Warnings": None}
    assert [item["Id"] for item in api.listed(kind)] == [kept]
    assert api.one(kind, gone).items() >= gone_values.items()  # still the ledger's record
    again = api.call("DELETE", f"{kind.path}/{gone}")
    assert again.status_code == 400 and "already archived" in again.json()["Message"]
    change = api.call("PUT", kind.path, [{"Id": gone, **kind.change()}])
    assert change.status_code == 400
    assert change.json()[0]["row"] == 0 and "archived" in change.json()[0]["message"]
    assert api.one(kind, gone).items() >= gone_values.items()
    (reused,) = api.create(kind, {**kind.make(), kind.key: gone_values[kind.key]})
    assert [item["Id"] for item in api.listed(kind)] == [kept, reused]


# --- boundaries


@KINDS
def test_another_facilitys_answers_401_and_a_missing_one_404(
    api: Api, client: TestClient, demo: DemoAccess, ledger: Ledger, store: Store, kind: Kind
) -> None:
    neighbour = ledger.facility("Distributor")
    ledger.grant_demo_user(neighbour.license_number)
    theirs_values = kind.make()
    (theirs,) = Api(client, demo.headers, neighbour.license_number).create(kind, theirs_values)
    before = _audit_length(store)
    for method, path, body in [
        ("GET", f"{kind.path}/{theirs}", None),
        ("DELETE", f"{kind.path}/{theirs}", None),
        ("PUT", kind.path, [{"Id": theirs, **kind.change()}]),
    ]:
        answer = api.call(method, path, body)
        assert answer.status_code == 401, (method, path, answer.text)
        assert "does not belong" in answer.json()["Message"]
    assert _audit_length(store) == before
    assert api.listed(kind) == []
    for method in ("GET", "DELETE"):
        assert api.call(method, f"{kind.path}/987654321").status_code == 404
    # Their key is theirs: this facility may hold the same one.
    (mine,) = api.create(kind, {**kind.make(), kind.key: theirs_values[kind.key]})
    missing = api.call(
        "PUT",
        kind.path,
        [{"Id": mine, **kind.change()}, {"Id": 987654321, **kind.change()}],
    )
    assert missing.status_code == 400
    (error,) = missing.json()
    assert error["row"] == 1 and "987654321" in error["message"]


@KINDS
def test_a_fetch_by_id_takes_the_licence_number_as_every_fetch_does(
    api: Api, client: TestClient, demo: DemoAccess, ledger: Ledger, kind: Kind
) -> None:
    (row_id,) = api.create(kind, kind.make())
    path = f"{kind.path}/{row_id}"
    without = client.get(path, headers=api.headers)
    assert without.status_code == 400 and "licence number" in without.json()["Message"]
    elsewhere = ledger.facility("Distributor").license_number  # the demo user works not there
    assert client.get(
        path, params={"licenseNumber": elsewhere}, headers=api.headers
    ).status_code == (401)
    assert api.call("GET", path).status_code == 200


@KINDS
def test_any_employee_reads_and_managers_of_transporters_write(
    api: Api, client: TestClient, ledger: Ledger, kind: Kind
) -> None:
    (row_id,) = api.create(kind, kind.make())
    reader = Api(client, ledger.user({api.license: []}), api.license)
    assert [item["Id"] for item in reader.listed(kind)] == [row_id]
    assert reader.one(kind, row_id)["Id"] == row_id
    for method, path, body in [
        ("POST", kind.path, [kind.make()]),
        ("PUT", kind.path, [{"Id": row_id, **kind.change()}]),
        ("DELETE", f"{kind.path}/{row_id}", None),
    ]:
        answer = reader.call(method, path, body)
        assert answer.status_code == 403, (method, answer.text)
        assert "Manage Transporters" in answer.json()["Message"]
    manager = Api(client, ledger.user({api.license: ["Manage Transporters"]}), api.license)
    manager.create(kind, kind.make())
    assert manager.call("DELETE", f"{kind.path}/{row_id}").status_code == 200


@pytest.mark.parametrize(
    "license_type", ["Cultivator", "Manufacturer", "Dispensary", "Testing Lab"]
)
def test_every_licence_type_keeps_drivers_and_vehicles(
    client: TestClient, demo: DemoAccess, ledger: Ledger, license_type: str
) -> None:
    facility = ledger.facility(license_type)
    ledger.grant_demo_user(facility.license_number)
    api = Api(client, demo.headers, facility.license_number)
    for kind in (DRIVERS, VEHICLES):
        ids = api.create(kind, kind.make())
        assert [item["Id"] for item in api.listed(kind)] == ids


def test_the_documented_update_examples_name_no_id(api: Api, examples: dict[str, Any]) -> None:
    """Metrc's PUT examples show placeholders ("Driver-1"): refused, naming the Id field."""
    for kind in (DRIVERS, VEHICLES):
        sent = examples[f"PUT {kind.path}"]["request_example"]
        answer = api.call("PUT", kind.path, sent)
        assert answer.status_code == 400
        (error,) = answer.json()
        assert error["row"] == 0 and error["message"].startswith("Id:")
