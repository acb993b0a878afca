"""Trace products: the ledger's items, with their category's rules, warnings for what the
ledger does not keep, deactivation, and the same items through Metrc."""

from __future__ import annotations

from typing import Any

import pytest

from leafledger.store import Store
from tests.conftest import unique
from tests.trace.conftest import MetrcCalls, TraceClient, assert_fixed_page_cost
from tests.trace.grow import DAY, Grow


@pytest.fixture
def products(fresh: TraceClient) -> TraceClient:
    return fresh.at("config/products")


def test_create_as_the_sample_shows(grow: Grow, products: TraceClient, metrc: MetrcCalls) -> None:
    name = unique("KMP Hikari")
    body = {
        "name": name,
        "category": {"id": "COPCAT0015"},  # Capsule: count-based, weighed per unit
        "characteristics": {
            "ingredients": ["paradigm atom concentrate", "gelatin"],
            "strain": {"id": grow.strain["id"]},
            "unit": {
                "cannabinoids": {"cbd_percent": 50, "thc_percent": 50},
                "cbd_content": 0.2, "cbd_content_uom": "Milligrams",
                "thc_content": 0.2, "thc_content_uom": "Milligrams",
                "thc_content_dose": 0.1, "thc_content_dose_uom": "Milligrams",
                "weight": 50, "weight_uom": "Grams", "quantity": 25, "quantity_uom": "Each",
            },
            "supply_duration_days": 14, "doses_number": 2, "lab_test_ref": "NotSubmitted",
            "administration_method": "Oral", "image": {}, "contains_seeds": False,
            "description": "Class A paradigm atom purple concentrate",
        },
    }  # fmt: skip
    response = products.send("POST", "", body)
    assert response.status_code == 200, response.text
    [warning] = response.json()["warnings"]
    assert "characteristics.lab_test_ref" in warning["detail"]
    assert "characteristics.unit.quantity" in warning["detail"]
    product = response.json()["results"]["data"]
    assert product["category"] == {
        "id": "COPCAT0015",
        "type": "InfusedEdible",
        "main_category": "Capsule",
        "sub_category": "",
    }
    traits = product["characteristics"]
    assert (traits["quantity_type"], traits["unit_of_measure"]) == ("CountBased", "Each")
    assert traits["ingredients"] == ["paradigm atom concentrate", "gelatin"]
    assert traits["strain"] == {"id": grow.strain["id"], "name": grow.strain["name"]}
    assert traits["unit"]["cannabinoids"] == {"cbd_percent": "50", "thc_percent": "50"}
    assert (traits["unit"]["weight"], traits["unit"]["weight_uom"]) == ("50", "Grams")
    assert traits["supply_duration_days"] == 14
    seen = metrc.call("GET", f"/items/v2/{product['id']}")
    assert (seen["Name"], seen["ProductCategoryName"], seen["UnitOfMeasureName"]) == (
        name,
        "Capsule",
        "Each",
    )
    assert (seen["UnitWeight"], seen["UnitThcContentUnitOfMeasureName"]) == (50, "Milligrams")
    assert products.data("GET", f"/{product['id']}") == product


def test_categories_list(products: TraceClient) -> None:
    response = products.client.get(
        "/co/v1/config/products/categories", headers=products.access.headers
    )
    categories = response.json()["results"]["data"]
    assert categories[0] == {
        "id": "COPCAT0001",
        "type": "Buds",
        "main_category": "Buds",
        "sub_category": "",
        "quantity_type": "WeightBased",
    }
    assert len({c["id"] for c in categories}) == len(categories) == 24


def test_deactivation_and_lists_by_entity_state(
    grow: Grow, products: TraceClient, metrc: MetrcCalls
) -> None:
    kept, used, gone = grow.product(), grow.product(), grow.product()
    response = products.send("DELETE", f"/{gone['id']}", {})
    assert response.json()["results"]["data"] == {"id": gone["id"], "deleted": True}
    assert [i["Id"] for i in metrc.listed("/items/v2/inactive")] == [int(gone["id"])]
    # A lot holds `used`.
    [plant] = grow.flowering(1)
    harvest = grow.harvest([plant])
    [tag] = grow.tags("package", 1)
    lot = {
        "product": {"id": used["id"]},
        "barcode": tag,
        "quantity": 5,
        "unit_of_measure": "Grams",
        "date": DAY,
    }
    grow.harvests.data(
        "PUT", f"/{harvest['id']}", {"action": {"id": "KMHAN0003"}, "products": [lot]}
    )
    by_state = {
        state: [p["id"] for p in products.get("", entity_state=state).json()["results"]["data"]]
        for state in ("active", "approved", "used", "inactive", "deleted")
    }
    assert by_state == {
        "active": [kept["id"], used["id"]],
        "approved": [kept["id"], used["id"]],
        "used": [used["id"]],
        "inactive": [gone["id"]],
        "deleted": [gone["id"]],
    }
    [state] = [h["state"] for h in products.data("GET", f"/{gone['id']}")["entity_state"][1:]]
    assert state == "inactive"
    assert "already archived" in products.refused("DELETE", f"/{gone['id']}", {})


def test_a_metrc_item_through_trace(grow: Grow, products: TraceClient, metrc: MetrcCalls) -> None:
    name = unique("Metrc Buds")
    [item_id] = metrc.call(
        "POST",
        "/items/v2/",
        [
            {
                "ItemCategory": "Buds",
                "Name": name,
                "UnitOfMeasure": "Ounces",
                "Strain": grow.strain["name"],
            }
        ],
    )["Ids"]
    shown = products.data("GET", f"/{item_id}")
    assert (shown["name"], shown["characteristics"]["unit_of_measure"]) == (name, "Ounces")
    products.send("DELETE", f"/{item_id}", {})
    assert metrc.listed("/items/v2/active") == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"characteristics": {"unit_of_measure": "Grams"}}, "Items of category"),
        ({"category": {"id": "COPCAT0099"}}, "category"),
        ({"characteristics": {"unit_of_measure": "Each"}}, "characteristics.unit_of_measure"),
        (
            {"characteristics": {"unit_of_measure": "Grams", "strain": {"id": "999999"}}},
            "No strain",
        ),
        ({"name": ""}, "name"),
    ],
)
def test_refused_creations(products: TraceClient, change: dict[str, Any], field: str) -> None:
    body = {"name": unique("P"), "category": {"id": "COPCAT0001"}, **change}
    detail = products.refused("POST", "", body)
    assert detail.startswith(field), detail
    assert products.data("GET") == []


def test_an_archived_strain_is_refused(grow: Grow, products: TraceClient) -> None:
    grow.fresh.at("config/strains").data(
        "PUT", f"/{grow.strain['id']}", {"entity_state": [{"state": "inactive"}]}
    )
    detail = products.refused(
        "POST",
        "",
        {
            "name": unique("P"),
            "category": {"id": "COPCAT0001"},
            "characteristics": {"unit_of_measure": "Grams", "strain": {"id": grow.strain["id"]}},
        },
    )
    assert detail.startswith("characteristics.strain") and "archived" in detail


def test_a_page_costs_the_same_statements_at_any_size(
    grow: Grow, products: TraceClient, store: Store
) -> None:
    for _ in range(3):
        grow.product()
    assert_fixed_page_cost(products, store)
