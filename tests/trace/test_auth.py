"""Trace credentials: an account key in `x-api-key` and the key pair as a KMP-JSON token."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from leafledger.dialects.trace.dialect import TraceDialect
from tests.conftest import DemoAccess, Ledger
from tests.trace.conftest import TraceAccess, from_basic, kmp_token

LIST = "/co/v1/config/locations"


def _get(
    client: TestClient, demo: DemoAccess, headers: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    response = client.get(
        LIST, params={"license_number": demo.licenses["Cultivator"]}, headers=headers
    )
    return response.status_code, response.json()


def _unauthorized(status: int, body: dict[str, Any]) -> str:
    assert status == 401
    assert body["results"] is None and body["warnings"] == []
    [problem] = body["errors"]
    assert problem["type"] == "unauthorized"
    detail: str = problem["detail"]
    return detail


def test_valid_credentials_are_accepted(
    client: TestClient, demo: DemoAccess, trace: TraceAccess
) -> None:
    status, body = _get(client, demo, trace.headers)
    assert status == 200
    assert body["results"]["type"] == "array"


def test_missing_api_key_is_401(client: TestClient, demo: DemoAccess, trace: TraceAccess) -> None:
    headers = {"Authorization": trace.headers["Authorization"]}
    assert "x-api-key" in _unauthorized(*_get(client, demo, headers))


@pytest.mark.parametrize("api_key", ["not-a-key", "x" * 40])
def test_invalid_api_key_is_401(
    client: TestClient, demo: DemoAccess, trace: TraceAccess, api_key: str
) -> None:
    headers = {**trace.headers, "x-api-key": api_key}
    assert "Trace API key" in _unauthorized(*_get(client, demo, headers))


def test_api_key_with_a_right_prefix_but_wrong_rest_is_401(
    client: TestClient, demo: DemoAccess, trace: TraceAccess
) -> None:
    forged = trace.api_key[:8] + "A" * (len(trace.api_key) - 8)
    _unauthorized(*_get(client, demo, {**trace.headers, "x-api-key": forged}))


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "authorization",
    [
        "",
        "Basic abc",
        "KMP-JSON",
        "KMP-JSON token=",
        "KMP-JSON token=!!!not-base64!!!",
        "KMP-JSON token=" + _b64("{not json"),
        "KMP-JSON token=" + _b64('["a", "b"]'),
        "KMP-JSON token=" + _b64('{"vendor-key": "a"}'),
        "KMP-JSON token=" + _b64("no separator"),
    ],
)
def test_malformed_token_is_401(
    client: TestClient, demo: DemoAccess, trace: TraceAccess, authorization: str
) -> None:
    headers = {"x-api-key": trace.api_key, "Authorization": authorization}
    assert _unauthorized(*_get(client, demo, headers))


def test_wrong_keys_in_a_well_formed_token_are_401(
    client: TestClient, demo: DemoAccess, trace: TraceAccess
) -> None:
    for vendor_key, user_key in [
        (demo.vendor_key, "wrong-user-key"),
        ("wrong-vendor-key", demo.user_key),
        ("", demo.user_key),
    ]:
        headers = {"x-api-key": trace.api_key, "Authorization": kmp_token(vendor_key, user_key)}
        _unauthorized(*_get(client, demo, headers))


def test_metrc_basic_credentials_alone_are_refused(client: TestClient, demo: DemoAccess) -> None:
    _unauthorized(*_get(client, demo, demo.headers))


def test_colon_form_of_the_token_is_accepted(
    client: TestClient, demo: DemoAccess, trace: TraceAccess
) -> None:
    token = _b64(f"{demo.vendor_key}:{demo.user_key}")
    headers = {"x-api-key": trace.api_key, "Authorization": f"KMP-JSON token={token}"}
    status, _ = _get(client, demo, headers)
    assert status == 200


def test_token_decoding() -> None:
    keys = json.dumps({"vendor-key": "v", "api-key": "u"})
    unpadded = base64.b64encode(keys.encode()).decode().rstrip("=")

    class FakeRequest:
        headers = {"x-api-key": "k", "authorization": f'kmp-json  token="{unpadded}"'}

    assert TraceDialect().credentials(FakeRequest()) == ("v", "u")  # type: ignore[arg-type]


def test_licence_the_user_does_not_work_at_is_401(
    client: TestClient, trace: TraceAccess, ledger: Ledger
) -> None:
    facility = ledger.facility("Cultivator")  # the demo user is not employed there
    response = client.get(
        LIST, params={"license_number": facility.license_number}, headers=trace.headers
    )
    assert "licence" in _unauthorized(response.status_code, response.json())


def test_missing_permission_is_403(client: TestClient, trace: TraceAccess, ledger: Ledger) -> None:
    facility = ledger.facility("Cultivator")
    vendor_key, user_key = from_basic(ledger.user({facility.license_number: ["View Packages"]}))
    response = client.get(
        LIST,
        params={"license_number": facility.license_number},
        headers=trace.headers_for(vendor_key, user_key),
    )
    assert response.status_code == 403
    [problem] = response.json()["errors"]
    assert problem["type"] == "forbidden"
    assert "Manage Locations" in problem["detail"]


def test_missing_licence_number_is_400(client: TestClient, trace: TraceAccess) -> None:
    response = client.get(LIST, headers=trace.headers)
    assert response.status_code == 400
    [problem] = response.json()["errors"]
    assert problem["type"] == "bad_request"
    assert "licence number" in problem["detail"].lower()
