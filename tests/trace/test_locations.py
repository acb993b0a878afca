"""Trace locations: envelope, paging, state in the path, writes, entity_state and history."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from leafledger.domain.actor import CLI
from leafledger.domain.models import Location, PlantBatch, Strain
from leafledger.domain.services.facilities import get_facility
from leafledger.domain.services.locations import NewLocation, create_location
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger, unique
from tests.trace.conftest import TraceAccess, TraceClient

LOCATION_KEYS = {"license", "id", "name", "parent_id", "type", "entity_state"}
CHARACTERISTICS = {"plant_batches", "plants", "harvests", "lots", "quarantine"}


def _problem(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"results", "warnings", "errors"}
    [problem] = body["errors"]
    assert set(problem) >= {"type", "detail"}
    detail: str = problem["detail"]
    return detail


# --- envelope and shapes


def test_create_answers_the_location_in_an_object_envelope(fresh: TraceClient) -> None:
    response = fresh.send(
        "POST", "", {"name": "Veg Room", "parent_id": None, "type": {"id": "COLOC0002"}}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["warnings"] == []
    assert body["results"]["type"] == "object"
    data = body["results"]["data"]
    assert set(data) == LOCATION_KEYS
    assert data["license"] == {
        "license_number": fresh.license_number,
        "type": {"name": "Cultivator"},
    }
    assert data["name"] == "Veg Room" and data["parent_id"] is None
    assert data["id"].isdigit()
    assert data["type"]["id"] == "COLOC0002" and data["type"]["name"] == "Planting"
    assert data["type"]["characteristics"] == {
        "plant_batches": True,
        "plants": True,
        "harvests": False,
        "lots": False,
        "quarantine": False,
    }
    [created] = data["entity_state"]
    assert created["state"] == "active"
    assert created["reason"] == "location created"
    assert created["actioned_by"] == "Demo User"
    assert created["date"].endswith("Z")
    assert fresh.get(f"/{data['id']}").json()["results"] == {"type": "object", "data": data}


def test_types_list(client: TestClient, trace: TraceAccess) -> None:
    response = client.get("/co/v1/config/locations/types", headers=trace.headers)
    assert response.status_code == 200
    results = response.json()["results"]
    assert results["type"] == "array" and "records" not in results
    by_name = {t["name"]: t for t in results["data"]}
    assert len(by_name) == 9
    assert all(set(t) == {"id", "name", "characteristics"} for t in results["data"])
    assert all(set(t["characteristics"]) == CHARACTERISTICS for t in results["data"])
    assert by_name["Default"]["id"] == "COLOC0001"
    assert by_name["Quarantine"]["characteristics"]["quarantine"] is True
    assert by_name["Vault"]["characteristics"] == {
        "plant_batches": False,
        "plants": False,
        "harvests": False,
        "lots": True,
        "quarantine": False,
    }
    other = client.get("/ca/v1/config/locations/types", headers=trace.headers).json()
    assert other["results"]["data"][0]["id"] == "CALOC0001"


@pytest.mark.parametrize(
    "type_ref", [{"id": "2"}, {"id": 2}, {"id": "coloc0002"}, {"name": "planting"}]
)
def test_type_may_be_named_several_ways(fresh: TraceClient, type_ref: dict[str, Any]) -> None:
    response = fresh.send("POST", "", {"name": unique("Room"), "type": type_ref})
    assert response.status_code == 200, response.text
    assert response.json()["results"]["data"]["type"]["name"] == "Planting"


# --- the state in the path


def test_state_must_be_the_facility_state(fresh: TraceClient) -> None:
    made = fresh.create("Flower Room")
    elsewhere = TraceClient(fresh.client, fresh.access, fresh.license_number, state="ca")
    for response in [
        elsewhere.get(),
        elsewhere.get(f"/{made['id']}"),
        elsewhere.send("POST", "", {"name": "X", "type": {"id": "CALOC0001"}}),
        elsewhere.send("PUT", f"/{made['id']}", {"name": "Y"}),
        elsewhere.send("DELETE", f"/{made['id']}", {}),
    ]:
        detail = _problem(response, 400)
        assert "'co'" in detail and "'ca'" in detail
    assert fresh.get(f"/{made['id']}").json()["results"]["data"]["name"] == "Flower Room"


def test_upper_case_state_is_read_as_lower_case(fresh: TraceClient) -> None:
    upper = TraceClient(fresh.client, fresh.access, fresh.license_number, state="CO")
    assert upper.get().status_code == 200


def test_unknown_state_is_404(fresh: TraceClient) -> None:
    unknown = TraceClient(fresh.client, fresh.access, fresh.license_number, state="zz")
    assert "zz" in _problem(unknown.get(), 404)


def test_type_of_another_state_is_refused(fresh: TraceClient) -> None:
    response = fresh.send("POST", "", {"name": "Room", "type": {"id": "CALOC0001"}})
    assert "COLOC0001" in _problem(response, 400)


# --- paging


def test_limit_offset_and_links(fresh: TraceClient) -> None:
    ids = [fresh.create(f"Room {n}")["id"] for n in range(5)]
    first = fresh.get(limit=2).json()["results"]
    assert [d["id"] for d in first["data"]] == ids[:2]
    assert first["records"]["total"] == 5
    assert first["records"]["count"] == "0 - 2"
    assert first["records"]["previous"] is None
    following = urlsplit(first["records"]["next"])
    assert following.path == "/co/v1/config/locations"
    query = parse_qs(following.query)
    assert query["offset"] == ["2"] and query["limit"] == ["2"]
    assert query["license_number"] == [fresh.license_number]

    # The next link, followed as given, answers the second page.
    second = fresh.client.get(first["records"]["next"], headers=fresh.access.headers).json()
    second_results = second["results"]
    assert [d["id"] for d in second_results["data"]] == ids[2:4]
    assert second_results["records"]["count"] == "2 - 4"
    assert parse_qs(urlsplit(second_results["records"]["previous"]).query)["offset"] == ["0"]

    last = fresh.get(limit=2, offset=4).json()["results"]
    assert [d["id"] for d in last["data"]] == ids[4:]
    assert last["records"]["next"] is None
    assert last["records"]["count"] == "4 - 5"

    odd = fresh.get(limit=3, offset=1).json()["results"]
    assert [d["id"] for d in odd["data"]] == ids[1:4]
    assert parse_qs(urlsplit(odd["records"]["previous"]).query)["offset"] == ["0"]

    beyond = fresh.get(offset=50).json()["results"]
    assert beyond["data"] == [] and beyond["records"]["total"] == 5


def test_default_limit_is_100(fresh: TraceClient) -> None:
    fresh.create("Only Room")
    results = fresh.get().json()["results"]
    assert results["records"]["count"] == "0 - 1"
    assert results["records"]["next"] is None and results["records"]["previous"] is None


@pytest.mark.parametrize(
    ("params", "word"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"offset": "x"}, "offset"),
        ({"entity_state": "sleeping"}, "entity_state"),
        ({"start_date": "yesterday"}, "start_date"),
    ],
)
def test_bad_query_parameters_are_400(
    fresh: TraceClient, params: dict[str, str], word: str
) -> None:
    assert word in _problem(fresh.get(**params), 400)


def test_start_and_end_dates_filter_on_last_change(fresh: TraceClient) -> None:
    made = fresh.create("Dated Room")
    assert [
        d["id"] for d in fresh.get(start_date="2000-01-01T00:00:00Z").json()["results"]["data"]
    ] == [made["id"]]
    assert fresh.get(end_date="2000-01-01T00:00:00Z").json()["results"]["data"] == []
    assert fresh.get(start_date="2999-01-01T00:00:00Z").json()["results"]["data"] == []


# --- writes


def test_update_renames_and_retypes(fresh: TraceClient) -> None:
    made = fresh.create("Old Name")
    response = fresh.send(
        "PUT", f"/{made['id']}", {"name": "New Name", "type": {"id": "COLOC0007"}}
    )
    assert response.status_code == 200, response.text
    data = response.json()["results"]["data"]
    assert data["name"] == "New Name" and data["type"]["name"] == "Vault"
    assert data["type"]["characteristics"]["plants"] is False
    assert data["entity_state"] == made["entity_state"]  # a rename is not a state change
    type_only = fresh.send("PUT", f"/{made['id']}", {"type": {"id": "COLOC0001"}})
    assert type_only.json()["results"]["data"]["name"] == "New Name"


def test_names_are_unique_among_active_locations(fresh: TraceClient) -> None:
    fresh.create("Twin")
    duplicate = fresh.send("POST", "", {"name": "Twin", "type": {"id": "COLOC0001"}})
    assert "Twin" in _problem(duplicate, 400)
    other = fresh.create("Other")
    rename = fresh.send("PUT", f"/{other['id']}", {"name": "Twin"})
    assert "Twin" in _problem(rename, 400)


@pytest.mark.parametrize(
    ("body", "word"),
    [
        ({"type": {"id": "COLOC0001"}}, "name"),
        ({"name": "No Type"}, "type"),
        ({"name": "Bad Type", "type": {"id": "COLOC0099"}}, "type"),
        ({"name": "Nested", "parent_id": "12", "type": {"id": "COLOC0001"}}, "parent_id"),
        ({"name": "", "type": {"id": "COLOC0001"}}, "name"),
    ],
)
def test_invalid_bodies_are_400(fresh: TraceClient, body: dict[str, Any], word: str) -> None:
    assert word in _problem(fresh.send("POST", "", body), 400)


def test_body_licence_is_used_and_must_match(fresh: TraceClient, demo: DemoAccess) -> None:
    body = {"name": "Body Licence", "type": {"id": "COLOC0001"}}
    # No query parameter: the licence comes from the body (both of Trace's spellings).
    nested = fresh.client.post(
        fresh.url(),
        json={"license": {"license_number": fresh.license_number}, **body},
        headers=fresh.access.headers,
    )
    assert nested.status_code == 200, nested.text
    flat = fresh.client.post(
        fresh.url(),
        json={"license_number": fresh.license_number, **body, "name": "Flat Licence"},
        headers=fresh.access.headers,
    )
    assert flat.status_code == 200, flat.text
    # A query licence and a different body licence disagree.
    mismatch = fresh.client.post(
        fresh.url(),
        params={"license_number": fresh.license_number},
        json={"license": {"license_number": demo.licenses["Dispensary"]}, **body},
        headers=fresh.access.headers,
    )
    assert demo.licenses["Dispensary"] in _problem(mismatch, 400)


def test_delete_archives_and_history_shows_it(fresh: TraceClient) -> None:
    made = fresh.create("Short Lived")
    response = fresh.send("DELETE", f"/{made['id']}", {})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "results": {"type": "object", "data": {"id": made["id"], "deleted": True}},
        "warnings": [],
    }
    assert made["id"] not in [d["id"] for d in fresh.get().json()["results"]["data"]]
    for state in ("inactive", "deleted"):
        listed = fresh.get(entity_state=state).json()["results"]["data"]
        assert [d["id"] for d in listed] == [made["id"]]
    history = fresh.get(f"/{made['id']}").json()["results"]["data"]["entity_state"]
    assert [(h["state"], h["reason"]) for h in history] == [
        ("active", "location created"),
        ("inactive", "location archived"),
    ]
    assert "archived already" in _problem(fresh.send("DELETE", f"/{made['id']}", {}), 400)
    # The name is free again once archived.
    assert fresh.create("Short Lived")["id"] != made["id"]


def test_put_entity_state_archives_and_restores(fresh: TraceClient) -> None:
    made = fresh.create("Seasonal")
    change = {
        "state": "inactive",
        "date": "2026-01-01T00:00:00Z",
        "reason": "winter",
        "actioned_by": "me",
    }
    archived = fresh.send("PUT", f"/{made['id']}", {"entity_state": [change]})
    assert archived.status_code == 200, archived.text
    assert archived.json()["results"]["data"]["entity_state"][-1]["state"] == "inactive"
    restored = fresh.send(
        "PUT",
        f"/{made['id']}",
        {"name": "Seasonal Again", "entity_state": [{**change, "state": "active"}]},
    )
    assert restored.status_code == 200, restored.text
    data = restored.json()["results"]["data"]
    assert data["name"] == "Seasonal Again"
    assert [h["state"] for h in data["entity_state"]] == ["active", "inactive", "active"]
    assert data["entity_state"][-1]["reason"] == "location restored"
    assert [d["id"] for d in fresh.get().json()["results"]["data"]] == [made["id"]]
    bad = fresh.send("PUT", f"/{made['id']}", {"entity_state": [{**change, "state": "deleted"}]})
    assert "entity_state" in _problem(bad, 400)


def test_restore_refuses_a_taken_name(fresh: TraceClient) -> None:
    made = fresh.create("Reused")
    fresh.send("DELETE", f"/{made['id']}", {})
    fresh.create("Reused")
    change = {
        "state": "active",
        "date": "2026-01-01T00:00:00Z",
        "reason": "back",
        "actioned_by": "me",
    }
    response = fresh.send("PUT", f"/{made['id']}", {"entity_state": [change]})
    assert "Reused" in _problem(response, 400)


def test_location_holding_inventory_cannot_be_deleted(fresh: TraceClient, store: Store) -> None:
    made = fresh.create("Busy Room")
    with store.transaction() as session:
        facility = get_facility(session, fresh.license_number)
        strain = Strain(facility_id=facility.id, name=unique("Strain"))
        session.add(strain)
        session.flush()
        session.add(
            PlantBatch(
                facility_id=facility.id,
                name=unique("Batch"),
                batch_type="Clone",
                strain_id=strain.id,
                location_id=int(made["id"]),
                untracked_count=10,
                planted_date=date(2026, 1, 5),
            )
        )
    detail = _problem(fresh.send("DELETE", f"/{made['id']}", {}), 400)
    assert "plant batches" in detail
    retype = fresh.send("PUT", f"/{made['id']}", {"type": {"id": "COLOC0007"}})
    assert "plant batches" in _problem(retype, 400)
    assert fresh.get(f"/{made['id']}").json()["results"]["data"]["type"]["name"] == "Default"


def test_unknown_and_foreign_ids(fresh: TraceClient, ledger: Ledger) -> None:
    assert "999999999" in _problem(fresh.get("/999999999"), 404)
    other = ledger.facility("Cultivator")
    ledger.grant_demo_user(other.license_number)
    theirs = TraceClient(fresh.client, fresh.access, other.license_number).create("Theirs")
    _problem(fresh.get(f"/{theirs['id']}"), 401)
    _problem(fresh.send("DELETE", f"/{theirs['id']}", {}), 401)


def test_audit_channel_is_trace(fresh: TraceClient, store: Store) -> None:
    from sqlalchemy import select

    from leafledger.domain.models import AuditEvent

    made = fresh.create("Audited")
    with store.transaction() as session:
        channels = session.scalars(
            select(AuditEvent.channel).where(
                AuditEvent.entity_type == "locations", AuditEvent.entity_id == int(made["id"])
            )
        ).all()
    assert channels == ["trace"]


def test_rows_made_without_audit_events_get_a_history(fresh: TraceClient, store: Store) -> None:
    with store.transaction() as session:
        facility = get_facility(session, fresh.license_number)
        location = Location(
            facility_id=facility.id,
            name="Imported",
            location_type_name="Vault",
            for_plant_batches=False,
            for_plants=False,
            for_harvests=False,
            for_packages=True,
            active=False,
        )
        session.add(location)
        session.flush()
        location_id = location.id
    data = fresh.get(f"/{location_id}").json()["results"]["data"]
    assert [h["state"] for h in data["entity_state"]] == ["active", "inactive"]
    assert {h["actioned_by"] for h in data["entity_state"]} == {"system generated"}


def test_service_made_locations_are_listed(fresh: TraceClient, store: Store) -> None:
    with store.transaction() as session:
        facility = get_facility(session, fresh.license_number)
        made = create_location(session, CLI, facility, NewLocation("From The CLI", "Drying Room"))
        made_id = str(made.id)
    [listed] = fresh.get().json()["results"]["data"]
    assert listed["id"] == made_id and listed["type"]["id"] == "COLOC0005"
    assert listed["entity_state"][0]["actioned_by"] == "system generated"
