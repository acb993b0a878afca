"""Hostile values in every field of every write row's body schema, every table (both
dialects', and leafledger's own extension rows).

Generated from the tables: each implemented row that takes a body gets, in each field of its
schema, the values no field may take (numbers that would cost more to expand than they are
worth, lone surrogates, NUL characters, nesting past the limit) and the values its field's
type refuses (booleans for numbers, integers past 64 bits, dates out of the calendar, texts
for numbers...). The rest of the object is the row's documented example where Metrc gives
one. Each answer must be a refusal (400, or the 401/403/404/413 of a loader or a limit) in
the dialect's error format, come back before a hang guard (seconds: this is about hangs, not
performance), and leave the ledger unchanged (every change appends an audit event, so the
log's length is the witness).
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from leafledger.dialects.kit.endpoint import Body, Endpoint
from leafledger.dialects.leafledger.table import ROWS as LEAFLEDGER_ROWS
from leafledger.dialects.metrc.openapi import example
from leafledger.dialects.metrc.table import ROWS as METRC_ROWS
from leafledger.dialects.trace.table import ROWS as TRACE_ROWS
from leafledger.domain.models import AuditEvent
from leafledger.store import Store
from tests.conftest import DemoAccess
from tests.trace.conftest import kmp_token

HANG_SECONDS = 5.0
LICENCE_TYPE = {
    "CULTIVATOR": "Cultivator",
    "UNIVERSAL": "Cultivator",
    "MANUFACTURER": "Manufacturer",
    "DISPENSARY": "Dispensary",
    "LAB": "Testing Lab",
    "DISTRIBUTOR": "Distributor",
}
# Raw JSON no field may hold: refused while the body is read.
FOR_ANY_FIELD = {
    "a huge exponent": "1.0e999999999",
    "sixty digits": "9" * 60,
    "a lone surrogate": '"\\ud800"',
    "a NUL character": '"a\\u0000b"',
    "nesting past the limit": "[" * 40 + "]" * 40,
}
# Raw JSON each kind of field refuses.
BY_KIND = {
    "integer": {
        "true": "true",
        "2^64": str(2**64),
        "a fraction": "1.5",
        "a text": '"12abc"',
    },
    "number": {"true": "true", "10^30": "1e30", "a text": '"lots"', "an object": "{}"},
    "date": {"year 1": '"0001-01-01"', "year 2999": '"2999-01-01"', "not a date": '"soon"'},
    "date-time": {"year 1": '"0001-01-01T00:00:00Z"', "not a time": '"later"'},
    "boolean": {"a number": "5", "a word": '"maybe"'},
    "string": {"a number": "5", "a list": '["x"]'},
}
REFUSED = {400, 401, 403, 404, 413}
WRITE_ROWS = [
    row
    for row in (*METRC_ROWS, *TRACE_ROWS, *LEAFLEDGER_ROWS)
    if row.implemented and row.schema is not None and row.body is not Body.NONE
]


def _kind(field_schema: dict[str, Any]) -> str | None:
    options = field_schema.get("anyOf", [field_schema])
    for option in options:
        kind = option.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), None)
        if kind == "string" and option.get("format") in ("date", "date-time"):
            return str(option["format"])
        if kind in BY_KIND:
            return str(kind)
    return None


def _fields(row: Endpoint) -> dict[str, str | None]:
    assert row.schema is not None
    properties = row.schema.model_json_schema(by_alias=True).get("properties", {})
    return {name: _kind(schema) for name, schema in properties.items()}


def _base(row: Endpoint) -> dict[str, Any]:
    documented = example(row, "request") if row.version == "v2" else None
    if isinstance(documented, list) and documented and isinstance(documented[0], dict):
        return dict(documented[0])
    return dict(documented) if isinstance(documented, dict) else {}


def _raw_body(row: Endpoint, base: dict[str, Any], field: str, raw: str) -> bytes:
    marker = "__HOSTILE_VALUE__"
    text = json.dumps({**base, field: marker}).replace(f'"{marker}"', raw)
    return (f"[{text}]" if row.body is Body.ARRAY else text).encode()


def _audit_length(store: Store) -> int:
    with store.transaction(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def _request(row: Endpoint, demo: DemoAccess) -> tuple[str, dict[str, str], dict[str, str]]:
    licence = demo.licenses[LICENCE_TYPE.get(row.license_type, "Cultivator")]
    path = row.path.replace("{state}", "co").replace("{id}", "1").replace("{lot_id}", "1")
    if row.path.startswith("/{state}/"):
        headers = {
            "x-api-key": demo.trace_api_key,
            "Authorization": kmp_token(demo.vendor_key, demo.user_key),
        }
        return path, {"license_number": licence}, headers
    return path, {"licenseNumber": licence}, demo.headers


@pytest.mark.parametrize("row", WRITE_ROWS, ids=lambda r: f"{r.method} {r.path}")
def test_hostile_values_are_refused_quickly_and_change_nothing(
    row: Endpoint, client: TestClient, store: Store, demo: DemoAccess
) -> None:
    path, params, headers = _request(row, demo)
    base = _base(row)
    faults = []
    before = _audit_length(store)
    for field, kind in _fields(row).items():
        hostile = {**FOR_ANY_FIELD, **BY_KIND.get(kind or "", {})}
        for what, raw in hostile.items():
            started = time.monotonic()
            response = client.request(
                row.method,
                path,
                params=params,
                content=_raw_body(row, base, field, raw),
                headers={**headers, "Content-Type": "application/json"},
            )
            took = time.monotonic() - started
            problem = f"{field} = {what}: {response.status_code} in {took:.2f} s"
            if response.status_code not in REFUSED or took > HANG_SECONDS:
                faults.append(f"{problem}: {response.text[:200]}")
            elif not _in_dialect_format(row, response.json()):
                faults.append(f"{problem}: not an error body of the dialect: {response.text[:200]}")
    assert faults == []
    assert _audit_length(store) == before, "a refused request changed the ledger"


def _in_dialect_format(row: Endpoint, body: Any) -> bool:
    if row.path.startswith("/{state}/"):
        return isinstance(body, dict) and body.get("results") is None and bool(body["errors"])
    if isinstance(body, list):
        return all({"row", "message"} <= set(item) for item in body)
    return isinstance(body, dict) and isinstance(body.get("Message"), str)
