"""Finding a request's row by path segments (dialects/kit/dispatch.py)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request
from starlette.responses import Response

from leafledger.dialects.kit.dispatch import Routes
from leafledger.dialects.kit.endpoint import Endpoint
from leafledger.dialects.metrc.table import ROWS
from tests.conftest import DemoAccess


def _routes(*paths: tuple[str, str]) -> Routes:
    routes = Routes()
    for method, path in paths:
        endpoint = Endpoint("R", "UNIVERSAL", "v2", method, path, ())

        async def view(_request: Request, path: str = path) -> Response:
            return Response(path)

        routes.add(endpoint, view)
    return routes


def _found(routes: Routes, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
    hit = routes.find(method, path)
    if hit is None:
        return None
    view, params = hit
    return view.__defaults__[0], params  # type: ignore[attr-defined]


ROUTES = _routes(
    ("GET", "/packages/v2/active"),
    ("GET", "/packages/v2/{id}"),
    ("GET", "/packages/v2/{label}"),
    ("GET", "/packages/v2/{label}/history"),
    ("PUT", "/packages/v2/{id}/note"),
    ("GET", "/sales/v1/transactions/{date}"),
    ("GET", "/sales/v1/transactions/{start}/{end}"),
)


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/packages/v2/active", ("/packages/v2/active", {})),
        ("GET", "/packages/v2/42", ("/packages/v2/{id}", {"id": 42})),
        ("GET", "/packages/v2/1A4F00", ("/packages/v2/{label}", {"label": "1A4F00"})),
        # A number is an id first; where no id row goes on, the text row takes it.
        ("GET", "/packages/v2/42/history", ("/packages/v2/{label}/history", {"label": "42"})),
        ("PUT", "/packages/v2/42/note", ("/packages/v2/{id}/note", {"id": 42})),
        ("GET", "/sales/v1/transactions/2026-01-01", ("/sales/v1/transactions/{date}", {})),
        (
            "GET",
            "/sales/v1/transactions/a/b",
            ("/sales/v1/transactions/{start}/{end}", {"start": "a", "end": "b"}),
        ),
        # Unicode digits are not ids (the router matches [0-9] only).
        ("GET", "/packages/v2/\u0663", ("/packages/v2/{label}", {"label": "\u0663"})),
    ],
)
def test_the_most_specific_row_wins(method: str, path: str, expected: Any) -> None:
    found = _found(ROUTES, method, path)
    assert found is not None
    if path.startswith("/sales/v1/transactions/2026"):
        assert found[0] == expected[0] and found[1] == {"date": "2026-01-01"}
    else:
        assert found == expected


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/packages/v2/active"),  # no such method: left to FastAPI (405)
        ("GET", "/packages/v2"),
        ("GET", "/packages/v2/1/2/3"),
        ("GET", "/packages//active"),
        ("GET", "/nothing/here"),
    ],
)
def test_anything_else_is_left_to_the_framework(method: str, path: str) -> None:
    assert _found(ROUTES, method, path) is None


def test_every_row_of_the_table_is_found_at_its_own_path() -> None:
    routes = Routes()
    for endpoint in ROWS:

        async def view(_request: Request, endpoint: Endpoint = endpoint) -> Response:
            return Response(endpoint.path)

        routes.add(endpoint, view)
    for endpoint in ROWS:
        path = endpoint.path.replace("{id}", "7")
        for name in endpoint.params:
            path = path.replace("{" + name + "}", "X1")
        hit = routes.find(endpoint.method, path.rstrip("/") or "/")
        assert hit is not None, endpoint.path
        assert hit[0].__defaults__[0] == endpoint  # type: ignore[attr-defined]


def test_the_app_answers_404_and_405_in_json(client: TestClient, demo: DemoAccess) -> None:
    missing = client.get("/nothing/here", headers=demo.headers)
    assert missing.status_code == 404 and "Message" in missing.json()
    wrong_method = client.delete("/facilities/v2/", headers=demo.headers)
    assert wrong_method.status_code == 405 and "Message" in wrong_method.json()
