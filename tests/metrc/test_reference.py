"""The Metrc reference lists: shapes as the v2 examples show them, v1 twins, paging, values."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from leafledger.dialects.kit.endpoint import Endpoint, Scope
from leafledger.dialects.metrc.render import pascal_name
from leafledger.dialects.metrc.table import ROWS
from leafledger.domain import reference
from leafledger.domain.units import active_units, inactive_units
from tests.conftest import DemoAccess

ENVELOPE_KEYS = {
    "Data",
    "Total",
    "TotalRecords",
    "PageSize",
    "RecordsOnPage",
    "Page",
    "CurrentPage",
    "TotalPages",
}
REASON_KEYS = {
    "Name",
    "RequiresNote",
    "RequiresWasteWeight",
    "RequiresImmatureWasteWeight",
    "RequiresMatureWasteWeight",
}


@dataclass(frozen=True)
class Case:
    v2: str
    v1: str | None  # the v1 twin, when Metrc has one
    license_type: str | None  # the demo facility used when the row is facility-scoped
    records: Sequence[Any]  # what the domain holds: names, or records with a .name
    # Record keys to expect where the catalogue's v2 example is "No response".
    keys_without_example: frozenset[str] | None = None

    @property
    def id(self) -> str:
        return self.v2


CASES = [
    Case("/unitsofmeasure/v2/active", "/unitsofmeasure/v1/active", None, active_units()),
    Case("/unitsofmeasure/v2/inactive", None, None, inactive_units()),
    Case("/wastemethods/v2/", None, None, reference.WASTE_METHODS),
    Case("/packages/v2/types", "/packages/v1/types", None, reference.PACKAGE_TYPES),
    Case(
        "/packages/v2/adjust/reasons",
        "/packages/v1/adjust/reasons",
        "Cultivator",
        reference.PACKAGE_ADJUSTMENT_REASONS,
    ),
    Case(
        "/plants/v2/growthphases", "/plants/v1/growthphases", "Cultivator", reference.GROWTH_PHASES
    ),
    Case("/plantbatches/v2/types", "/plantbatches/v1/types", None, reference.PLANT_BATCH_TYPES),
    Case(
        "/plantbatches/v2/waste/reasons",
        "/plantbatches/v1/waste/reasons",
        "Cultivator",
        reference.PLANT_BATCH_WASTE_REASONS,
        keys_without_example=frozenset(REASON_KEYS),
    ),
    Case(
        "/plants/v2/waste/reasons",
        "/plants/v1/waste/reasons",
        "Cultivator",
        reference.PLANT_WASTE_REASONS,
    ),
    Case(
        "/plants/v2/waste/methods/all",
        "/plants/v1/waste/methods/all",
        None,
        reference.PLANT_WASTE_METHODS,
    ),
    Case(
        "/plants/v2/additives/types",
        "/plants/v1/additives/types",
        None,
        reference.PLANT_ADDITIVE_TYPES,
    ),
    Case(
        "/harvests/v2/waste/types",
        "/harvests/v1/waste/types",
        None,
        reference.HARVEST_WASTE_TYPES,
    ),
    Case("/items/v2/categories", "/items/v1/categories", "Manufacturer", reference.ITEM_CATEGORIES),
    Case("/labtests/v2/states", "/labtests/v1/states", None, reference.LAB_TEST_STATES),
    Case("/labtests/v2/types", "/labtests/v1/types", None, reference.LAB_TEST_TYPES),
    Case("/sales/v2/customertypes", "/sales/v1/customertypes", None, reference.CUSTOMER_TYPES),
    Case("/sales/v2/counties", "/sales/v1/counties", None, reference.COUNTIES),
    Case(
        "/sales/v2/paymenttypes",
        "/sales/v1/paymenttypes",
        "Dispensary",
        reference.PAYMENT_TYPES,
        keys_without_example=frozenset({"Id", "Name"}),
    ),
    Case(
        "/sales/v2/deliveries/returnreasons",
        "/sales/v1/deliveries/returnreasons",
        "Dispensary",
        reference.SALES_DELIVERY_RETURN_REASONS,
    ),
    Case("/transfers/v2/types", "/transfers/v1/types", "Distributor", reference.TRANSFER_TYPES),
    Case(
        "/transfers/v2/deliveries/packages/states",
        "/transfers/v1/deliveries/packages/states",
        None,
        reference.DELIVERY_PACKAGE_STATES,
    ),
    Case("/locations/v2/types", "/locations/v1/types", "Cultivator", reference.LOCATION_TYPES),
]

# Where leafledger's record deliberately differs from the example record of the same name:
# the example's lab test batch name is a placeholder ("LB Name").
DEVIATIONS = {"/items/v2/categories": {"LabTestBatchNames"}}


@pytest.fixture(scope="module")
def examples(shared_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (shared_dir / "spec" / "metrc" / "v2-examples.json").read_text()
    )
    return data


def endpoint(version: str, path: str) -> Endpoint:
    return next(r for r in ROWS if r.method == "GET" and r.version == version and r.path == path)


def example_of(examples: dict[str, Any], path: str) -> Any:
    """The v2 response example of `path` (the examples name paths without a trailing slash)."""
    return examples[f"GET {path.rstrip('/')}"]["response_example"]


def get(
    client: TestClient,
    demo: DemoAccess,
    case: Case,
    version: str = "v2",
    **params: Any,
) -> Any:
    path = case.v2 if version == "v2" else case.v1
    assert path is not None
    row = endpoint(version, path)
    if row.scope is Scope.FACILITY:
        assert case.license_type is not None, f"{path} is facility-scoped"
        params["licenseNumber"] = demo.licenses[case.license_type]
    response = client.get(path, params=params, headers=demo.headers)
    assert response.status_code == 200, response.text
    return response.json()


def names(case: Case) -> list[str]:
    return [r if isinstance(r, str) else r.name for r in case.records]


def data_of(body: Any) -> list[Any]:
    return body["Data"] if isinstance(body, dict) else body


def expected_record_keys(case: Case, example: Any) -> set[str] | None:
    """The key set of the example's records; None for a list of plain names."""
    if example == "No response":
        assert case.keys_without_example is not None
        return set(case.keys_without_example)
    first = data_of(example)[0]
    return set(first) if isinstance(first, dict) else None


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_v2_has_the_shape_of_the_example(
    client: TestClient, demo: DemoAccess, examples: dict[str, Any], case: Case
) -> None:
    example = example_of(examples, case.v2)
    row = endpoint("v2", case.v2)
    body = get(client, demo, case)

    if isinstance(example, dict):
        assert row.paged
        assert isinstance(body, dict)
        assert set(body) == set(example) == ENVELOPE_KEYS
        total = len(case.records)
        assert (body["Total"], body["TotalRecords"], body["RecordsOnPage"]) == (total,) * 3
        assert (body["Page"], body["CurrentPage"], body["TotalPages"]) == (1, 1, 1)
    else:
        assert isinstance(body, list), f"{case.v2} must answer a bare array"
        assert example == "No response" or isinstance(example, list)
        assert not row.paged

    data = data_of(body)
    keys = expected_record_keys(case, example)
    if keys is None:
        assert data == list(case.records)
    else:
        assert all(isinstance(record, dict) and set(record) == keys for record in data)
        assert [record["Name"] for record in data] == names(case)


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.keys_without_example is None], ids=lambda c: c.id
)
def test_example_records_are_in_the_list_as_shown(
    client: TestClient, demo: DemoAccess, examples: dict[str, Any], case: Case
) -> None:
    """The example's records are the baseline: each appears with the same values."""
    example_data = data_of(example_of(examples, case.v2))
    data = data_of(get(client, demo, case))
    if isinstance(example_data[0], str):
        assert example_data == [name for name in data if name in example_data]
        return
    ours = {record["Name"]: record for record in data}
    ignored = DEVIATIONS.get(case.v2, set())
    for shown in example_data:
        mine = ours[shown["Name"]]
        assert {k: v for k, v in mine.items() if k not in ignored} == {
            k: v for k, v in shown.items() if k not in ignored
        }


@pytest.mark.parametrize("case", [c for c in CASES if c.v1], ids=lambda c: c.v1 or "")
def test_v1_twin_answers_a_bare_array_of_the_same_records(
    client: TestClient, demo: DemoAccess, case: Case
) -> None:
    v1 = get(client, demo, case, "v1")
    v2 = get(client, demo, case)
    assert isinstance(v1, list)
    assert v1 == data_of(v2)
    assert len(v1) == len(case.records)


@pytest.mark.parametrize(
    "case", [c for c in CASES if endpoint("v2", c.v2).paged], ids=lambda c: c.id
)
def test_paging_gives_the_second_record(client: TestClient, demo: DemoAccess, case: Case) -> None:
    assert len(case.records) >= 2
    full = get(client, demo, case)["Data"]
    page = get(client, demo, case, pageSize=1, pageNumber=2)
    total = len(case.records)
    assert page["Data"] == [full[1]]
    assert page["Total"] == page["TotalRecords"] == total
    assert page["TotalPages"] == total
    assert (page["PageSize"], page["RecordsOnPage"], page["Page"], page["CurrentPage"]) == (
        1,
        1,
        2,
        2,
    )


@pytest.mark.parametrize(
    "case", [c for c in CASES if not endpoint("v2", c.v2).paged], ids=lambda c: c.id
)
def test_bare_rows_ignore_paging(client: TestClient, demo: DemoAccess, case: Case) -> None:
    body = get(client, demo, case, pageSize=1, pageNumber=2)
    assert isinstance(body, list)
    assert len(body) == len(case.records)


def test_units_include_grams(client: TestClient, demo: DemoAccess) -> None:
    units = get(client, demo, CASES[0])
    assert {"QuantityType": "WeightBased", "Name": "Grams", "Abbreviation": "g"} in units
    assert {"QuantityType": "VolumeBased", "Name": "Milliliters", "Abbreviation": "ml"} in units
    inactive = get(client, demo, CASES[1])
    assert inactive == [{"QuantityType": "WeightBased", "Name": "Tonns", "Abbreviation": "t"}]


def test_item_categories_carry_the_domain_rules(client: TestClient, demo: DemoAccess) -> None:
    case = next(c for c in CASES if c.v2 == "/items/v2/categories")
    categories = {c["Name"]: c for c in data_of(get(client, demo, case))}
    assert categories["Buds"]["QuantityType"] == "WeightBased"
    assert categories["Buds"]["RequiresStrain"] is True
    assert categories["Infused Liquid"]["RequiresUnitVolume"] is True
    assert categories["Edible"]["RequiresUnitWeight"] is True
    assert categories["Vegetative Plants"]["ProductCategoryType"] == "Plants"
    assert categories["Waste"]["RequiresStrain"] is False
    assert categories["Buds"]["LabTestBatchNames"] == list(
        reference.ITEM_CATEGORIES[0].lab_test_batch_names
    )
    for wanted in (
        "Shake/Trim",
        "Concentrate",
        "Tincture",
        "Topical",
        "Vape Cartridge",
        "Pre-Roll Flower",
        "Seeds",
        "Clone - Cutting",
        "Immature Plants",
    ):
        assert wanted in categories


def test_counties_include_colorado_and_the_example_ones(
    client: TestClient, demo: DemoAccess
) -> None:
    case = next(c for c in CASES if c.v2 == "/sales/v2/counties")
    counties = get(client, demo, case, "v1")
    assert counties[:2] == [
        {"Id": 1, "Name": "Los Angeles County"},
        {"Id": 2, "Name": "Sacramento County"},
    ]
    names = {c["Name"] for c in counties}
    assert {"Denver County", "Boulder County", "El Paso County", "Yuma County"} <= names
    assert len([c for c in reference.COUNTIES if c.id > 2]) == 64
    assert len({c["Id"] for c in counties}) == len(counties)


def test_v1_item_categories_do_not_need_a_licence(client: TestClient, demo: DemoAccess) -> None:
    response = client.get("/items/v1/categories", headers=demo.headers)
    assert response.status_code == 200
    assert len(response.json()) == len(reference.ITEM_CATEGORIES)


def test_facility_scoped_lists_need_a_licence(client: TestClient, demo: DemoAccess) -> None:
    response = client.get("/items/v2/categories", headers=demo.headers)
    assert response.status_code == 400
    response = client.get("/locations/v2/types", headers=demo.headers)
    assert response.status_code == 400


def test_reference_lists_need_credentials(client: TestClient) -> None:
    response = client.get("/unitsofmeasure/v2/active")
    assert response.status_code == 401
    assert "Message" in response.json()


def test_every_reference_row_is_implemented() -> None:
    for case in CASES:
        assert endpoint("v2", case.v2).implemented
        if case.v1:
            assert endpoint("v1", case.v1).implemented


# --- The domain lists themselves ----------------------------------------------------------


def test_pascal_names_follow_metrc_spelling() -> None:
    assert pascal_name("requires_unit_cbd_a_percent") == "RequiresUnitCbdAPercent"
    assert pascal_name("requires_unit_thc_a_content_dose") == "RequiresUnitThcAContentDose"
    assert pascal_name("min_consecutive_sources_for_rta") == "MinConsecutiveSourcesForRTA"
    assert pascal_name("max_days_to_reach_min_sources") == "MaxDaystoReachMinSources"
    assert pascal_name("requires_product_pdf_documents") == "RequiresProductPDFDocuments"
    assert pascal_name("requires_pdf_document") == "RequiresPDFDocument"
    assert pascal_name("id") == "Id"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_names_are_unique_and_found_ignoring_case(case: Case) -> None:
    listed = names(case)
    assert len({n.casefold() for n in listed}) == len(listed)
    if isinstance(case.records[0], str):
        assert reference.find_name(case.records, listed[-1].upper()) == listed[-1]
    else:
        assert reference.find_named(case.records, f" {listed[-1].lower()} ") is case.records[-1]


def test_ids_are_unique_where_lists_carry_them() -> None:
    for records in (
        reference.LAB_TEST_TYPES,
        reference.LOCATION_TYPES,
        reference.COUNTIES,
        reference.PAYMENT_TYPES,
        reference.PLANT_BATCH_TYPES,
    ):
        ids = [r.id for r in records]
        assert ids == list(range(1, len(ids) + 1))


def test_count_based_categories_that_need_a_size_say_so() -> None:
    for category in reference.ITEM_CATEGORIES:
        if category.requires_unit_volume:
            assert category.quantity_type.value == "CountBased", category.name
        if category.is_plant:
            assert category.requires_strain and category.quantity_type.value == "CountBased"
