"""No request may answer 500: random query strings and bodies against every implemented row.

Unimplemented rows share the same machinery up to the 501, and the generated table tests cover
them; here the handlers themselves get hostile input.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leafledger.dialects.kit.endpoint import Body, Endpoint
from leafledger.dialects.metrc.table import ROWS
from tests.conftest import DemoAccess

IMPLEMENTED = [row for row in ROWS if row.implemented]

QUERY_NAMES = [
    "licenseNumber",
    "pageNumber",
    "pageSize",
    "lastModifiedStart",
    "lastModifiedEnd",
    "employeeLicenseNumber",
]
# Values worth trying besides random text: numbers at the edges, odd dates, injections.
TRICKY = st.sampled_from(
    [
        "",
        "0",
        "-1",
        "1",
        "20",
        "21",
        "99999999999999999999",
        "1e3",
        "NaN",
        "null",
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:00 00:00",
        "0001-01-01T00:00:00+05:00",
        "9999-12-31T23:59:59-05:00",
        "'; DROP TABLE facilities; --",
        "\u0000",
        "é",
        "LL-DEMO-CUL-0001",
    ]
)
QUERY = st.dictionaries(
    st.sampled_from(QUERY_NAMES), st.one_of(TRICKY, st.text(max_size=30)), max_size=6
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
BODY = st.one_of(
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=40),
)


@pytest.mark.parametrize("row", IMPLEMENTED, ids=lambda r: f"{r.method} {r.path}")
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=QUERY, body=BODY)
def test_hostile_input_never_answers_500(
    client: TestClient, demo: DemoAccess, row: Endpoint, query: dict[str, Any], body: bytes
) -> None:
    path = row.path.replace("{id}", "1").replace("{", "").replace("}", "")
    content = body if row.body is not Body.NONE else None
    response = client.request(row.method, path, params=query, content=content, headers=demo.headers)
    assert response.status_code < 500, (response.status_code, response.text)
    content_type = response.headers.get("content-type", "")
    assert content_type.startswith("application/json") or not response.content
