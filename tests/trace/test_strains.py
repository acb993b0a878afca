"""Trace strains: shapes, testing states and archiving through entity_state, warnings for
what the ledger does not keep, refusals, and the same strains through Metrc."""

from __future__ import annotations

from typing import Any

import pytest

from leafledger.store import Store
from tests.conftest import unique
from tests.trace.conftest import MetrcCalls, TraceClient, assert_fixed_page_cost

SAMPLE = {
    "cannabinoids": {"cbd_percent": 10, "thc_percent": 18},
    "contents": {"indica_percent": 25, "sativa_percent": 75},
    "average_yield": "20",
    "flowering_time": "7",
    "gender": "male",
    "breeder": "Trace",
}


def _state(state: str) -> list[dict[str, str]]:
    return [{"state": state, "date": "2021-01-12T05:27:39", "reason": "x", "actioned_by": "me"}]


@pytest.fixture
def strains(fresh: TraceClient) -> TraceClient:
    return fresh.at("config/strains")


def test_create_as_the_sample_warns_of_what_is_not_kept(
    strains: TraceClient, metrc: MetrcCalls
) -> None:
    name = unique("Spring Breeze")
    response = strains.send(
        "POST", "", {"name": name, **SAMPLE, "entity_state": _state("in_house_tested")}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    [warning] = body["warnings"]
    assert warning["type"] == "not_kept"
    assert all(
        word in warning["detail"]
        for word in ("average_yield", "flowering_time", "gender", "breeder")
    )
    strain = body["results"]["data"]
    assert strain["id"].isdigit() and strain["name"] == name
    assert strain["cannabinoids"] == {"cbd_percent": "10", "thc_percent": "18"}
    assert strain["contents"] == {"indica_percent": "25", "sativa_percent": "75"}
    assert strain["breeder"] is None and strain["genetics"] == "25% Indica / 75% Sativa"
    assert [(h["state"], h["reason"]) for h in strain["entity_state"]] == [
        ("in_house_tested", "strain created")
    ]
    seen = metrc.call("GET", f"/strains/v2/{strain['id']}")
    assert (seen["Name"], seen["TestingStatus"], seen["ThcLevel"], seen["IndicaPercentage"]) == (
        name,
        "InHouse",
        18,
        25,
    )
    assert strains.data("GET", f"/{strain['id']}") == strain


def test_update_changes_what_is_sent_and_archives(strains: TraceClient, metrc: MetrcCalls) -> None:
    strain = strains.data("POST", body={"name": unique("Haze"), **SAMPLE})
    at = f"/{strain['id']}"
    changed = strains.data(
        "PUT",
        at,
        {"cannabinoids": {"thc_percent": 22}, "entity_state": _state("third_party_tested")},
    )
    assert changed["cannabinoids"] == {"cbd_percent": "10", "thc_percent": "22"}
    assert changed["contents"] == strain["contents"] and changed["name"] == strain["name"]
    assert [h["state"] for h in changed["entity_state"]] == ["active", "third_party_tested"]
    assert metrc.call("GET", f"/strains/v2/{strain['id']}")["TestingStatus"] == "ThirdParty"
    archived = strains.data("PUT", at, {"entity_state": _state("inactive")})
    assert [h["state"] for h in archived["entity_state"]][-1] == "inactive"
    assert strain["id"] not in {s["id"] for s in strains.data("GET")}
    assert [s["Id"] for s in metrc.listed("/strains/v2/inactive")] == [int(strain["id"])]
    assert "archived" in strains.refused("PUT", at, {"entity_state": _state("active")})


def test_lists_by_entity_state(strains: TraceClient, metrc: MetrcCalls) -> None:
    plain = strains.data("POST", body={"name": unique("Plain")})
    tested = strains.data(
        "POST", body={"name": unique("Tested"), "entity_state": _state("in_house_tested")}
    )
    gone = strains.data("POST", body={"name": unique("Gone")})
    strains.data("PUT", f"/{gone['id']}", {"entity_state": _state("deleted")})
    metrc.call(
        "POST",
        "/plantbatches/v2/plantings",
        [{"Name": unique("B"), "Type": "Seed", "Count": 1, "Strain": plain["name"]}],
    )
    by_state = {
        state: [s["id"] for s in strains.get("", entity_state=state).json()["results"]["data"]]
        for state in (
            "active",
            "in_house_tested",
            "third_party_tested",
            "used",
            "inactive",
            "deleted",
        )
    }
    assert by_state == {
        "active": [plain["id"], tested["id"]],
        "in_house_tested": [tested["id"]],
        "third_party_tested": [],
        "used": [plain["id"]],
        "inactive": [gone["id"]],
        "deleted": [gone["id"]],
    }


def test_a_metrc_strain_through_trace(strains: TraceClient, metrc: MetrcCalls) -> None:
    name = unique("Metrc Kush")
    [strain_id] = metrc.call(
        "POST", "/strains/v2/", [{"Name": name, "ThcLevel": 0.2, "TestingStatus": "None"}]
    )["Ids"]
    [listed] = strains.data("GET")
    assert (listed["id"], listed["name"], listed["cannabinoids"]["thc_percent"]) == (
        str(strain_id),
        name,
        "0.2",
    )
    strains.data("PUT", f"/{strain_id}", {"name": name + " Trace"})
    assert metrc.call("GET", f"/strains/v2/{strain_id}")["Name"] == name + " Trace"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"cannabinoids": {"thc_percent": 200}}, "cannabinoids.thc_percent"),
        ({"cannabinoids": {"thc_percent": "lots"}}, "cannabinoids.thc_percent"),
        ({"contents": {"indica_percent": 70, "sativa_percent": 70}}, "The indica"),
        ({"name": ""}, "name"),
        ({"entity_state": _state("inactive")}, "entity_state"),
    ],
)
def test_refused_creations(strains: TraceClient, body: dict[str, Any], field: str) -> None:
    assert strains.refused("POST", "", {"name": unique("S"), **body}).startswith(field)
    assert strains.data("GET") == []


def test_refused_changes_change_nothing(strains: TraceClient) -> None:
    taken = strains.data("POST", body={"name": unique("Taken")})
    strain = strains.data("POST", body={"name": unique("Mine"), **SAMPLE})
    at = f"/{strain['id']}"
    assert taken["name"] in strains.refused("PUT", at, {"name": taken["name"]})
    assert strains.refused("PUT", at, {"entity_state": _state("used")}).startswith("entity_state")
    assert strains.refused("PUT", at, {"contents": {"sativa_percent": -1}}).startswith(
        "contents.sativa_percent"
    )
    assert strains.data("GET", at) == strain


def test_a_page_costs_the_same_statements_at_any_size(strains: TraceClient, store: Store) -> None:
    for _ in range(3):
        strains.data("POST", body={"name": unique("Page")})
    assert_fixed_page_cost(strains, store)
