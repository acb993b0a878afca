"""Fuzzing the API from its own OpenAPI document (schemathesis), every table.

Every operation of /openapi.json gets generated requests with working credentials for its
dialect and a licence of the kind its row serves; the run fails on any 5xx, on any answer
that breaks the documented schema or status codes, and on any request slower than a hang
guard (seconds: a hang, not a performance target; performance is measured in bench/).

Budget: FUZZ_EXAMPLES generated cases per implemented operation, 1 per row that answers 501
(checked to answer 501 or an earlier 4xx, in the documented shape)
(set LEAFLEDGER_FUZZ_EXAMPLES=50 for a longer local run). Cases are derandomized, so a run is
repeatable; the operations are the rows of every table (both dialects', and leafledger's
own extension rows).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from leafledger.dialects.kit.endpoint import Endpoint
from leafledger.dialects.leafledger.table import ROWS as LEAFLEDGER_ROWS
from leafledger.dialects.metrc.table import ROWS as METRC_ROWS
from leafledger.dialects.trace.table import ROWS as TRACE_ROWS
from tests.conftest import DemoAccess
from tests.trace.conftest import kmp_token

FUZZ_EXAMPLES = int(os.environ.get("LEAFLEDGER_FUZZ_EXAMPLES", "4"))
HANG_SECONDS = 10.0
LICENCE_TYPE = {
    "CULTIVATOR": "Cultivator",
    "UNIVERSAL": "Cultivator",
    "MANUFACTURER": "Manufacturer",
    "DISPENSARY": "Dispensary",
    "LAB": "Testing Lab",
    "DISTRIBUTOR": "Distributor",
}
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
ROWS = [*METRC_ROWS, *TRACE_ROWS, *LEAFLEDGER_ROWS]


@pytest.fixture(scope="session")
def fuzz_schema(client: TestClient) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", client.app)


def _documented_path(row: Endpoint) -> str:
    return row.path.rstrip("/") or "/"


def _headers(row: Endpoint, demo: DemoAccess) -> dict[str, str]:
    if row.path.startswith("/{state}/"):
        return {
            "x-api-key": demo.trace_api_key,
            "Authorization": kmp_token(demo.vendor_key, demo.user_key),
        }
    return demo.headers


def _aim(case: Any, row: Endpoint, demo: DemoAccess) -> None:
    """A licence the demo user holds, of the row's licence type, and the facility's state:
    the generated values of everything else are schemathesis's."""
    licence = demo.licenses[LICENCE_TYPE.get(row.license_type, "Cultivator")]
    query = case.query if case.query is not None else {}
    for name in ("licenseNumber", "license_number"):
        if name in query:
            query[name] = licence
    if "state" in (case.path_parameters or {}):
        case.path_parameters["state"] = "co"


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.method} {r.path}")
def test_no_5xx_and_every_answer_as_documented(
    row: Endpoint, fuzz_schema: Any, demo: DemoAccess
) -> None:
    operation = fuzz_schema[_documented_path(row)][row.method]
    headers = _headers(row, demo)

    @given(case=operation.as_strategy())
    @settings(
        max_examples=FUZZ_EXAMPLES if row.implemented else 1,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case: Any) -> None:
        _aim(case, row, demo)
        if row.implemented:
            case.call_and_validate(headers=headers, checks=CHECKS, timeout=HANG_SECONDS)
            return
        # A row without a handler answers 501 whatever it is sent (after the checks every
        # row shares: credentials, licence, body), in the documented error shape.
        response = case.call(headers=headers, timeout=HANG_SECONDS)
        assert response.status_code in (400, 401, 403, 404, 413, 501), response.text
        case.validate_response(response, checks=CHECKS[1:])

    fuzz()
