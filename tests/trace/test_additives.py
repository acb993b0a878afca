"""Trace additives: the types list, and updates of the ledger's additive templates."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import unique
from tests.trace.conftest import MetrcCalls, TraceClient

TEMPLATE = {
    "AdditiveType": "Fertilizer",
    "EpaRegistrationNumber": "X12345E",
    "ProductSupplier": "Kodai Chemlife",
    "ProductTradeName": "Grow Max",
    "ActiveIngredients": [{"Name": "Phosphorous", "Percentage": 9}],
}


@pytest.fixture
def template(metrc: MetrcCalls) -> dict[str, Any]:
    name = unique("Amuro additives")
    [template_id] = metrc.call("POST", "/additivestemplates/v2/", [{**TEMPLATE, "Name": name}])[
        "Ids"
    ]
    return {"id": str(template_id), "name": name}


@pytest.fixture
def additives(fresh: TraceClient) -> TraceClient:
    return fresh.at("config/additives")


def test_types_and_units(additives: TraceClient) -> None:
    response = additives.client.get(
        "/ca/v1/config/additives/types", headers=additives.access.headers
    )
    results = response.json()["results"]
    assert results["type"] == "array"
    [listed] = results["data"]
    assert listed["types"] == [
        {"id": "CAPAT0001", "name": "fertilizer"},
        {"id": "CAPAT0002", "name": "pesticide"},
        {"id": "CAPAT0003", "name": "other"},
    ]
    units = {u["name"]: u for u in listed["units"]}
    assert units["Ounces"] == {
        "id": "2",
        "name": "Ounces",
        "volume": None,
        "weight": "28.349523125",
        "uom": "grams",
    }
    assert units["Liters"]["volume"] == "1000" and units["Liters"]["uom"] == "milliliters"


def test_update_as_the_sample_changes_only_the_supplier(
    additives: TraceClient, metrc: MetrcCalls, template: dict[str, Any]
) -> None:
    at = f"/{template['id']}"
    # The sample names its licence flat, and the manufacturer, which the ledger does not keep.
    response = additives.client.put(
        additives.url(at),
        json={
            "license_number": additives.license_number,
            "supplier": "MP Chemical supplies inc",
            "manufacturer": "Kodai",
        },
        headers=additives.access.headers,
    )
    assert response.status_code == 200, response.text
    assert "manufacturer" in response.json()["warnings"][0]["detail"]
    additive = response.json()["results"]["data"]
    assert (additive["name"], additive["supplier"], additive["epa_number"]) == (
        template["name"],
        "MP Chemical supplies inc",
        "X12345E",
    )
    assert additive["type"] == {"id": "COPAT0001", "name": "fertilizer"}
    assert additive["content"] == [
        {"chemical_component": "Phosphorous", "quantity": "9", "unit_of_measure": "percent"}
    ]
    assert [h["reason"] for h in additive["entity_state"]] == ["additive created"]
    changed = additives.data(
        "PUT",
        at,
        {
            "type": {"id": "COPAT0002"},
            "content": [
                {"chemical_component": "Neem", "quantity": "2.5", "unit_of_measure": "percent"}
            ],
        },
    )
    assert (
        changed["type"]["name"] == "pesticide" and changed["supplier"] == "MP Chemical supplies inc"
    )
    seen = metrc.call("GET", f"/additivestemplates/v2/{template['id']}")
    assert (seen["AdditiveType"], seen["ProductSupplier"], seen["ProductTradeName"]) == (
        "Pesticide",
        "MP Chemical supplies inc",
        "Grow Max",
    )
    assert seen["ActiveIngredients"] == [{"Name": "Neem", "Percentage": 2.5}]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {
                "content": [
                    {"chemical_component": "N", "quantity": 101, "unit_of_measure": "percent"}
                ]
            },
            "content[0].quantity",
        ),
        (
            {"content": [{"chemical_component": "N", "quantity": 1, "unit_of_measure": "grams"}]},
            "content[0].unit_of_measure",
        ),
        ({"content": [{"quantity": 1}]}, "content[0].chemical_component"),
        ({"type": {"id": "COPAT0009"}}, "type"),
        ({"name": ""}, "name"),
    ],
)
def test_refused_updates_change_nothing(
    additives: TraceClient, template: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    at = f"/{template['id']}"
    before = additives.data("PUT", at, {})
    detail = additives.refused("PUT", at, body)
    assert detail.startswith(field), detail
    assert additives.data("PUT", at, {}) == before
