"""Hostile or malformed requests to the Trace rows answer a Trace error, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from tests.trace.conftest import TraceClient

HUGE = "9" * 25

BODIES: list[Any] = [
    [],
    ["a"],
    "text",
    42,
    None,
    {"name": None, "type": None},
    {"name": 5, "type": {"id": {"nested": True}}},
    {"name": "x" * 500, "type": {"id": "COLOC0001"}},
    {"name": "ok", "type": {"id": "9" * 40}},
    {"name": "ok", "type": "COLOC0001"},
    {"license": "LIC", "name": "ok", "type": {"id": "1"}},
    {"license": {"license_number": 7}, "name": "ok", "type": {"id": "1"}},
    {"name": "ok", "type": {"id": "1"}, "entity_state": "inactive"},
    {"name": "ok", "type": {"id": "1"}, "entity_state": [{"reason": "no state"}]},
]


@pytest.mark.parametrize("body", BODIES, ids=[repr(b)[:40] for b in BODIES])
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_malformed_bodies_are_400(fresh: TraceClient, method: str, body: Any) -> None:
    made = fresh.create("Target")
    suffix = "" if method == "POST" else f"/{made['id']}"
    response = fresh.client.request(
        method,
        fresh.url(suffix),
        params={"license_number": fresh.license_number},
        json=body,
        headers=fresh.access.headers,
    )
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        assert response.json()["errors"][0]["detail"]


def test_broken_json_is_400(fresh: TraceClient) -> None:
    response = fresh.client.post(
        fresh.url(),
        params={"license_number": fresh.license_number},
        content=b"{not json",
        headers={**fresh.access.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["errors"][0]["detail"]


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_huge_ids_are_404(fresh: TraceClient, method: str) -> None:
    response = fresh.client.request(
        method,
        fresh.url(f"/{HUGE}"),
        params={"license_number": fresh.license_number},
        json={"name": "x"} if method != "GET" else None,
        headers=fresh.access.headers,
    )
    assert response.status_code == 404, response.text


def test_nul_characters_are_refused(fresh: TraceClient) -> None:
    assert fresh.get(entity_state="act\x00ive").status_code == 400
    response = fresh.send("POST", "", {"name": "bad\x00name", "type": {"id": "1"}})
    assert response.status_code == 400


def test_huge_limit_and_offset_are_400(fresh: TraceClient) -> None:
    assert fresh.get(limit=HUGE).status_code == 400
    assert fresh.get(offset=HUGE).status_code == 400
