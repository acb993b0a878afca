"""Generated tests: each row of the Trace table checked against the spec and the wire rules.

The rows are read from the table at collection time, so a row that gains a handler moves from
the 501 checks to the "implemented" checks by itself; nothing here lists implemented endpoints.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match

from leafledger.app import create_app
from leafledger.dialects.kit.dispatch import Routes
from leafledger.dialects.kit.endpoint import Body, Endpoint, Scope
from leafledger.dialects.kit.json_body import MAX_OBJECTS
from leafledger.dialects.metrc.table import ROWS as METRC_ROWS
from leafledger.dialects.trace.dialect import MAX_BODY_BYTES, TraceEndpoint
from leafledger.dialects.trace.states import is_trace_path
from leafledger.dialects.trace.table import ROWS
from leafledger.permissions import all_permissions
from leafledger.settings import RateLimits, Settings
from leafledger.store import Store
from tests.conftest import Ledger
from tests.trace.conftest import TraceAccess, from_basic

STATE = "co"  # the state of every facility made here (Ledger.facility's default, CO)
OTHER_STATE = "ca"
MISSING_ID = 987654321  # an id no test creates, so a DELETE /x/{id} never touches real data
HUGE_ID = "9" * 25
# The licence type of the facility a row is exercised at (UNIVERSAL rows work anywhere).
FACILITY_TYPE = {
    "CULTIVATOR": "Cultivator",
    "UNIVERSAL": "Cultivator",
    "MANUFACTURER": "Manufacturer",
    "DISPENSARY": "Dispensary",
    "LAB": "Testing Lab",
    "DISTRIBUTOR": "Distributor",
}
# Rows whose path the spec does not capture (see the table's docstring).
INFERRED = {
    ("GET", "/{state}/v1/companies"),
    ("POST", "/{state}/v1/companies"),
    ("POST", "/{state}/v1/facilities"),
    ("GET", "/{state}/v1/config/additives/types"),
    ("GET", "/{state}/v1/config/products/categories"),
    ("GET", "/{state}/v1/plant_batches/types"),
    ("GET", "/{state}/v1/plant_batches/actions"),
    ("GET", "/{state}/v1/plants/growth_phases"),
    ("GET", "/{state}/v1/plants/actions"),
    ("GET", "/{state}/v1/harvests/types"),
    ("GET", "/{state}/v1/harvests/actions"),
    ("PUT", "/{state}/v1/config/additives/{id}"),
    ("GET", "/{state}/v1/transfers"),
    ("GET", "/{state}/v1/transfers/{id}"),
    ("PUT", "/{state}/v1/transfers/{id}"),
    ("GET", "/{state}/v1/transfers/types"),
    ("GET", "/{state}/v1/transfers/actions"),
    ("GET", "/{state}/v1/lots/types"),
    ("GET", "/{state}/v1/lots/actions"),
    ("GET", "/{state}/v1/lots/adjustment_reasons"),
}
_SPEC_LINE = re.compile(r"^\[[DTF]\]\s+(GET|POST|PUT|DELETE)\s+(/\{state\}/v1/[^\s?]+)")


def row_id(endpoint: Endpoint) -> str:
    return f"{endpoint.method} {endpoint.path}"


def batch_of(endpoint: Endpoint) -> str | None:
    return endpoint.batch if isinstance(endpoint, TraceEndpoint) else None


def concrete_path(
    endpoint: Endpoint, *, state: str = STATE, trailing_slash: bool = False, ids: str = ""
) -> str:
    """The row's path with the state and a sample value in each id parameter."""

    def sample(match: re.Match[str]) -> str:
        return state if match[1] == "state" else ids or str(MISSING_ID)

    path = re.sub(r"{([A-Za-z_]+)}", sample, endpoint.path).rstrip("/")
    return path + "/" if trailing_slash else path


def minimal_body(endpoint: Endpoint) -> Any:
    """The least body a row takes: an empty object, or one empty object in its batch."""
    if endpoint.body is Body.NONE:
        return None
    batch = batch_of(endpoint)
    return {batch: [{}]} if batch else {}


ALL = pytest.mark.parametrize("endpoint", ROWS, ids=row_id)
FACILITY_ROWS = [r for r in ROWS if r.scope is Scope.FACILITY]
CALLER_ROWS = [r for r in ROWS if r.scope is Scope.CALLER]
WITH_PERMISSIONS = [r for r in FACILITY_ROWS if r.permissions]
BODY_ROWS = [r for r in ROWS if r.body is not Body.NONE]
FACILITY_BODY_ROWS = [r for r in BODY_ROWS if r.scope is Scope.FACILITY]
BATCH_ROWS = [r for r in ROWS if batch_of(r)]
PAGED_ROWS = [r for r in ROWS if r.paged]
WINDOWED_ROWS = [r for r in ROWS if r.windowed]
ID_ROWS = [r for r in ROWS if {"id", "lot_id"} & set(r.params)]


def rows_param(rows: list[Endpoint]) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("endpoint", rows, ids=row_id)


# --- the table against the spec


def spec_endpoints(shared_dir: Path) -> set[tuple[str, str]]:
    """The (method, path) pairs the spec lists with a path, and the list twin of each
    "GET by id" (the spec: a GET by id lists when the id is left out)."""
    text = (shared_dir / "spec" / "trace" / "endpoints.md").read_text(encoding="utf-8")
    found = {(m[1], m[2]) for line in text.splitlines() if (m := _SPEC_LINE.match(line))}
    twins = {
        ("GET", path.removesuffix("/{id}"))
        for method, path in found
        if method == "GET" and path.endswith("/{id}")
    }
    return found | twins


def test_table_lists_every_endpoint_of_the_spec(shared_dir: Path) -> None:
    expected = spec_endpoints(shared_dir) | INFERRED
    table = [(r.method, r.path) for r in ROWS]
    assert sorted(set(table) - expected) == []
    assert sorted(expected - set(table)) == []
    assert len(table) == len(expected)


def test_readme_counts_the_rows() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Trace dialect", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"\((\d+) rows:", section)
    assert match is not None and int(match[1]) == len(ROWS)


def test_every_row_is_a_v1_row_under_the_state() -> None:
    for r in ROWS:
        assert r.version == "v1" and r.path.startswith("/{state}/v1/"), row_id(r)
        assert is_trace_path(concrete_path(r)), row_id(r)
        assert r.license_type in FACILITY_TYPE, row_id(r)


def test_lists_are_paged_and_writes_take_an_object() -> None:
    for r in ROWS:
        if r.method in {"POST", "PUT", "DELETE"}:
            assert r.body is Body.OBJECT, row_id(r)
        else:
            assert r.body is Body.NONE, row_id(r)
        if r.windowed:
            assert r.paged, row_id(r)
        if r.method == "GET" and r.scope is Scope.FACILITY and len(r.params) == 1:
            assert r.paged, f"{row_id(r)} lists the facility's records: it must be paged"


def test_permissions_are_names_of_the_metrc_catalogue() -> None:
    known = set(all_permissions())
    for r in ROWS:
        assert set(r.permissions) <= known, row_id(r)
        if r.scope is Scope.CALLER:
            assert r.permissions == (), row_id(r)


def test_no_metrc_path_looks_like_a_trace_path() -> None:
    """The app answers route misses in Trace's shape by the path alone; no Metrc row may
    fall in that space."""
    assert [r.path for r in METRC_ROWS if is_trace_path(r.path)] == []


def test_no_duplicate_rows_or_routes() -> None:
    by_path = Counter((r.method, r.path) for r in ROWS)
    assert [key for key, n in by_path.items() if n > 1] == []
    by_route = Counter((r.method, r.route_path) for r in ROWS)
    assert [key for key, n in by_route.items() if n > 1] == []


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


def route_name(method: str, path: str) -> str:
    return f"trace {method} {path}"


@dataclass
class Marker:
    """A stand-in view that says which row it stands for."""

    endpoint: Endpoint

    async def __call__(self, request: Request) -> Response:
        raise AssertionError("never called")


@pytest.fixture(scope="module")
def tree() -> Routes:
    """The Dispatch tree of both tables, the way the app serves requests."""
    routes = Routes()
    for r in (*METRC_ROWS, *ROWS):
        routes.add(r, Marker(r))
    return routes


def dispatched(tree: Routes, method: str, path: str) -> Endpoint | None:
    found = tree.find(method, path)
    if found is None:
        return None
    view, _ = found
    assert isinstance(view, Marker)
    return view.endpoint


@ALL
def test_row_path_routes_to_the_row(client: TestClient, tree: Routes, endpoint: Endpoint) -> None:
    path = concrete_path(endpoint)
    route = matched_route(client, endpoint.method, path)
    assert route is not None
    assert getattr(route, "name", None) == route_name(endpoint.method, endpoint.path)
    assert dispatched(tree, endpoint.method, path) is endpoint


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/co/v1/config/employees/types", "/{state}/v1/config/employees/types"),
        ("GET", "/co/v1/config/employees/12", "/{state}/v1/config/employees/{id}"),
        ("GET", "/co/v1/config/employees", "/{state}/v1/config/employees"),
        ("GET", "/co/v1/config/locations/types", "/{state}/v1/config/locations/types"),
        ("GET", "/co/v1/config/additives/types", "/{state}/v1/config/additives/types"),
        ("GET", "/co/v1/sales/actions", "/{state}/v1/sales/actions"),
        ("GET", "/co/v1/sales/tax_types", "/{state}/v1/sales/tax_types"),
        ("GET", "/co/v1/sales/55", "/{state}/v1/sales/{id}"),
        ("POST", "/co/v1/transfers/template", "/{state}/v1/transfers/template"),
        ("PUT", "/co/v1/transfers/template/5", "/{state}/v1/transfers/template/{id}"),
        ("PUT", "/co/v1/transfers/5", "/{state}/v1/transfers/{id}"),
        ("GET", "/co/v1/labs/results/77", "/{state}/v1/labs/results/{lot_id}"),
        ("GET", "/co/v1/lots/types", "/{state}/v1/lots/types"),
        ("GET", "/co/v1/lots/adjustment_reasons", "/{state}/v1/lots/adjustment_reasons"),
        ("GET", "/co/v1/lots/12", "/{state}/v1/lots/{id}"),
        ("PUT", "/co/v1/lots/12", "/{state}/v1/lots/{id}"),
    ],
)
def test_fixed_segments_win_over_parameters(
    client: TestClient, tree: Routes, method: str, path: str, expected: str
) -> None:
    route = matched_route(client, method, path)
    assert route is not None
    assert getattr(route, "name", None) == route_name(method, expected)
    found = dispatched(tree, method, path)
    assert found is not None and found.path == expected


# --- one shared set of callers for the request tests


@dataclass
class Callers:
    """Facilities and users made for this module, so no other test's data is touched."""

    ledger: Ledger
    access: TraceAccess
    licenses: dict[str, str]  # facility licence type -> licence number
    headers: dict[str, str]  # a user with every permission at each of `licenses`
    stranger_license: str  # a facility that user has no access to
    _by_permissions: dict[tuple[str, frozenset[str]], dict[str, str]]

    def license_for(self, endpoint: Endpoint) -> str:
        return self.licenses[FACILITY_TYPE[endpoint.license_type]]

    def trace_headers(self, basic: dict[str, str]) -> dict[str, str]:
        return self.access.headers_for(*from_basic(basic))

    def user_with(self, license_number: str, permissions: frozenset[str]) -> dict[str, str]:
        """Trace headers of a user employed at `license_number` holding exactly `permissions`."""
        key = (license_number, permissions)
        if key not in self._by_permissions:
            basic = self.ledger.user({license_number: sorted(permissions)})
            self._by_permissions[key] = self.trace_headers(basic)
        return self._by_permissions[key]


@pytest.fixture(scope="module")
def callers(ledger: Ledger, trace: TraceAccess) -> Callers:
    licenses = {
        license_type: ledger.facility(license_type).license_number
        for license_type in sorted(set(FACILITY_TYPE.values()))
    }
    basic = ledger.user({number: all_permissions() for number in licenses.values()})
    stranger = ledger.facility("Cultivator").license_number
    ledger.user({stranger: all_permissions()})  # someone works there, just not our user
    callers = Callers(ledger, trace, licenses, {}, stranger, {})
    callers.headers = callers.trace_headers(basic)
    return callers


@pytest.fixture(scope="module")
def full_headers(callers: Callers) -> dict[str, str]:
    return callers.headers


NO_BODY = object()


def send(
    client: TestClient,
    endpoint: Endpoint,
    headers: dict[str, str] | None,
    *,
    license_number: str | None = None,
    state: str = STATE,
    query: dict[str, str] | None = None,
    body: Any = NO_BODY,
    trailing_slash: bool = False,
) -> httpx.Response:
    params = dict(query or {})
    if license_number is not None and endpoint.scope is Scope.FACILITY:
        params["license_number"] = license_number
    response = client.request(
        endpoint.method,
        concrete_path(endpoint, state=state, trailing_slash=trailing_slash),
        params=params,
        headers=headers or {},
        json=minimal_body(endpoint) if body is NO_BODY else body,
    )
    assert response.status_code != 500, response.text
    return response


def valid_send(
    client: TestClient, endpoint: Endpoint, callers: Callers, **kwargs: Any
) -> httpx.Response:
    license_number = callers.license_for(endpoint)
    return send(client, endpoint, callers.headers, license_number=license_number, **kwargs)


def problem_of(response: httpx.Response, kind: str | None = None) -> dict[str, Any]:
    """The one problem of a Trace error answer; fails if the body has another shape."""
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"results", "warnings", "errors"}, body
    assert body["results"] is None and body["warnings"] == []
    [problem] = body["errors"]
    assert isinstance(problem["type"], str) and isinstance(problem["detail"], str)
    assert problem["detail"]
    if kind is not None:
        assert problem["type"] == kind, problem
    result: dict[str, Any] = problem
    return result


def detail_of(response: httpx.Response, kind: str | None = None) -> str:
    detail: str = problem_of(response, kind)["detail"]
    return detail


ROUTE_MISSES = {"No such endpoint.", "Method not allowed on this endpoint."}


def past_the_scope(response: httpx.Response) -> bool:
    """The request got past credentials, licence and permissions (whatever the row said next)."""
    if response.status_code in (401, 403):
        return False
    return response.status_code != 400 or "licence number" not in detail_of(response).lower()


def missed_the_route(response: httpx.Response) -> bool:
    """A 404/405 from the router itself, as opposed to a row answering that an object is missing."""
    if response.status_code not in (404, 405):
        return False
    return detail_of(response) in ROUTE_MISSES


# --- authentication: both headers, on every row


def wrong_credentials(access: TraceAccess, vendor_key: str, user_key: str) -> list[dict[str, str]]:
    good = access.headers_for(vendor_key, user_key)
    return [
        {},
        {"Authorization": good["Authorization"]},  # no x-api-key
        {"x-api-key": access.api_key},  # no Authorization
        {**good, "x-api-key": "not-a-trace-key"},
        access.headers_for("not-a-vendor-key", "not-a-user-key"),
        access.headers_for(vendor_key, "not-a-user-key"),
        {**good, "Authorization": "Basic " + good["Authorization"].split("=", 1)[1]},
    ]


@ALL
def test_missing_or_wrong_credentials_answer_401(
    client: TestClient, callers: Callers, endpoint: Endpoint
) -> None:
    license_number = callers.license_for(endpoint)
    demo = callers.ledger.demo
    for headers in wrong_credentials(callers.access, demo.vendor_key, demo.user_key):
        response = send(client, endpoint, headers, license_number=license_number)
        assert response.status_code == 401, headers
        problem_of(response, "unauthorized")


# --- licence scoping and permissions


@rows_param(FACILITY_ROWS)
def test_licence_without_access_answers_401(
    client: TestClient, callers: Callers, endpoint: Endpoint, full_headers: dict[str, str]
) -> None:
    response = send(client, endpoint, full_headers, license_number=callers.stranger_license)
    assert response.status_code == 401
    assert callers.stranger_license in detail_of(response, "unauthorized")


@rows_param(FACILITY_BODY_ROWS)
def test_licence_named_only_in_the_body_is_scoped_too(
    client: TestClient, callers: Callers, endpoint: Endpoint, full_headers: dict[str, str]
) -> None:
    """Trace clients name the licence in the body; a stranger's licence there is a 401, the
    user's own gets past the scope (and past a batch's objects, if that is where it is)."""
    for license_number, allowed in ((callers.stranger_license, False), (None, True)):
        named = {"license": {"license_number": license_number or callers.license_for(endpoint)}}
        batch = batch_of(endpoint)
        body = {batch: [named]} if batch else named
        response = send(client, endpoint, full_headers, body=body)
        if allowed:
            assert past_the_scope(response), response.text
        else:
            assert response.status_code == 401
            problem_of(response, "unauthorized")


@rows_param(FACILITY_BODY_ROWS)
def test_a_body_naming_another_licence_answers_400(
    client: TestClient, callers: Callers, endpoint: Endpoint
) -> None:
    named = {"license": {"license_number": callers.stranger_license}}
    batch = batch_of(endpoint)
    body = {batch: [{}, named]} if batch else named
    response = valid_send(client, endpoint, callers, body=body)
    assert response.status_code == 400
    problem = problem_of(response, "bad_request")
    assert callers.stranger_license in problem["detail"]
    if batch:
        assert problem["row"] == 1


@rows_param(FACILITY_ROWS)
def test_missing_licence_number_answers_400(
    client: TestClient, endpoint: Endpoint, full_headers: dict[str, str]
) -> None:
    response = send(client, endpoint, full_headers)
    assert response.status_code == 400
    assert "licence number" in detail_of(response, "bad_request").lower()


@rows_param(CALLER_ROWS)
def test_caller_rows_need_no_licence(
    client: TestClient, endpoint: Endpoint, full_headers: dict[str, str]
) -> None:
    response = send(client, endpoint, full_headers)
    assert past_the_scope(response), response.text


@rows_param(WITH_PERMISSIONS)
def test_employee_without_the_permissions_answers_403(
    client: TestClient, callers: Callers, endpoint: Endpoint
) -> None:
    license_number = callers.license_for(endpoint)
    headers = callers.user_with(license_number, frozenset())
    response = send(client, endpoint, headers, license_number=license_number)
    assert response.status_code == 403
    assert endpoint.permissions[0] in detail_of(response, "forbidden")


@rows_param(WITH_PERMISSIONS)
def test_employee_with_exactly_the_permissions_gets_past_the_check(
    client: TestClient, callers: Callers, endpoint: Endpoint
) -> None:
    license_number = callers.license_for(endpoint)
    headers = callers.user_with(license_number, frozenset(endpoint.permissions))
    response = send(client, endpoint, headers, license_number=license_number)
    assert response.status_code not in (401, 403), response.text
    assert not missed_the_route(response), response.text


# --- the state in the path


@ALL
def test_unknown_state_answers_404(
    client: TestClient, callers: Callers, endpoint: Endpoint
) -> None:
    for state in ("zz", "xx"):
        response = valid_send(client, endpoint, callers, state=state)
        assert response.status_code == 404
        assert repr(state) in detail_of(response, "not_found")


@rows_param(FACILITY_ROWS)
def test_another_state_than_the_facilitys_answers_400(
    client: TestClient, callers: Callers, endpoint: Endpoint
) -> None:
    response = valid_send(client, endpoint, callers, state=OTHER_STATE)
    assert response.status_code == 400
    detail = detail_of(response, "bad_request")
    assert repr(STATE) in detail and repr(OTHER_STATE) in detail


@rows_param(CALLER_ROWS)
def test_caller_rows_serve_any_known_state(
    client: TestClient, callers: Callers, endpoint: Endpoint
) -> None:
    for state in (OTHER_STATE, "CO"):
        response = valid_send(client, endpoint, callers, state=state)
        assert response.status_code not in (400, 404), response.text


# --- paging and windows


@rows_param(PAGED_ROWS)
def test_bad_paging_answers_400(client: TestClient, callers: Callers, endpoint: Endpoint) -> None:
    for query in (
        {"limit": "0"},
        {"limit": "abc"},
        {"limit": "1001"},
        {"limit": HUGE_ID},
        {"offset": "-1"},
        {"offset": "1.5"},
        {"offset": HUGE_ID},
    ):
        response = valid_send(client, endpoint, callers, query=query)
        assert response.status_code == 400, query
        assert next(iter(query)) in detail_of(response, "bad_request")


@rows_param(PAGED_ROWS)
def test_good_paging_gets_past_the_checks(
    client: TestClient, callers: Callers, endpoint: Endpoint
) -> None:
    response = valid_send(client, endpoint, callers, query={"limit": "1000", "offset": "5"})
    assert response.status_code != 400, response.text


@rows_param(WINDOWED_ROWS)
def test_bad_window_answers_400(client: TestClient, callers: Callers, endpoint: Endpoint) -> None:
    for query in (
        {"start_date": "yesterday"},
        {"end_date": "2024-13-45T00:00:00Z"},
        {"start_date": "2024-01-02T00:00:00Z", "end_date": "2024-01-01T00:00:00Z"},
    ):
        response = valid_send(client, endpoint, callers, query=query)
        assert response.status_code == 400, query
        problem_of(response, "bad_request")


@rows_param(WINDOWED_ROWS)
def test_good_window_gets_past_the_checks(
    client: TestClient, callers: Callers, endpoint: Endpoint
) -> None:
    query = {"start_date": "2024-01-01T00:00:00Z", "end_date": "2024-01-02T00:00:00.5+00:00"}
    response = valid_send(client, endpoint, callers, query=query)
    assert response.status_code != 400, response.text


# --- bodies


@rows_param(BODY_ROWS)
def test_a_body_that_is_not_an_object_answers_400(
    client: TestClient, callers: Callers, endpoint: Endpoint
) -> None:
    for body in ([{}], "text", 7):
        response = valid_send(client, endpoint, callers, body=body)
        assert response.status_code == 400, body
        problem_of(response, "bad_request")


@pytest.mark.parametrize(
    "raw", [b"", b"   ", b"{not json", b'{"a": NaN}'], ids=["empty", "blank", "broken", "nan"]
)
@rows_param(BODY_ROWS)
def test_malformed_bodies_answer_400(
    client: TestClient, callers: Callers, endpoint: Endpoint, raw: bytes
) -> None:
    response = client.request(
        endpoint.method,
        concrete_path(endpoint),
        params={"license_number": callers.license_for(endpoint)},
        headers={**callers.headers, "Content-Type": "application/json"},
        content=raw,
    )
    assert response.status_code == 400
    problem_of(response, "bad_request")


@rows_param(BODY_ROWS)
def test_a_body_too_large_answers_413(
    client: TestClient, callers: Callers, endpoint: Endpoint
) -> None:
    body = {"name": "x" * MAX_BODY_BYTES}
    response = valid_send(client, endpoint, callers, body=body)
    assert response.status_code == 413
    assert str(MAX_BODY_BYTES) in detail_of(response, "payload_too_large")


@rows_param(BATCH_ROWS)
def test_more_objects_than_allowed_answers_413(
    client: TestClient, callers: Callers, endpoint: Endpoint
) -> None:
    batch = batch_of(endpoint)
    assert batch is not None
    for count, status in ((MAX_OBJECTS + 1, 413), (MAX_OBJECTS, None)):
        response = valid_send(client, endpoint, callers, body={batch: [{}] * count})
        if status is None:
            assert response.status_code != 413, response.text
            continue
        assert response.status_code == status
        assert f"At most {MAX_OBJECTS} {batch}" in detail_of(response, "payload_too_large")


@rows_param(BATCH_ROWS)
def test_a_batch_that_is_not_a_list_of_objects_answers_400(
    client: TestClient, callers: Callers, endpoint: Endpoint
) -> None:
    batch = batch_of(endpoint)
    assert batch is not None
    for body, row in (({}, None), ({batch: {}}, None), ({batch: []}, None), ({batch: [{}, 3]}, 1)):
        response = valid_send(client, endpoint, callers, body=body)
        assert response.status_code == 400, body
        problem = problem_of(response, "bad_request")
        assert batch in problem["detail"]
        assert problem.get("row") == row


# --- every row answers: 501 until it has a handler


@ALL
def test_valid_request_reaches_the_row_with_or_without_trailing_slash(
    client: TestClient, callers: Callers, endpoint: Endpoint
) -> None:
    """A row without a handler answers 501 naming itself; an implemented row answers a minimal
    request (sample ids, an empty object body) with something other than a crash or a 501."""
    for trailing_slash in (False, True):
        response = valid_send(client, endpoint, callers, trailing_slash=trailing_slash)
        if endpoint.handler is None:
            assert response.status_code == 501, response.text
            assert endpoint.path in detail_of(response, "not_implemented")
            continue
        assert response.status_code not in (500, 501), response.text
        assert not missed_the_route(response), response.text
        if response.status_code >= 400:
            problem_of(response)
        else:
            assert set(response.json()) == {"results", "warnings"}


@rows_param(ID_ROWS)
def test_an_id_too_large_for_sql_answers_404(
    client: TestClient, callers: Callers, endpoint: Endpoint
) -> None:
    response = client.request(
        endpoint.method,
        concrete_path(endpoint, ids=HUGE_ID),
        params={"license_number": callers.license_for(endpoint)},
        headers=callers.headers,
        json=minimal_body(endpoint),
    )
    assert response.status_code == 404, response.text
    problem_of(response, "not_found")


# --- requests no row serves, under /{state}/v1/


@pytest.mark.parametrize(
    "path",
    [
        "/co/v1/nothing/here",
        "/co/v1",
        "/co/v1/",
        "/zz/v1/config/nothing",
        "/co/v1/config/locations/not-a-number",  # {id} takes digits only
        "/co/v1/labs/results/not-a-number",
        "/co/v1/config/locations/types/extra",
        "/CO/v1/sales/refunds",
    ],
)
def test_unknown_trace_path_answers_404_in_the_trace_envelope(
    client: TestClient, path: str, full_headers: dict[str, str]
) -> None:
    response = client.get(path, headers=full_headers)
    assert response.status_code == 404
    assert detail_of(response, "not_found") == "No such endpoint."


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PATCH", "/co/v1/config/locations"),
        ("DELETE", "/co/v1/config/locations"),
        ("POST", "/co/v1/config/locations/types"),
        ("DELETE", "/co/v1/sales/actions"),
        ("DELETE", "/co/v1/lots/5"),
        ("GET", "/co/v1/transfers/template"),
    ],
)
def test_a_method_the_trace_path_does_not_have_answers_405_in_the_trace_envelope(
    client: TestClient, method: str, path: str, full_headers: dict[str, str]
) -> None:
    response = client.request(method, path, headers=full_headers)
    assert response.status_code == 405
    assert detail_of(response, "method_not_allowed") == "Method not allowed on this endpoint."
    assert method not in response.headers["allow"]


@pytest.mark.parametrize("path", ["/nothing/here", "/co/v2/config/locations", "/cov1/x"])
def test_metrc_paths_keep_metrc_errors(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"Message": "No such endpoint."}
    response = client.request("PATCH", "/locations/v2/active")
    assert response.status_code == 405
    assert response.json() == {"Message": "Method not allowed on this endpoint."}


# --- rate limits


@pytest.fixture
def limited_client(store: Store) -> Iterator[TestClient]:
    """A second app over the same store, with small GET limits (a new app: fresh buckets)."""
    settings = Settings(
        rate_limits=RateLimits(enabled=True, facility_get_per_second=2, integrator_get_per_second=2)
    )
    with TestClient(create_app(store, settings)) as client:
        yield client


@pytest.mark.parametrize(
    "endpoint",
    [next(r for r in ROWS if r.method == "GET" and r.scope is scope) for scope in Scope],
    ids=row_id,
)
def test_too_many_requests_answer_429_with_retry_after(
    limited_client: TestClient, callers: Callers, endpoint: Endpoint
) -> None:
    responses = [valid_send(limited_client, endpoint, callers) for _ in range(60)]
    limited = [r for r in responses if r.status_code == 429]
    assert limited, [r.status_code for r in responses]
    assert responses[0].status_code != 429
    assert "many" in detail_of(limited[0], "too_many_requests").lower()
    retry_after = limited[0].headers["Retry-After"]
    assert retry_after.isdigit() and int(retry_after) >= 1
