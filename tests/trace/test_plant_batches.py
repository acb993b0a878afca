"""Trace plant batches: shapes, origins, actions, standings, refusals, one ledger with Metrc."""

from __future__ import annotations

from typing import Any

import pytest

from leafledger.store import Store
from tests.conftest import unique
from tests.trace.conftest import MetrcCalls, TraceClient, assert_fixed_page_cost
from tests.trace.grow import DAY, Grow

BATCH_KEYS = {
    "license", "actions", "id", "name", "barcode", "type", "quantity", "planted_date",
    "strain", "origin", "additives", "waste", "locations", "additional", "entity_state",
}  # fmt: skip


def test_create_answers_the_batch_as_the_samples_show_it(grow: Grow) -> None:
    batch = grow.batch(12)
    assert set(batch) == BATCH_KEYS
    assert batch["id"].isdigit() and batch["actions"] is None
    assert batch["type"] == {"id": "COPBT0002", "name": "clone"}
    assert batch["quantity"] == {
        "unit_of_measure": "Each",
        "total": "12",
        "untracked": "12",
        "tracked": "0",
        "lots": "0",
        "harvested": None,
        "wasted": {"number_scheduled_for_destruction": "0", "number_wasted": "0"},
    }
    assert batch["planted_date"] == DAY
    assert batch["strain"] == {"id": grow.strain["id"], "name": grow.strain["name"]}
    assert batch["locations"] == {"id": grow.room["id"], "name": grow.room["name"]}
    assert batch["origin"] == {"plants": None, "plant_batches": None, "lots": None}
    assert batch["additional"] == {"patient_license": None, "is_for_medical_use": False}
    [created] = batch["entity_state"]
    assert (created["state"], created["reason"]) == ("active", "plant batch created")
    assert grow.batches.data("GET", f"/{batch['id']}") == batch


def test_types_and_actions_lists(grow: Grow) -> None:
    client, headers = grow.fresh.client, grow.fresh.access.headers
    types = client.get("/co/v1/plant_batches/types", headers=headers).json()["results"]
    assert types["data"] == [
        {"id": "COPBT0001", "name": "seed"},
        {"id": "COPBT0002", "name": "clone"},
    ]
    actions = client.get("/il/v1/plant_batches/actions", headers=headers).json()["results"]
    assert [(a["id"], a["name"]) for a in actions["data"]] == [
        ("ILPBUD0001", "update"),
        ("ILPBUD0002", "move"),
        ("ILPBUD0003", "additives"),
        ("ILPBUD0004", "destroy"),
        ("ILPBUD0005", "waste"),
    ]
    assert all(a["description"] for a in actions["data"])


def test_a_trace_batch_is_a_metrc_batch_and_the_reverse(grow: Grow, metrc: MetrcCalls) -> None:
    batch = grow.batch(7)
    seen = metrc.call("GET", f"/plantbatches/v2/{batch['id']}")
    assert (seen["Name"], seen["UntrackedCount"], seen["PlantBatchTypeName"]) == (
        batch["name"],
        7,
        "Clone",
    )
    assert (seen["StrainName"], seen["LocationName"]) == (grow.strain["name"], grow.room["name"])

    # Planted through Metrc, moved through Trace, read back through Metrc.
    name = unique("Metrc Batch")
    metrc.call(
        "POST",
        "/plantbatches/v2/plantings",
        [{"Name": name, "Type": "Seed", "Count": 4, "Strain": grow.strain["name"]}],
    )
    [listed] = [b for b in grow.batches.data("GET") if b["name"] == name]
    assert listed["type"]["name"] == "seed" and listed["locations"] is None
    assert listed["entity_state"][0]["actioned_by"] == "Demo User"
    moved = grow.batches.data(
        "PUT",
        f"/{listed['id']}",
        {"actions": {"id": "COPBUD0002"}, "move_date": DAY, "locations": {"id": grow.room["id"]}},
    )
    assert moved["actions"] == {"id": "COPBUD0002", "name": "move"}
    assert moved["entity_state"] == listed["entity_state"]  # a move is no standing change
    assert (
        metrc.call("GET", f"/plantbatches/v2/{listed['id']}")["LocationName"] == grow.room["name"]
    )


def test_origins_a_mother_plant_or_a_batch_split(grow: Grow, metrc: MetrcCalls) -> None:
    [mother] = grow.vegetative(1)
    cloned = grow.batch(5, origin={"plants": [{"id": mother["id"], "quantity": 5}]})
    assert cloned["origin"]["plants"] == [{"id": mother["id"], "barcode": mother["barcode"]}]
    assert (
        metrc.call("GET", f"/plantbatches/v2/{cloned['id']}")["SourcePlantLabel"]
        == (mother["barcode"])
    )
    split = grow.batch(2, origin={"plant_batches": [{"id": cloned["id"], "quantity": 2}]})
    assert split["quantity"]["untracked"] == "2"
    assert grow.batches.data("GET", f"/{cloned['id']}")["quantity"]["untracked"] == "3"
    seeds = grow.batch(1, type={"id": "COPBT0001"})
    detail = grow.batches.refused(
        "POST",
        "",
        {
            "name": unique("Wrong"),
            "type": {"id": "COPBT0001"},
            "quantity": {"total": 1},
            "strain": {"id": grow.strain["id"]},
            "origin": {"plant_batches": [{"id": cloned["id"]}]},
        },
    )
    assert detail.startswith("type") and "Clone" in detail
    assert seeds["type"]["name"] == "seed"


def test_barcode_is_the_batch_tag(grow: Grow, metrc: MetrcCalls) -> None:
    [tag] = grow.tags("plant", 1)
    batch = grow.batch(3, barcode=tag)
    assert batch["barcode"] == tag
    grow.batch(1)
    assert [b["id"] for b in grow.batches.get("", barcode=tag).json()["results"]["data"]] == [
        batch["id"]
    ]
    available = {t["Label"] for t in metrc.call("GET", "/tags/v2/plant/available")}
    assert tag not in available


def test_update_actions_and_expansions(grow: Grow, metrc: MetrcCalls) -> None:
    batch = grow.batch(10)
    at = f"/{batch['id']}"
    other = grow.fresh.at("config/strains").data("POST", body={"name": unique("Haze")})
    renamed = grow.batches.data(
        "PUT",
        at,
        {"actions": {"id": "COPBUD0001"}, "name": "Renamed", "strain": {"id": other["id"]}},
    )
    assert (renamed["name"], renamed["strain"]["name"]) == ("Renamed", other["name"])
    grow.batches.data(
        "PUT",
        at,
        {
            "actions": {"id": "COPBUD0003"},
            "additives": [
                {
                    "type": {"id": "COPAT0002"},
                    "name": "Neem",
                    "quantity": "1.5",
                    "unit_of_measure": "Liters",
                    "date": DAY,
                }
            ],
        },
    )
    destroyed = grow.batches.data(
        "PUT",
        at,
        {
            "actions": {"id": "COPBUD0004"},
            "destroy": [
                {
                    "quantity": 3,
                    "reason": "Male Plants",
                    "method": "Compost",
                    "waste_weight": 2,
                    "unit_of_measure": "Grams",
                    "date": DAY,
                }
            ],
        },
    )
    assert destroyed["quantity"]["untracked"] == "7"
    assert destroyed["quantity"]["wasted"]["number_wasted"] == "3"
    grow.batches.data(
        "PUT",
        at,
        {
            "actions": {"id": "COPBUD0005"},
            "waste": [
                {"quantity": "0.5", "unit_of_measure": "Grams", "method": "Grinder", "date": DAY}
            ],
        },
    )
    shown = grow.batches.get(at, expand="all").json()["results"]["data"]
    [additive] = shown["additives"]
    assert (additive["type"]["name"], additive["name"], additive["quantity"]) == (
        "pesticide",
        "Neem",
        "1.5",
    )
    assert [w["quantity"] for w in shown["waste"]] == ["2", "0.5"]
    assert grow.batches.data("GET", at)["additives"] is None  # only when asked
    seen = metrc.call("GET", f"/plantbatches/v2/{batch['id']}")
    assert (seen["Name"], seen["StrainName"], seen["DestroyedCount"]) == (
        "Renamed",
        other["name"],
        3,
    )


def test_a_batch_with_no_untracked_plants_left_is_closed(grow: Grow) -> None:
    batch = grow.batch(4)
    at = f"/{batch['id']}"
    grow.vegetative(2, batch)
    closed = grow.batches.data(
        "PUT",
        at,
        {"actions": {"id": "COPBUD0004"}, "destroy": [{"quantity": 2, "reason": "Male Plants"}]},
    )
    assert [(h["state"], h["reason"]) for h in closed["entity_state"]] == [
        ("active", "plant batch created"),
        ("inactive", "plant batch closed: no untracked plants left"),
    ]
    assert batch["id"] not in {b["id"] for b in grow.batches.data("GET")}
    inactive = grow.batches.get("", entity_state="inactive").json()["results"]["data"]
    assert batch["id"] in {b["id"] for b in inactive}
    detail = grow.batches.refused("PUT", at, {"actions": {"id": "COPBUD0001"}, "name": "Again"})
    assert "inactive" in detail


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": {"total": 0}}, "quantity.total"),
        ({"type": {"id": "COPBT0009"}}, "type"),
        ({"type": {"id": "CAPBT0001"}}, "type"),
        ({"name": ""}, "name"),
        ({"origin": {"lots": [{"id": "5", "quantity": 1}]}}, "origin.lots"),
        ({"planted_date": "2999-01-01T00:00:00Z"}, "planted_date"),
    ],
)
def test_refused_creations_name_the_field(grow: Grow, change: dict[str, Any], field: str) -> None:
    body = {
        "name": unique("Refused"),
        "type": {"id": "COPBT0002"},
        "quantity": {"total": 3},
        "strain": {"id": grow.strain["id"]},
        **change,
    }
    assert grow.batches.refused("POST", "", body).startswith(field)
    assert grow.batches.data("GET") == []


def test_refused_updates_change_nothing(grow: Grow) -> None:
    batch = grow.batch(3)
    at = f"/{batch['id']}"
    destroy, additives = {"id": "COPBUD0004"}, {"id": "COPBUD0003"}
    untyped = {"name": "Mystery", "quantity": 1}
    male, bored = {"quantity": 5, "reason": "Male Plants"}, {"quantity": 1, "reason": "Boredom"}
    for body, field in (
        ({"actions": destroy, "destroy": [male]}, "destroy[0].quantity"),
        ({"actions": destroy, "destroy": [bored]}, "destroy[0].reason"),
        ({"actions": {"id": "COPBUD0002"}}, "locations"),
        ({"actions": {"id": "COPBUD0099"}}, "actions"),
        ({"name": "No Action"}, "actions"),
        ({"actions": additives, "additives": []}, "additives"),
        ({"actions": additives, "additives": [untyped]}, "additives[0].type"),
    ):  # fmt: skip
        assert grow.batches.refused("PUT", at, body).startswith(field), body
    assert grow.batches.data("GET", at) == batch


def test_duplicate_names_and_references_of_another_facility(grow: Grow, ledger: Any) -> None:
    batch = grow.batch(2)
    detail = grow.batches.refused(
        "POST",
        "",
        {
            "name": batch["name"],
            "type": {"id": "COPBT0002"},
            "quantity": {"total": 1},
            "strain": {"id": grow.strain["id"]},
        },
    )
    assert detail.startswith("name") and batch["name"] in detail
    other = ledger.facility("Cultivator")
    ledger.grant_demo_user(other.license_number)
    theirs = TraceClient(grow.fresh.client, grow.fresh.access, other.license_number).at(
        "config/strains"
    )
    strain = theirs.data("POST", body={"name": unique("Theirs")})
    response = grow.batches.send(
        "POST",
        "",
        {
            "name": unique("X"),
            "type": {"id": "COPBT0002"},
            "quantity": {"total": 1},
            "strain": {"id": strain["id"]},
        },
    )
    assert response.status_code == 401, response.text


def test_a_page_costs_the_same_statements_at_any_size(grow: Grow, store: Store) -> None:
    for _ in range(3):
        grow.batch(2)
    assert_fixed_page_cost(grow.batches, store)
    assert_fixed_page_cost(grow.batches, store, expand="all")
