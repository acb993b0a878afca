"""Generated tests: each row of the Metrc table checked against the catalogue and the wire rules.

The rows are read from the table at collection time, so a row that gains a handler moves from
the 501 checks to the "implemented" checks by itself; nothing here lists implemented endpoints.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Match

from leafledger.dialects.kit.endpoint import Body, Endpoint, Scope, parse_permissions
from leafledger.dialects.metrc.table import CATALOGUE_ROWS, EXTRA_ROWS, ROWS
from leafledger.permissions import all_permissions
from tests.conftest import Ledger, basic_auth

CATALOGUE_SIZE = 453
MISSING_ID = 987654321  # an id no test creates, so DELETE /x/{id} never touches real data
TEXT_SAMPLES = {
    "label": "1A4FF0000000022000000123",
    "date": "2024-01-15",
    "salesDateStart": "2024-01-15",
    "salesDateEnd": "2024-01-16",
}
# The licence type of the facility a row is exercised at (UNIVERSAL rows work anywhere).
FACILITY_TYPE = {
    "CULTIVATOR": "Cultivator",
    "UNIVERSAL": "Cultivator",
    "MANUFACTURER": "Manufacturer",
    "DISPENSARY": "Dispensary",
    "LAB": "Testing Lab",
    "DISTRIBUTOR": "Distributor",
}


def row_id(endpoint: Endpoint) -> str:
    return f"{endpoint.method} {endpoint.path}"


def concrete_path(endpoint: Endpoint, *, trailing_slash: bool = False) -> str:
    """The row's path with a sample value in each parameter."""

    def sample(match: re.Match[str]) -> str:
        name = match[1]
        return str(MISSING_ID) if name == "id" else TEXT_SAMPLES.get(name, "ABC-123")

    path = re.sub(r"{([A-Za-z]+)}", sample, endpoint.path).rstrip("/") or "/"
    return path + "/" if trailing_slash else path


ALL = pytest.mark.parametrize("endpoint", ROWS, ids=row_id)
FACILITY_ROWS = [r for r in ROWS if r.scope is Scope.FACILITY]
WITH_PERMISSIONS = [r for r in FACILITY_ROWS if r.permissions]
ARRAY_ROWS = [r for r in ROWS if r.body is Body.ARRAY]
PAGED_ROWS = [r for r in ROWS if r.paged]
ID_ROWS = [r for r in ROWS if "id" in r.params]


def one_per_kind(rows: list[Endpoint]) -> list[Endpoint]:
    """The first row of each (version, method, body, paged) kind, for checks that do not vary."""
    kinds: dict[tuple[object, ...], Endpoint] = {}
    for r in rows:
        kinds.setdefault((r.version, r.method, r.body, r.paged), r)
    return list(kinds.values())


def rows_param(rows: list[Endpoint]) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("endpoint", rows, ids=row_id)


# --- the table against the catalogue


def test_table_matches_the_catalogue_row_for_row(shared_dir: Path) -> None:
    with (shared_dir / "spec" / "metrc" / "endpoints.csv").open(newline="") as handle:
        catalogue = [
            (
                r["resource"],
                r["license_type"],
                r["version"],
                r["method"],
                r["path"],
                parse_permissions(r["permissions"]),
            )
            for r in csv.DictReader(handle)
        ]
    table = [
        (r.resource, r.license_type, r.version, r.method, r.path, r.permissions)
        for r in CATALOGUE_ROWS
    ]
    assert len(catalogue) == CATALOGUE_SIZE
    assert len(table) == CATALOGUE_SIZE
    for index, (ours, theirs) in enumerate(zip(table, catalogue, strict=True)):
        assert ours == theirs, f"table row {index} differs from the catalogue"


def postman_requests(shared_dir: Path) -> set[tuple[str, str]]:
    """(method, path) of every request of Metrc's own Postman collection, `{{id}}` as `{id}`."""
    collection = json.loads(
        (shared_dir / "spec" / "metrc" / "postman-collection-or.json").read_text()
    )
    found: set[tuple[str, str]] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            request = node.get("request")
            if isinstance(request, dict) and isinstance(request.get("url"), dict):
                url = request["url"]
                host = url["host"][0].replace("{{Metrc.api.server}}", "")
                path = "/".join([host, *url.get("path", [])]).replace("{{", "{").replace("}}", "}")
                found.add((request["method"], path.rstrip("/")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(collection)
    return found


def test_each_extra_row_is_served_by_metrc_per_its_postman_collection(shared_dir: Path) -> None:
    assert EXTRA_ROWS, "no extra rows to check"
    served = postman_requests(shared_dir)
    assert ("GET", "/packages/v2/active") in served  # the walk reads the collection
    catalogue = {(r.method, r.path) for r in CATALOGUE_ROWS}
    for extra in EXTRA_ROWS:
        assert (extra.method, extra.path.rstrip("/")) in served, row_id(extra)
        assert (extra.method, extra.path) not in catalogue, row_id(extra)


def test_no_duplicate_rows_or_routes() -> None:
    by_path = Counter((r.method, r.path) for r in ROWS)
    assert [key for key, n in by_path.items() if n > 1] == []
    by_route = Counter((r.method, r.route_path) for r in ROWS)
    assert [key for key, n in by_route.items() if n > 1] == []


def test_parse_permissions_of_the_catalogue_vocabulary() -> None:
    assert parse_permissions("None") == ()
    assert parse_permissions("Permissions vary") == ()
    assert parse_permissions("View Harvests; Manage Harvests") == (
        "View Harvests",
        "Manage Harvests",
    )


def test_every_row_is_mounted(client: TestClient) -> None:
    app: Any = client.app
    mounted = {
        (method, route.path)
        for route in app.routes
        for method in (getattr(route, "methods", None) or ())
    }
    missing = [row_id(r) for r in ROWS if (r.method, r.route_path) not in mounted]
    assert missing == []


# --- routing: each row is reached by its own path, fixed words before parameters


def matched_route(client: TestClient, method: str, path: str) -> BaseRoute | None:
    """The route the router would pick for `method path` (the first full match), if any."""
    app: Any = client.app
    scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    for route in app.router.routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return route  # type: ignore[no-any-return]
    return None


def route_name(endpoint: Endpoint) -> str:
    return f"metrc {endpoint.method} {endpoint.path}"


@ALL
def test_row_path_routes_to_the_row(client: TestClient, endpoint: Endpoint) -> None:
    route = matched_route(client, endpoint.method, concrete_path(endpoint))
    assert route is not None
    assert getattr(route, "name", None) == route_name(endpoint)


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/packages/v2/active", "/packages/v2/active"),
        ("GET", "/packages/v2/123", "/packages/v2/{id}"),
        ("GET", "/packages/v2/ABC", "/packages/v2/{label}"),
        ("GET", "/packages/v2/1A4FF0300000029000000123", "/packages/v2/{label}"),
        ("GET", "/packages/v1/active", "/packages/v1/active"),
        ("GET", "/packages/v1/123", "/packages/v1/{id}"),
        ("GET", "/packages/v1/ABC", "/packages/v1/{label}"),
        ("GET", "/plants/v2/vegetative", "/plants/v2/vegetative"),
        ("GET", "/plants/v2/55", "/plants/v2/{id}"),
        ("GET", "/plants/v2/ABC", "/plants/v2/{label}"),
    ],
)
def test_fixed_segments_win_over_parameters(
    client: TestClient, method: str, path: str, expected: str
) -> None:
    route = matched_route(client, method, path)
    assert route is not None
    assert getattr(route, "name", None) == f"metrc {method} {expected}"


# --- one shared set of callers for the request tests


@dataclass
class Callers:
    """Facilities and users made for this module, so no other test's data is touched."""

    ledger: Ledger
    licenses: dict[str, str]  # facility licence type -> licence number
    headers: dict[str, str]  # a user with every permission at each of `licenses`
    stranger_license: str  # a facility that user has no access to
    _by_permissions: dict[tuple[str, frozenset[str]], dict[str, str]]

    def license_for(self, endpoint: Endpoint) -> str:
        return self.licenses[FACILITY_TYPE[endpoint.license_type]]

    def user_with(self, license_number: str, permissions: frozenset[str]) -> dict[str, str]:
        """Headers of a user employed at `license_number` holding exactly `permissions`."""
        key = (license_number, permissions)
        if key not in self._by_permissions:
            self._by_permissions[key] = self.ledger.user({license_number: sorted(permissions)})
        return self._by_permissions[key]


@pytest.fixture(scope="module")
def callers(ledger: Ledger) -> Callers:
    licenses = {
        license_type: ledger.facility(license_type).license_number
        for license_type in sorted(set(FACILITY_TYPE.values()))
    }
    headers = ledger.user({number: all_permissions() for number in licenses.values()})
    stranger = ledger.facility("Cultivator").license_number
    ledger.user({stranger: all_permissions()})  # someone works there, just not our user
    return Callers(ledger, licenses, headers, stranger, {})


def send(
    client: TestClient,
    endpoint: Endpoint,
    headers: dict[str, str] | None,
    *,
    license_number: str | None = None,
    query: dict[str, str] | None = None,
    body: Any = None,
    trailing_slash: bool = False,
) -> httpx.Response:
    params = dict(query or {})
    if license_number is not None and endpoint.scope is Scope.FACILITY:
        params["licenseNumber"] = license_number
    if body is None and endpoint.body is Body.ARRAY:
        body = [{}]
    elif body is None and endpoint.body is Body.OBJECT:
        body = {}
    response = client.request(
        endpoint.method,
        concrete_path(endpoint, trailing_slash=trailing_slash),
        params=params,
        headers=headers or {},
        json=body,
    )
    assert response.status_code != 500, response.text
    return response


def message_of(response: httpx.Response) -> str:
    """The `Message` of an error answer; fails if the body has another shape."""
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert isinstance(body, dict)
    assert isinstance(body.get("Message"), str)
    assert body["Message"]
    return body["Message"]


def valid_send(
    client: TestClient,
    endpoint: Endpoint,
    callers: Callers,
    full_headers: dict[str, str],
    **kwargs: Any,
) -> httpx.Response:
    return send(
        client, endpoint, full_headers, license_number=callers.license_for(endpoint), **kwargs
    )


# --- authentication


@ALL
def test_missing_or_wrong_credentials_answer_401(
    client: TestClient, callers: Callers, endpoint: Endpoint
) -> None:
    license_number = callers.license_for(endpoint)
    wrong = basic_auth("not-a-vendor-key", "not-a-user-key")
    for headers in (None, wrong):
        response = send(client, endpoint, headers, license_number=license_number)
        assert response.status_code == 401
        message_of(response)


@pytest.fixture(scope="module")
def full_headers(callers: Callers) -> dict[str, str]:
    return callers.headers


def test_one_valid_key_of_the_pair_is_not_enough(client: TestClient, callers: Callers) -> None:
    endpoint = FACILITY_ROWS[0]
    vendor_key = callers.ledger.demo.vendor_key
    for headers in (
        basic_auth(vendor_key, "not-a-user-key"),
        basic_auth("not-a-vendor-key", callers.ledger.demo.user_key),
    ):
        response = send(client, endpoint, headers, license_number=callers.license_for(endpoint))
        assert response.status_code == 401
        message_of(response)


@pytest.mark.parametrize(
    "authorization",
    ["Bearer abc", "Basic", "Basic !!!notbase64!!!", "Basic bm9jb2xvbg=="],  # last: "nocolon"
)
def test_malformed_authorization_answers_401(client: TestClient, authorization: str) -> None:
    response = client.get("/facilities/v2/", headers={"Authorization": authorization})
    assert response.status_code == 401
    message_of(response)


# --- licence scoping and permissions


@rows_param(FACILITY_ROWS)
def test_licence_without_access_answers_401(
    client: TestClient, callers: Callers, endpoint: Endpoint, full_headers: dict[str, str]
) -> None:
    response = send(client, endpoint, full_headers, license_number=callers.stranger_license)
    assert response.status_code == 401
    message_of(response)


def test_unknown_licence_number_answers_401(
    client: TestClient, full_headers: dict[str, str]
) -> None:
    endpoint = FACILITY_ROWS[0]
    response = send(client, endpoint, full_headers, license_number="NO-SUCH-LICENCE")
    assert response.status_code == 401
    message_of(response)


@rows_param(one_per_kind(FACILITY_ROWS))
def test_missing_licence_number_answers_400(
    client: TestClient, endpoint: Endpoint, full_headers: dict[str, str]
) -> None:
    response = send(client, endpoint, full_headers)
    assert response.status_code == 400
    message_of(response)


@rows_param(WITH_PERMISSIONS)
def test_employee_without_the_permissions_answers_403(
    client: TestClient, callers: Callers, endpoint: Endpoint
) -> None:
    license_number = callers.license_for(endpoint)
    headers = callers.user_with(license_number, frozenset())
    response = send(client, endpoint, headers, license_number=license_number)
    assert response.status_code == 403
    message = message_of(response)
    assert endpoint.permissions[0] in message


ROUTE_MISSES = {"No such endpoint.", "Method not allowed on this endpoint."}


def missed_the_route(response: httpx.Response) -> bool:
    """A 404/405 from the router itself, as opposed to a row answering that an object is missing."""
    if response.status_code not in (404, 405):
        return False
    body = response.json()
    return isinstance(body, dict) and body.get("Message") in ROUTE_MISSES


@rows_param(WITH_PERMISSIONS)
def test_employee_with_exactly_the_permissions_gets_past_the_check(
    client: TestClient, callers: Callers, endpoint: Endpoint
) -> None:
    license_number = callers.license_for(endpoint)
    headers = callers.user_with(license_number, frozenset(endpoint.permissions))
    response = send(client, endpoint, headers, license_number=license_number)
    assert response.status_code not in (401, 403), response.text
    assert not missed_the_route(response), response.text


# --- bodies, paging, 501


@rows_param(ARRAY_ROWS)
def test_more_than_ten_objects_answers_413(
    client: TestClient, callers: Callers, endpoint: Endpoint, full_headers: dict[str, str]
) -> None:
    response = valid_send(client, endpoint, callers, full_headers, body=[{}] * 11)
    assert response.status_code == 413
    message_of(response)


@rows_param(one_per_kind(ARRAY_ROWS))
def test_a_body_that_is_not_an_array_answers_400(
    client: TestClient, callers: Callers, endpoint: Endpoint, full_headers: dict[str, str]
) -> None:
    response = valid_send(client, endpoint, callers, full_headers, body={"Name": "x"})
    assert response.status_code == 400
    message_of(response)


@pytest.mark.parametrize(
    "raw",
    [b"", b"   ", b"[{", b'"text"', b"[{}, 3]"],
    ids=["empty", "blank", "broken-json", "string", "non-object-element"],
)
def test_malformed_array_bodies_answer_400(
    client: TestClient, callers: Callers, full_headers: dict[str, str], raw: bytes
) -> None:
    endpoint = next(r for r in ARRAY_ROWS if r.scope is Scope.FACILITY)
    response = client.request(
        endpoint.method,
        concrete_path(endpoint),
        params={"licenseNumber": callers.license_for(endpoint)},
        headers={**full_headers, "Content-Type": "application/json"},
        content=raw,
    )
    assert response.status_code == 400
    body = response.json()
    if raw == b"[{}, 3]":  # the offending element is named by its index
        assert body == [{"row": 1, "message": body[0]["message"]}]
    else:
        message_of(response)


@rows_param(PAGED_ROWS)
def test_bad_paging_answers_400(
    client: TestClient, callers: Callers, endpoint: Endpoint, full_headers: dict[str, str]
) -> None:
    for query in (
        {"pageSize": "21"},
        {"pageSize": "0"},
        {"pageNumber": "abc"},
        {"pageNumber": "0"},
    ):
        response = valid_send(client, endpoint, callers, full_headers, query=query)
        assert response.status_code == 400, query
        message_of(response)


@ALL
def test_valid_request_reaches_the_row_with_or_without_trailing_slash(
    client: TestClient, callers: Callers, endpoint: Endpoint, full_headers: dict[str, str]
) -> None:
    """A row without a handler answers 501 naming itself; an implemented row answers a minimal
    request (sample path values, `[{}]` bodies) with something other than a crash or a 501."""
    for trailing_slash in (False, True):
        response = valid_send(
            client, endpoint, callers, full_headers, trailing_slash=trailing_slash
        )
        if endpoint.handler is None:
            assert response.status_code == 501, response.text
            assert endpoint.path in message_of(response)
            continue
        assert response.status_code not in (500, 501), response.text
        assert not missed_the_route(response), response.text
        if response.status_code >= 400:
            body = response.json()
            if isinstance(body, list):  # row-indexed validation errors
                assert body and all({"row", "message"} <= set(item) for item in body)
            else:
                message_of(response)


@rows_param(ID_ROWS)
def test_an_id_too_large_for_sql_is_not_a_crash(
    client: TestClient, callers: Callers, endpoint: Endpoint, full_headers: dict[str, str]
) -> None:
    """{id} matches any run of digits; one past 64 bits must not reach the database as is."""
    path = concrete_path(endpoint).replace(str(MISSING_ID), "9" * 25)
    params = {"licenseNumber": callers.license_for(endpoint)}
    body = [{}] if endpoint.body is Body.ARRAY else {} if endpoint.body is Body.OBJECT else None
    response = client.request(endpoint.method, path, params=params, headers=full_headers, json=body)
    assert response.status_code != 500, response.text
    if endpoint.handler is None:
        assert response.status_code in (404, 501)
    if response.status_code >= 400 and not isinstance(response.json(), list):
        message_of(response)


# --- unknown paths and methods


@pytest.mark.parametrize(
    "path",
    [
        "/nothing/here",
        "/packages/v3/active",
        "/packages/v2/active/extra/segments",
        "/harvests/v2/not-a-number",  # {id} takes digits only
        "/",
    ],
)
def test_unknown_path_answers_404_json(
    client: TestClient, path: str, full_headers: dict[str, str]
) -> None:
    response = client.get(path, headers=full_headers)
    assert response.status_code == 404
    message_of(response)


def test_wrong_method_on_a_known_path_answers_405_json(
    client: TestClient, full_headers: dict[str, str]
) -> None:
    response = client.request("PATCH", "/packages/v2/active", headers=full_headers)
    assert response.status_code == 405
    message_of(response)
