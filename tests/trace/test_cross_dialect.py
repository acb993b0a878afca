"""One ledger, two dialects: a location written through one is read through the other."""

from __future__ import annotations

from typing import Any

from tests.conftest import DemoAccess
from tests.trace.conftest import TraceClient


def _metrc(fresh: TraceClient, demo: DemoAccess, method: str, path: str, body: Any = None) -> Any:
    response = fresh.client.request(
        method,
        path,
        params={"licenseNumber": fresh.license_number},
        headers=demo.headers,
        json=body,
    )
    assert response.status_code == 200, response.text
    return response.json() if response.content else None


def test_trace_location_is_listed_by_metrc(fresh: TraceClient, demo: DemoAccess) -> None:
    made = fresh.create("Trace Made", "COLOC0005")
    active = _metrc(fresh, demo, "GET", "/locations/v2/active")["Data"]
    [listed] = [row for row in active if row["Id"] == int(made["id"])]
    assert listed["Name"] == "Trace Made"
    assert listed["LocationTypeName"] == "Drying Room"
    assert listed["ForHarvests"] is True and listed["ForPlants"] is False

    # Archived through Trace: Metrc lists it as inactive.
    fresh.send("DELETE", f"/{made['id']}", {})
    assert int(made["id"]) not in [
        r["Id"] for r in _metrc(fresh, demo, "GET", "/locations/v2/active")["Data"]
    ]
    inactive = _metrc(fresh, demo, "GET", "/locations/v2/inactive")["Data"]
    assert int(made["id"]) in [r["Id"] for r in inactive]


def test_metrc_location_is_listed_by_trace(fresh: TraceClient, demo: DemoAccess) -> None:
    written = _metrc(
        fresh, demo, "POST", "/locations/v2/", [{"Name": "Metrc Made", "LocationTypeName": "Vault"}]
    )
    [location_id] = written["Ids"]
    [listed] = fresh.get().json()["results"]["data"]
    assert listed["id"] == str(location_id)
    assert listed["name"] == "Metrc Made"
    assert listed["type"]["id"] == "COLOC0007"
    assert listed["type"]["characteristics"]["lots"] is True
    assert [h["state"] for h in listed["entity_state"]] == ["active"]
    assert listed["entity_state"][0]["actioned_by"] == "Demo User"

    # Renamed through Trace, the change shows through Metrc; archived through Metrc, Trace
    # shows it as inactive with its history.
    fresh.send("PUT", f"/{location_id}", {"name": "Metrc Made, Trace Renamed"})
    assert _metrc(fresh, demo, "GET", f"/locations/v2/{location_id}")["Name"] == (
        "Metrc Made, Trace Renamed"
    )
    _metrc(fresh, demo, "DELETE", f"/locations/v2/{location_id}")
    assert fresh.get().json()["results"]["data"] == []
    [archived] = fresh.get(entity_state="inactive").json()["results"]["data"]
    assert [h["state"] for h in archived["entity_state"]] == ["active", "inactive"]


def test_name_rule_spans_both_dialects(fresh: TraceClient, demo: DemoAccess) -> None:
    fresh.create("Shared Name")
    response = fresh.client.post(
        "/locations/v2/",
        params={"licenseNumber": fresh.license_number},
        headers=demo.headers,
        json=[{"Name": "Shared Name", "LocationTypeName": "Default"}],
    )
    assert response.status_code == 400
    assert "Shared Name" in response.text
