"""The application as a whole: docs, health, unknown routes, no 500s on malformed requests."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from leafledger.dialects.kit.endpoint import Body, Scope
from leafledger.dialects.metrc.table import ROWS
from leafledger.dialects.trace.table import ROWS as TRACE_ROWS
from leafledger.store import Store
from tests.conftest import DemoAccess


def test_openapi_lists_every_row(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    operations = {(method.upper(), path) for path, item in spec["paths"].items() for method in item}
    for row in ROWS:
        documented = row.path.rstrip("/") or "/"
        assert (row.method, documented) in operations, f"{row.method} {row.path} undocumented"


def test_openapi_describes_each_dialects_own_query_parameters(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]

    def names(path: str) -> list[str]:
        return [p["name"] for p in paths[path]["get"]["parameters"]]

    assert names("/{state}/v1/config/locations") == [
        "state", "license_number", "limit", "offset", "entity_state", "start_date", "end_date",
    ]  # fmt: skip
    assert names("/plants/v2/vegetative") == [
        "licenseNumber", "lastModifiedStart", "lastModifiedEnd", "pageNumber", "pageSize",
    ]  # fmt: skip


def test_openapi_documents_each_trace_row_with_its_parameters(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for row in TRACE_ROWS:
        operation = paths[row.path][row.method.lower()]
        parameters = operation["parameters"]
        expected = list(row.params)
        if row.scope is Scope.FACILITY:
            expected.append("license_number")
        if row.paged:
            expected += ["limit", "offset", "entity_state"]
        if row.windowed:
            expected += ["start_date", "end_date"]
        assert [p["name"] for p in parameters] == expected, row.path
        by_name = {p["name"]: p for p in parameters}
        assert by_name["state"] == {
            "name": "state", "in": "path", "required": True, "schema": {"type": "string"},
        }  # fmt: skip
        for name in {"id", "lot_id"} & set(row.params):
            assert by_name[name]["schema"] == {"type": "integer"}, row.path
        assert ("requestBody" in operation) is (row.body is not Body.NONE), row.path
        assert ("answers 501" in operation["description"]) is (row.handler is None), row.path


def test_malformed_credentials_answer_401(client: TestClient, demo: DemoAccess) -> None:
    license_number = demo.licenses["Cultivator"]
    for header in ["Basic !!!notbase64", "Basic " + "dXNlcm5hbWU=", "Bearer abc", "Basic"]:
        response = client.get(
            "/employees/v2/",
            params={"licenseNumber": license_number},
            headers={"Authorization": header},
        )
        assert response.status_code == 401, header
        assert response.json()["Message"]


def test_missing_license_number_is_a_clear_400(client: TestClient, demo: DemoAccess) -> None:
    response = client.get("/employees/v2/", headers=demo.headers)
    assert response.status_code == 400
    assert "licence number" in response.json()["Message"].lower()


def test_malformed_bodies_answer_400_not_500(client: TestClient, demo: DemoAccess) -> None:
    params = {"licenseNumber": demo.licenses["Cultivator"]}
    for body in [b"{not json", b"", b'{"Name": "x"}', b"[1, 2]", b'"text"']:
        response = client.post(
            "/strains/v2/",
            params=params,
            content=body,
            headers={**demo.headers, "Content-Type": "application/json"},
        )
        assert response.status_code == 400, body
        payload = response.json()
        assert payload if isinstance(payload, list) else payload["Message"]


def test_nul_characters_are_refused_before_reaching_the_database(
    client: TestClient, demo: DemoAccess
) -> None:
    response = client.get(
        "/employees/v2/permissions",
        params={"licenseNumber": demo.licenses["Cultivator"], "employeeLicenseNumber": "A\x00B"},
        headers=demo.headers,
    )
    assert response.status_code == 400
    assert "NUL" in response.json()["Message"]
    response = client.post(
        "/strains/v2/",
        params={"licenseNumber": demo.licenses["Cultivator"]},
        content=b'[{"Name": "Bad\\u0000Name"}]',
        headers={**demo.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "NUL" in response.json()["Message"]


def test_a_dropped_database_connection_costs_no_request(
    client: TestClient, demo: DemoAccess, store: Store
) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("only a server database drops connections")
    params = {"licenseNumber": demo.licenses["Cultivator"]}
    assert client.get("/employees/v2/", params=params, headers=demo.headers).status_code == 200
    killer = create_engine(store.engine.url, poolclass=NullPool)
    with killer.connect() as conn:
        killed = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
    killer.dispose()
    assert killed >= 1  # the pooled connection the last request used is gone
    response = client.get("/employees/v2/", params=params, headers=demo.headers)
    assert response.status_code == 200
