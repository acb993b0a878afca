"""Trace companies: the caller's facilities of the path's state, with their licences."""

from __future__ import annotations

from fastapi.testclient import TestClient

from leafledger.store import Store
from tests.conftest import Ledger
from tests.statements import page_statements
from tests.trace.conftest import TraceAccess, from_basic


def test_each_facility_of_the_caller_is_a_company(
    client: TestClient, trace: TraceAccess, ledger: Ledger, store: Store
) -> None:
    mine = [
        ledger.facility("Cultivator"),
        ledger.facility("Dispensary"),
        ledger.facility("Cultivator", "CA"),
    ]
    ledger.facility("Cultivator")  # one the caller does not work at
    headers = trace.headers_for(*from_basic(ledger.user({f.license_number: [] for f in mine})))
    response = client.get("/co/v1/companies", headers=headers)
    assert response.status_code == 200, response.text
    companies = response.json()["results"]["data"]
    assert [c["name"] for c in companies] == [
        f.name for f in sorted(mine[:2], key=lambda f: f.license_number)
    ]
    first = next(c for c in companies if c["name"] == mine[0].name)
    assert first["id"] == str(mine[0].id) and first["parent_id"] is None
    [resources] = first["physical_resources"]
    [facility] = resources["facilities"]
    assert facility["id"] == str(mine[0].id) and facility["timezone"] == "America/Denver"
    [licence] = facility["licenses"]
    assert licence["license_number"] == mine[0].license_number
    assert licence["type"] == {"name": "Cultivator"} and licence["end_date"] is None
    assert [h["reason"] for h in first["entity_state"]] == ["company created"]
    [in_california] = client.get("/ca/v1/companies", headers=headers).json()["results"]["data"]
    assert in_california["id"] == str(mine[2].id)
    found = page_statements(
        client, store.engine, "/co/v1/companies", headers, {}, sizes=(1, 2), size_param="limit"
    )
    assert [records for records, _ in found.values()] == [1, 2]
    assert found[1][1] == found[2][1]
