"""Trace lab results: GET /{state}/v1/labs/results/{lot_id}, the lab tests of a lot (a package)
recorded and released through the Metrc dialect, in the shape of Trace's sample."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger
from tests.metrc.test_harvests import Api, Grow
from tests.metrc.test_lab_tests import Lab, passing, testing_grow
from tests.metrc.test_package_inventory import stock, stored_package
from tests.statements import counted_statements
from tests.trace.conftest import TraceAccess

RESULT_KEYS = [
    "license_number",
    "id",
    "lab",
    "contains_non_mandatory_tests",
    "overall_result",
    "original_test_id",
    "test_use",
    "batch_type",
    "is_extraction_eligible",
    "is_retest_eligible",
    "test",
    "documents",
    "entity_state",
    "lots",
]
TEST_KEYS = [
    "date",
    "status",
    "comment",
    "is_non_mandatory",
    "revoked_date",
    "test_detail_revoke_date",
    "type",
    "result",
]
LEVEL_KEYS = [
    "level",
    "unit_of_measure",
    "total_thc_cbd",
    "total_cbd",
    "total_thc",
    "is_high_cbd",
    "is_high_thc",
    "is_general_use",
    "released",
    "released_date",
    "actioned_by",
]


@pytest.fixture()
def grow(ledger: Ledger, store: Store) -> Grow:
    return testing_grow(ledger, store)


@pytest.fixture()
def lab(client: TestClient, demo: DemoAccess, grow: Grow) -> Lab:
    return Lab(Api(client, demo, grow.license), grow)


def lab_results(
    client: TestClient, trace: TraceAccess, grow: Grow, lot_id: int, **params: str
) -> Response:
    return client.get(
        f"/co/v1/labs/results/{lot_id}",
        params={"license_number": grow.license, **params},
        headers=trace.headers,
    )


def data_of(response: Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["warnings"] == [] and body["results"]["type"] == "array"
    assert "records" not in body["results"]  # as the sample: the lot's results, not paged
    data: list[dict[str, Any]] = body["results"]["data"]
    return data


def test_a_lot_s_lab_results_in_the_shape_of_the_sample(
    client: TestClient, trace: TraceAccess, lab: Lab, grow: Grow
) -> None:
    lot = stock(grow)
    sample = lab.sample(lot)
    lab_test = lab.record(sample, [*passing("THC"), {"LabTestTypeName": "CBN", "Passed": True}])
    lot_id = stored_package(grow.store, lot).id
    assert data_of(lab_results(client, trace, grow, lot_id)) == []  # not released yet
    [pending] = data_of(lab_results(client, trace, grow, stored_package(grow.store, sample).id))
    assert pending["overall_result"] == "lab_testing_awaiting_confirmation"
    assert [step["state"] for step in pending["entity_state"]] == [
        "lab_testing_awaiting_confirmation"
    ]
    lab.release(sample)
    [result] = data_of(lab_results(client, trace, grow, lot_id))
    assert list(result) == RESULT_KEYS
    assert result["id"] == str(lab_test) and result["license_number"] == grow.license
    [the_lab] = result["lab"]
    assert the_lab["license_number"] == grow.license and the_lab["name"] == grow.facility.name
    assert result["overall_result"] == "lab_testing_passed"
    assert result["contains_non_mandatory_tests"] is True
    assert result["lots"] == {"license_number": grow.license, "id": str(lot_id), "barcode": lot}
    thc, cbn = result["test"]
    assert list(thc) == TEST_KEYS and list(thc["result"]) == LEVEL_KEYS
    assert thc["status"] == "lab_testing_passed" and thc["type"]["name"] == "THC"
    assert thc["date"] == f"{grow.today}T00:00:00Z"
    assert thc["result"]["level"] == 1.5 and thc["result"]["released"] is True
    assert thc["result"]["released_date"].endswith("Z")
    assert cbn["is_non_mandatory"] is True
    recorded, released = result["entity_state"]
    assert recorded["state"] == "lab_testing_awaiting_confirmation"
    assert released["state"] == "lab_testing_passed"
    assert released["reason"] == "lab test result released"
    assert released["actioned_by"] == grow.facility.name


def test_the_entity_state_filter_keeps_results_in_that_state(
    client: TestClient, trace: TraceAccess, lab: Lab, grow: Grow
) -> None:
    sample = lab.sample(stock(grow))
    lab.record(sample, [{"LabTestTypeName": "THC", "Quantity": 1, "Passed": False}])
    sample_id = stored_package(grow.store, sample).id
    awaiting = {"entity_state": "lab_testing_awaiting_confirmation"}
    assert len(data_of(lab_results(client, trace, grow, sample_id, **awaiting))) == 1
    lab.release(sample)
    assert data_of(lab_results(client, trace, grow, sample_id, **awaiting)) == []
    failed = {"entity_state": "lab_testing_failed"}
    [result] = data_of(lab_results(client, trace, grow, sample_id, **failed))
    assert result["overall_result"] == "lab_testing_failed"
    assert (
        data_of(lab_results(client, trace, grow, sample_id, entity_state="lab_testing_passed"))
        == []
    )
    response = lab_results(client, trace, grow, sample_id, entity_state="tested")
    assert response.status_code == 400
    [problem] = response.json()["errors"]
    assert problem["type"] == "bad_request" and "lab_testing_passed" in problem["detail"]


def test_a_lot_of_another_licence_or_none_is_refused(
    client: TestClient, trace: TraceAccess, grow: Grow, ledger: Ledger, store: Store
) -> None:
    foreign = stored_package(store, stock(Grow.start(ledger, store))).id
    assert lab_results(client, trace, grow, foreign).status_code == 401
    assert lab_results(client, trace, grow, 2147483000).status_code == 404


def test_the_results_of_a_lot_cost_the_same_statements_however_many(
    client: TestClient, trace: TraceAccess, lab: Lab, grow: Grow, store: Store
) -> None:
    def statements(lot_id: int, expected: int) -> int:
        lab_results(client, trace, grow, lot_id)  # warms the credential memory
        with counted_statements(store.engine) as seen:
            assert len(data_of(lab_results(client, trace, grow, lot_id))) == expected
        return len(seen)

    one, three = stock(grow), stock(grow)
    for lot, count in ((one, 1), (three, 3)):
        for _ in range(count):
            sample = lab.sample(lot)
            lab.record(sample, passing("THC", "CBD"))
            lab.release(sample)
    ids = {lot: stored_package(store, lot).id for lot in (one, three)}
    assert statements(ids[one], 1) == statements(ids[three], 3)
