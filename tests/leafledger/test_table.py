"""Generated tests of leafledger's own extension table: every row mounted under
/leafledger/, in the OpenAPI document, behind Metrc-style credentials, licence scope and
permissions, with Metrc-style errors. (What each row does: tests/metrc/test_transfers.py and
tests/scenarios/test_distribution.py.)"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from leafledger.dialects.kit.endpoint import Body, Endpoint
from leafledger.dialects.leafledger.table import ROWS
from leafledger.dialects.metrc.table import ROWS as METRC_ROWS
from leafledger.permissions import all_permissions
from tests.conftest import Ledger, basic_auth

MISSING_ID = 987654321
ALL = pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.method} {r.path}")


def path_of(row: Endpoint) -> str:
    return re.sub(r"{label}", "1A4NOSUCHLABEL", re.sub(r"{id}", str(MISSING_ID), row.path))


def send(
    client: TestClient,
    row: Endpoint,
    headers: dict[str, str],
    licence: str | None,
    body: Any = None,
) -> httpx.Response:
    if body is None:
        body = [{}] if row.body is Body.ARRAY else {} if row.body is Body.OBJECT else None
    params = {} if licence is None else {"licenseNumber": licence}
    response = client.request(row.method, path_of(row), params=params, headers=headers, json=body)
    assert response.status_code != 500, response.text
    return response


def message(response: httpx.Response) -> str:
    body = response.json()
    assert isinstance(body, dict) and isinstance(body["Message"], str), body
    return body["Message"]


@pytest.fixture(scope="module")
def licence(ledger: Ledger) -> str:
    return ledger.facility("Distributor").license_number


@pytest.fixture(scope="module")
def full(ledger: Ledger, licence: str) -> dict[str, str]:
    return ledger.user({licence: all_permissions()})


def test_every_row_sits_outside_the_dialects_paths() -> None:
    assert ROWS and all(row.path.startswith("/leafledger/v1/") for row in ROWS)
    metrc = {(r.method, r.route_path) for r in METRC_ROWS}
    assert all((r.method, r.route_path) not in metrc for r in ROWS)
    # Its permissions are the catalogue's names, so grants mean the same on both tables.
    assert all(set(row.permissions) <= set(all_permissions()) for row in ROWS)


def test_every_row_is_documented_in_the_one_openapi_document(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    for row in ROWS:
        operation = document["paths"][row.path][row.method.lower()]
        assert operation["tags"] == [f"leafledger: {row.resource}"]
        assert operation["security"] == [{"metrcBasic": []}]
        if row.method != "GET":
            answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
            assert answer["required"] == ["Ids", "Warnings"]
    assert "/transfers/v2/incoming" in document["paths"]  # the same document as Metrc's


@ALL
def test_credentials_are_required(client: TestClient, row: Endpoint, licence: str) -> None:
    for headers in ({}, basic_auth("nope", "nope")):
        response = send(client, row, headers, licence)
        assert response.status_code == 401
        message(response)


@ALL
def test_the_licence_is_required_and_must_be_the_callers(
    client: TestClient, row: Endpoint, full: dict[str, str], ledger: Ledger
) -> None:
    assert send(client, row, full, None).status_code == 400
    stranger = ledger.facility("Distributor").license_number
    response = send(client, row, full, stranger)
    assert response.status_code == 401
    message(response)


@ALL
def test_permissions_are_required(
    client: TestClient, row: Endpoint, ledger: Ledger, licence: str
) -> None:
    none = ledger.user({licence: []})
    response = send(client, row, none, licence)
    assert response.status_code == 403 and row.permissions[0] in message(response)
    exactly = ledger.user({licence: list(row.permissions)})
    assert send(client, row, exactly, licence).status_code not in (401, 403, 501)


def test_more_than_ten_objects_answer_413(
    client: TestClient, full: dict[str, str], licence: str
) -> None:
    row = next(r for r in ROWS if r.body is Body.ARRAY)
    response = send(client, row, full, licence, [{}] * 11)
    assert response.status_code == 413
    message(response)


def test_an_unknown_extension_path_answers_a_metrc_404(
    client: TestClient, full: dict[str, str]
) -> None:
    response = client.get("/leafledger/v1/nothing", headers=full)
    assert response.status_code == 404
    message(response)
