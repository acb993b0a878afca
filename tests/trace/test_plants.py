"""Trace plants: creation from a batch, actions, standings, expansions, refusals, and the
same plants through Metrc."""

from __future__ import annotations

from typing import Any

import pytest

from leafledger.store import Store
from tests.conftest import unique
from tests.trace.conftest import MetrcCalls, assert_fixed_page_cost
from tests.trace.grow import DAY, Grow

PLANT_KEYS = {
    "license", "actions", "id", "name", "barcode", "is_mother_plant", "quantity",
    "growth_phase", "strain", "origin", "locations", "planted_date", "harvested_date",
    "destroyed", "additional", "additives", "manicure", "harvest", "waste", "lots",
    "entity_state",
}  # fmt: skip


def _states(plant: dict[str, Any]) -> list[tuple[str, str]]:
    return [(h["state"], h["reason"]) for h in plant["entity_state"]]


def test_create_tags_plants_of_a_batch_from_the_barcode_on(grow: Grow, metrc: MetrcCalls) -> None:
    batch = grow.batch(5)
    body = grow.tagging(batch, 3, name="Ignored Name")
    response = grow.plants.send("POST", "", body)
    assert response.status_code == 200, response.text
    results = response.json()
    assert results["results"]["type"] == "array"
    assert results["warnings"] == [
        {"type": "not_kept", "detail": "leafledger does not keep name; the rest was applied."}
    ]
    made = results["results"]["data"]
    assert [p["barcode"] for p in made] == sorted(p["barcode"] for p in made)
    assert made[0]["barcode"] == body["barcode"]
    first = made[0]
    assert set(first) == PLANT_KEYS and first["name"] == first["barcode"]
    assert first["growth_phase"] == {"id": "COPGP0001", "name": "vegetative", "growth_date": DAY}
    assert (first["quantity"], first["is_mother_plant"]) == ("1", False)
    assert first["origin"] == {"plant_batch": {"id": batch["id"], "name": batch["name"]}}
    assert first["strain"]["id"] == grow.strain["id"]
    assert _states(first) == [("vegetative", "plant created")]
    assert grow.batches.data("GET", f"/{batch['id']}")["quantity"]["tracked"] == "3"
    vegetative = {p["Label"]: p for p in metrc.listed("/plants/v2/vegetative")}
    assert set(vegetative) == {p["barcode"] for p in made}
    assert vegetative[first["barcode"]]["Id"] == int(first["id"])
    assert vegetative[first["barcode"]]["PlantBatchName"] == batch["name"]


def test_phases_and_actions_lists(grow: Grow) -> None:
    client, headers = grow.fresh.client, grow.fresh.access.headers
    phases = client.get("/co/v1/plants/growth_phases", headers=headers).json()["results"]
    assert phases["data"] == [
        {"id": "COPGP0001", "name": "vegetative"},
        {"id": "COPGP0002", "name": "flowering"},
        {"id": "COPGP0003", "name": "mother"},
    ]
    actions = client.get("/co/v1/plants/actions", headers=headers).json()["results"]["data"]
    assert [a["id"] for a in actions] == [f"COPLUD000{n}" for n in range(1, 7)]
    assert [a["name"] for a in actions] == [
        "update", "move", "additives", "destroy", "waste", "growth_phase",
    ]  # fmt: skip


def test_growth_phase_and_lists_by_standing(grow: Grow, metrc: MetrcCalls) -> None:
    plant, other = grow.vegetative(2)
    flowered = grow.flower(plant)
    assert flowered["actions"] == {"id": "COPLUD0006", "name": "growth_phase"}
    assert flowered["growth_phase"]["name"] == "flowering"
    assert _states(flowered) == [
        ("vegetative", "plant created"),
        ("flowering", "plant changed to flowering"),
    ]
    by_state = {
        state: [p["id"] for p in grow.plants.get("", entity_state=state).json()["results"]["data"]]
        for state in ("active", "vegetative", "flowering", "inactive")
    }
    assert by_state == {
        "active": [plant["id"], other["id"]],
        "vegetative": [other["id"]],
        "flowering": [plant["id"]],
        "inactive": [],
    }
    assert [p["Id"] for p in metrc.listed("/plants/v2/flowering")] == [int(plant["id"])]
    by_tag = grow.plants.get("", barcode=other["barcode"]).json()["results"]
    assert [p["id"] for p in by_tag["data"]] == [other["id"]] and by_tag["records"]["total"] == 1
    backwards = {"actions": {"id": "COPLUD0006"}, "growth_phase": {"id": "COPGP0001"}}
    assert grow.plants.refused("PUT", f"/{plant['id']}", backwards).startswith("growth_phase")


def test_move_retag_and_strain_through_trace_seen_by_metrc(grow: Grow, metrc: MetrcCalls) -> None:
    [plant] = grow.vegetative(1)
    at = f"/{plant['id']}"
    room = grow.fresh.create(unique("Room"), "COLOC0002")
    moved = grow.plants.data(
        "PUT",
        at,
        {"actions": {"id": "COPLUD0002"}, "locations": {"id": room["id"]}, "move_date": DAY},
    )
    assert moved["locations"] == {"id": room["id"], "name": room["name"]}
    [new_tag] = grow.tags("plant", 1)
    other = grow.fresh.at("config/strains").data("POST", body={"name": unique("Haze")})
    retagged = grow.plants.data(
        "PUT",
        at,
        {"actions": {"id": "COPLUD0001"}, "barcode": new_tag, "strain": {"id": other["id"]}},
    )
    assert (retagged["barcode"], retagged["strain"]["name"]) == (new_tag, other["name"])
    seen = metrc.call("GET", f"/plants/v2/{plant['id']}")
    assert (seen["Label"], seen["LocationName"], seen["StrainName"]) == (
        new_tag,
        room["name"],
        other["name"],
    )
    retired = metrc.call("GET", "/tags/v2/plant/available")
    assert plant["barcode"] not in {t["Label"] for t in retired}


def test_additives_waste_destruction_and_expansions(grow: Grow, metrc: MetrcCalls) -> None:
    [plant] = grow.vegetative(1)
    at = f"/{plant['id']}"
    template = metrc.call(
        "POST",
        "/additivestemplates/v2/",
        [
            {
                "Name": unique("Feed"),
                "AdditiveType": "Fertilizer",
                "ActiveIngredients": [{"Name": "N", "Percentage": 9}],
            }
        ],
    )["Ids"][0]
    grow.plants.data(
        "PUT",
        at,
        {
            "actions": {"id": "COPLUD0003"},
            "additives": [
                {"id": template, "quantity": 2, "unit_of_measure": "Liters", "date": DAY}
            ],
        },
    )
    grow.plants.data(
        "PUT",
        at,
        {
            "actions": {"id": "COPLUD0005"},
            "waste": [
                {"quantity": "1.25", "unit_of_measure": "Grams", "method": "Grinder", "date": DAY}
            ],
        },
    )
    destroyed = grow.plants.data(
        "PUT",
        at,
        {
            "actions": {"id": "COPLUD0004"},
            "destroy": [
                {
                    "reason": "Male Plants",
                    "method": "Compost",
                    "waste_weight": 3,
                    "unit_of_measure": "Grams",
                    "date": DAY,
                }
            ],
        },
    )
    assert destroyed["destroyed"]["date"] == DAY
    assert _states(destroyed)[-1] == ("destroyed", "plant destroyed")
    shown = grow.plants.get(at, expand="additives,waste,lots").json()["results"]["data"]
    [additive] = shown["additives"]
    assert additive["id"] == str(template) and additive["type"]["name"] == "fertilizer"
    assert additive["content"] == [
        {"chemical_component": "N", "quantity": "9", "unit_of_measure": "percent"}
    ]
    assert [(w["quantity"], w["method"]) for w in shown["waste"]] == [
        ("1.25", "Grinder"),
        ("3", "Compost"),
    ]
    assert shown["lots"] == [] and shown["manicure"] is None
    assert [p["Id"] for p in metrc.listed("/plants/v2/inactive")] == [int(plant["id"])]
    again = {"actions": {"id": "COPLUD0004"}, "destroy": [{"reason": "Male Plants"}]}
    assert "no longer active" in grow.plants.refused("PUT", at, again)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": 9}, "quantity"),
        ({"growth_phase": {"id": "COPGP0099"}}, "growth_phase"),
        ({"is_mother_plant": True}, "Facility"),
        ({"barcode": ""}, "barcode"),
    ],
)
def test_refused_creations_change_nothing(
    grow: Grow, metrc: MetrcCalls, change: dict[str, Any], field: str
) -> None:
    batch = grow.batch(4)
    detail = grow.plants.refused("POST", "", {**grow.tagging(batch, 2), **change})
    assert detail.startswith(field), detail
    assert grow.batches.data("GET", f"/{batch['id']}")["quantity"]["untracked"] == "4"
    assert metrc.listed("/plants/v2/vegetative") == []


def test_plants_keep_their_batch_strain(grow: Grow) -> None:
    batch = grow.batch(2)
    other = grow.fresh.at("config/strains").data("POST", body={"name": unique("Other")})
    body = grow.tagging(batch, 1, strain={"id": other["id"]})
    detail = grow.plants.refused("POST", "", body)
    assert detail.startswith("strain") and other["name"] in detail


def test_a_page_costs_the_same_statements_at_any_size(grow: Grow, store: Store) -> None:
    plants = grow.vegetative(6)
    grow.harvest([grow.flower(plant) for plant in plants[:3]])
    assert_fixed_page_cost(grow.plants, store)
    assert_fixed_page_cost(grow.plants, store, expand="all")
    assert_fixed_page_cost(grow.plants, store, entity_state="harvested", expand="all")
