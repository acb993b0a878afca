"""The kit's generic handlers, schemas and loaders, exercised through a small table of their own.

Employees are facility-owned, so they show the loaders' 401-versus-404 rule, and granting
permissions is a real audited write, so `bulk` can be checked for all-or-nothing behaviour.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import Field
from sqlalchemy.orm import Session

from leafledger.dialects.kit.bodies import Loads
from leafledger.dialects.kit.endpoint import Body, Endpoint
from leafledger.dialects.kit.factories import at_facility, bulk, listing, remove, show
from leafledger.dialects.kit.loaders import ById
from leafledger.dialects.kit.mount import mount
from leafledger.dialects.kit.runner import Limits, Runner
from leafledger.dialects.metrc.bodies import MetrcBody
from leafledger.dialects.metrc.dialect import MetrcDialect
from leafledger.dialects.metrc.wire import WireId
from leafledger.domain import queries
from leafledger.domain.actor import Actor
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import Employee, Facility, Location
from leafledger.domain.services.identity import employ
from leafledger.store import Store
from tests.conftest import TEST_SETTINGS, Ledger


@dataclass(frozen=True)
class Grant:
    employee: Employee
    permission: str


class GrantBody(MetrcBody):
    command = Grant
    employee: Annotated[WireId, Loads(Employee, "employee")] = Field(alias="EmployeeId")
    permission: str


class AnyBody(MetrcBody):
    """Any object: the command is the body itself."""


def _grant(session: Session, actor: Actor, facility: Facility, command: Grant) -> int:
    if command.permission == "Forbidden Word":
        raise RuleViolation(f"{command.permission!r} may not be granted.")
    employee = command.employee
    employ(
        session,
        actor,
        employee.user,
        employee.facility,
        [*employee.permissions, command.permission],
    )
    return employee.id


def _revoke_all(session: Session, actor: Actor, facility: Facility, employee: Employee) -> int:
    employ(session, actor, employee.user, employee.facility, [])
    return employee.id


def _row(method: str, path: str, version: str = "v2", **kw: Any) -> Endpoint:
    return Endpoint("Factory Test", "UNIVERSAL", version, method, path, (), **kw)


def _race(session: Session, actor: Actor, facility: Facility, command: AnyBody) -> int:
    """Two active locations with one name: what two simultaneous creates would leave."""
    for _ in range(2):
        session.add(
            Location(
                facility_id=facility.id,
                name="Twin Room",
                location_type_name="Default",
                for_plant_batches=True,
                for_plants=True,
                for_harvests=True,
                for_packages=True,
            )
        )
    session.flush()
    return 0


EMPLOYEE = ById(Employee, "employee")
GRANTS = {"body": Body.ARRAY, "schema": GrantBody, "handler": bulk(_grant)}

ROWS = (
    _row("POST", "/factorytest/v2/race", body=Body.ARRAY, schema=AnyBody, handler=bulk(_race)),
    _row(
        "GET",
        "/factorytest/v2/employees",
        paged=True,
        windowed=True,
        handler=listing(at_facility(queries.employees.employees), lambda e: {"Id": e.id}),
    ),
    _row(
        "GET",
        "/factorytest/v2/employees/{id}",
        loads=EMPLOYEE,
        handler=show(lambda e: {"Id": e.id, "Permissions": e.permissions}),
    ),
    _row("POST", "/factorytest/v2/grants", **GRANTS),
    _row("POST", "/factorytest/v1/grants", version="v1", **GRANTS),
    _row("DELETE", "/factorytest/v2/employees/{id}", loads=EMPLOYEE, handler=remove(_revoke_all)),
)


@pytest.fixture(scope="module")
def factory_client(store: Store) -> Iterator[TestClient]:
    app = FastAPI()
    mount(
        app, ROWS, Runner(MetrcDialect(), store, Limits(TEST_SETTINGS.rate_limits)), "licenseNumber"
    )
    with TestClient(app) as client:
        yield client


@pytest.fixture()
def setup(ledger: Ledger, store: Store) -> dict[str, Any]:
    """Two facilities; a boss employed at the first, and two staff, one at each facility."""
    home, away = ledger.facility(), ledger.facility()
    boss = ledger.user({home.license_number: []})
    ledger.user({home.license_number: ["View Packages"]})
    ledger.user({away.license_number: ["View Packages"]})
    with store.read() as session:
        ids = {
            license: session.query(Employee.id)
            .filter(Employee.facility_id == facility.id)
            .order_by(Employee.id)
            .all()
            for license, facility in ((home.license_number, home), (away.license_number, away))
        }
    return {
        "headers": boss,
        "params": {"licenseNumber": home.license_number},
        "home_staff": ids[home.license_number][1][0],
        "away_staff": ids[away.license_number][0][0],
    }


def _permissions(store: Store, employee_id: int) -> list[str]:
    with store.read() as session:
        employee = session.get(Employee, employee_id)
        assert employee is not None
        return list(employee.permissions)


def test_by_id_answers_own_object_401_for_foreign_and_404_for_missing(
    factory_client: TestClient, setup: dict[str, Any]
) -> None:
    get = lambda i: factory_client.get(  # noqa: E731
        f"/factorytest/v2/employees/{i}", params=setup["params"], headers=setup["headers"]
    )
    own = get(setup["home_staff"])
    assert own.status_code == 200
    assert own.json() == {"Id": setup["home_staff"], "Permissions": ["View Packages"]}
    foreign = get(setup["away_staff"])
    assert foreign.status_code == 401
    assert "does not belong" in foreign.json()["Message"]
    missing = get(999_999_999)
    assert missing.status_code == 404
    assert missing.json()["Message"]


def test_bulk_answers_ids_in_order_and_v1_an_empty_200(
    factory_client: TestClient, setup: dict[str, Any], store: Store
) -> None:
    staff = setup["home_staff"]
    body = [
        {"EmployeeId": staff, "Permission": "Manage Items"},
        {"EmployeeId": staff, "Permission": "Manage Strains"},
    ]
    response = factory_client.post(
        "/factorytest/v2/grants", params=setup["params"], headers=setup["headers"], json=body
    )
    assert response.status_code == 200
    assert response.json() == {"Ids": [staff, staff], "Warnings": None}
    v1 = factory_client.post(
        "/factorytest/v1/grants",
        params=setup["params"],
        headers=setup["headers"],
        json=[{"EmployeeId": staff, "Permission": "Manage Locations"}],
    )
    assert (v1.status_code, v1.content) == (200, b"")
    assert _permissions(store, staff) == [
        "Manage Items",
        "Manage Locations",
        "Manage Strains",
        "View Packages",
    ]


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ({"Permission": "Manage Items"}, "EmployeeId"),  # malformed: no employee id
        ({"Permission": "Forbidden Word"}, "may not be granted"),  # rule violation
        ({"EmployeeId": 999_999_999, "Permission": "Manage Items"}, "No employee"),  # missing
    ],
)
def test_bulk_is_all_or_nothing_and_names_the_failing_row(
    factory_client: TestClient,
    setup: dict[str, Any],
    store: Store,
    second: dict[str, Any],
    message: str,
) -> None:
    staff = setup["home_staff"]
    before = _permissions(store, staff)
    second = (
        {"EmployeeId": staff, **second} if second.get("Permission") != "Manage Items" else second
    )
    body = [{"EmployeeId": staff, "Permission": "Manage Items"}, second]
    response = factory_client.post(
        "/factorytest/v2/grants", params=setup["params"], headers=setup["headers"], json=body
    )
    assert response.status_code == 400
    (error,) = response.json()
    assert error["row"] == 1
    assert message in error["message"]
    assert _permissions(store, staff) == before  # the first object was rolled back too


def test_bulk_on_a_foreign_object_answers_401_and_changes_nothing(
    factory_client: TestClient, setup: dict[str, Any], store: Store
) -> None:
    away = setup["away_staff"]
    before = _permissions(store, away)
    response = factory_client.post(
        "/factorytest/v2/grants",
        params=setup["params"],
        headers=setup["headers"],
        json=[{"EmployeeId": away, "Permission": "Manage Items"}],
    )
    assert response.status_code == 401
    assert _permissions(store, away) == before


def test_delete_answers_the_id_touched(
    factory_client: TestClient, setup: dict[str, Any], store: Store
) -> None:
    staff = setup["home_staff"]
    response = factory_client.delete(
        f"/factorytest/v2/employees/{staff}", params=setup["params"], headers=setup["headers"]
    )
    assert response.status_code == 200
    assert response.json() == {"Ids": [staff], "Warnings": None}
    assert _permissions(store, staff) == []


def test_windowed_listing_keeps_what_changed_inside_the_window(
    factory_client: TestClient, setup: dict[str, Any]
) -> None:
    now = datetime.now(UTC)

    def listed(start: datetime, end: datetime) -> list[int]:
        response = factory_client.get(
            "/factorytest/v2/employees",
            params={
                **setup["params"],
                "lastModifiedStart": start.isoformat(),
                "lastModifiedEnd": end.isoformat(),
            },
            headers=setup["headers"],
        )
        assert response.status_code == 200
        return [record["Id"] for record in response.json()["Data"]]

    assert setup["home_staff"] in listed(now - timedelta(hours=1), now + timedelta(minutes=1))
    assert listed(now - timedelta(hours=30), now - timedelta(hours=7)) == []
    unfiltered = factory_client.get(
        "/factorytest/v2/employees", params=setup["params"], headers=setup["headers"]
    ).json()
    assert unfiltered["Total"] == 2


def test_a_uniqueness_race_answers_400_and_saves_nothing(
    factory_client: TestClient, setup: dict[str, Any], store: Store
) -> None:
    response = factory_client.post(
        "/factorytest/v2/race", params=setup["params"], headers=setup["headers"], json=[{}]
    )
    assert response.status_code == 400
    assert "nothing was saved" in response.json()["Message"]
    with store.read() as session:
        assert session.query(Location).filter(Location.name == "Twin Room").count() == 0
