"""Trace fixtures: the demo sandbox's Trace key and headers built from any Metrc key pair."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, replace
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
    """Calls to one resource of the Trace table for one facility (its licence and state)."""

    client: TestClient
    access: TraceAccess
    license_number: str
    state: str = "co"
    resource: str = "config/locations"

    def at(self, resource: str) -> TraceClient:
        """The same facility's calls to another resource ("plant_batches", "config/strains")."""
        return replace(self, resource=resource)

    def url(self, suffix: str = "") -> str:
        return f"/{self.state}/v1/{self.resource}{suffix}"

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
        """A new location (on the locations resource)."""
        response = self.send("POST", "", {"name": name, "parent_id": None, "type": {"id": type_id}})
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()["results"]["data"]
        return data

    def data(self, method: str, suffix: str = "", body: dict[str, Any] | None = None) -> Any:
        """The `results.data` of a call that must succeed (GET when `body` is None)."""
        response = self.get(suffix) if method == "GET" else self.send(method, suffix, body or {})
        assert response.status_code == 200, (method, self.url(suffix), response.text)
        return response.json()["results"]["data"]

    def refused(self, method: str, suffix: str, body: dict[str, Any]) -> str:
        """The detail of a 400 in the Trace envelope, for a call that must be refused."""
        response = self.send(method, suffix, body)
        assert response.status_code == 400, response.text
        payload = response.json()
        assert payload["results"] is None and payload["warnings"] == []
        [problem] = payload["errors"]
        assert problem["type"] == "bad_request"
        detail: str = problem["detail"]
        return detail


@pytest.fixture
def fresh(client: TestClient, trace: TraceAccess, ledger: Ledger) -> TraceClient:
    """A new Colorado cultivator the demo user manages, seen through the Trace dialect."""
    facility = ledger.facility("Cultivator")
    ledger.grant_demo_user(facility.license_number)
    return TraceClient(client, trace, facility.license_number)


@dataclass(frozen=True)
class MetrcCalls:
    """Calls to the Metrc dialect for the same facility as a TraceClient (v2 unless told)."""

    client: TestClient
    headers: dict[str, str]
    license_number: str

    def call(self, method: str, path: str, body: Any = None, **query: str) -> Any:
        response = self.client.request(
            method,
            path,
            params={"licenseNumber": self.license_number, **query},
            headers=self.headers,
            json=body,
        )
        assert response.status_code == 200, (method, path, response.text)
        return response.json() if response.content else None

    def listed(self, path: str) -> list[dict[str, Any]]:
        """Every record of a v2 list."""
        body = self.call("GET", path)
        records: list[dict[str, Any]] = body["Data"] if isinstance(body, dict) else body
        return records


@pytest.fixture
def metrc(fresh: TraceClient, demo: DemoAccess) -> MetrcCalls:
    """The Metrc dialect, at the `fresh` facility."""
    return MetrcCalls(fresh.client, demo.headers, fresh.license_number)


def issued_tags(store: Any, license_number: str, kind: str, count: int) -> list[str]:
    """Tag labels issued to a facility, in sequence."""
    from leafledger.domain.actor import CLI
    from leafledger.domain.services.facilities import get_facility
    from leafledger.domain.services.tags import issue_tags

    with store.transaction() as session:
        tags = issue_tags(session, CLI, get_facility(session, license_number), kind, count)
        return [tag.label for tag in tags]


def assert_fixed_page_cost(trace: TraceClient, store: Any, **params: Any) -> None:
    """A page of one record and a page of three cost the same statements (the list must
    hold three or more)."""
    from tests.statements import page_statements

    found = page_statements(
        trace.client,
        store.engine,
        trace.url(),
        trace.access.headers,
        {"license_number": trace.license_number, **params},
        sizes=(1, 3),
        size_param="limit",
    )
    assert [records for records, _ in found.values()] == [1, 3]
    assert found[1][1] == found[3][1], found


@pytest.fixture
def grow(fresh: TraceClient, metrc: MetrcCalls, store: Any) -> Any:
    """A room and a strain at the `fresh` facility, and the Trace calls that grow there."""
    from tests.conftest import unique
    from tests.trace.grow import Grow

    room = fresh.create(unique("Room"), "COLOC0001")
    strain = fresh.at("config/strains").data("POST", body={"name": unique("Kush")})
    return Grow(fresh, metrc, store, room, strain)
