"""Trace fixtures: the demo sandbox's Trace key and headers built from any Metrc key pair."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from tests.conftest import DemoAccess, Ledger


def kmp_token(vendor_key: str, user_key: str) -> str:
    keys = json.dumps({"vendor-key": vendor_key, "api-key": user_key})
    return "KMP-JSON token=" + base64.b64encode(keys.encode()).decode()


def from_basic(basic_headers: dict[str, str]) -> tuple[str, str]:
    """The (vendor key, user key) pair inside HTTP Basic headers."""
    encoded = basic_headers["Authorization"].split(" ", 1)[1]
    vendor_key, _, user_key = base64.b64decode(encoded).decode().partition(":")
    return vendor_key, user_key


@dataclass(frozen=True)
class TraceAccess:
    api_key: str
    vendor_key: str
    user_key: str

    @property
    def headers(self) -> dict[str, str]:
        return self.headers_for(self.vendor_key, self.user_key)

    def headers_for(self, vendor_key: str, user_key: str) -> dict[str, str]:
        return {"x-api-key": self.api_key, "Authorization": kmp_token(vendor_key, user_key)}


@pytest.fixture(scope="session")
def trace(demo: DemoAccess) -> TraceAccess:
    return TraceAccess(demo.trace_api_key, demo.vendor_key, demo.user_key)


@dataclass(frozen=True)
class TraceClient:
    """Calls to the Trace table for one facility (its licence and state)."""

    client: TestClient
    access: TraceAccess
    license_number: str
    state: str = "co"

    def url(self, suffix: str = "") -> str:
        return f"/{self.state}/v1/config/locations{suffix}"

    def get(self, suffix: str = "", **params: Any) -> Response:
        return self.client.get(
            self.url(suffix),
            params={"license_number": self.license_number, **params},
            headers=self.access.headers,
        )

    def send(self, method: str, suffix: str, body: dict[str, Any]) -> Response:
        return self.client.request(
            method,
            self.url(suffix),
            json={"license": {"license_number": self.license_number}, **body},
            headers=self.access.headers,
        )

    def create(self, name: str, type_id: str = "COLOC0001") -> dict[str, Any]:
        response = self.send("POST", "", {"name": name, "parent_id": None, "type": {"id": type_id}})
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()["results"]["data"]
        return data


@pytest.fixture
def fresh(client: TestClient, trace: TraceAccess, ledger: Ledger) -> TraceClient:
    """A new Colorado cultivator the demo user manages, seen through the Trace dialect."""
    facility = ledger.facility("Cultivator")
    ledger.grant_demo_user(facility.license_number)
    return TraceClient(client, trace, facility.license_number)
