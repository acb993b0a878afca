"""The README's Trace requests: one for every implemented row, each body one its row reads."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from leafledger.dialects.kit.bodies import validate
from leafledger.dialects.kit.endpoint import Endpoint
from leafledger.dialects.trace.table import ROWS

README = Path(__file__).parents[2] / "README.md"
_REQUEST = re.compile(r"^(GET|POST|PUT|DELETE)\s+(\S+)$")


def readme_requests() -> list[tuple[str, str, Any]]:
    """(method, path, body or None) of each request of the README's Trace requests block."""
    section = README.read_text(encoding="utf-8").split("### Trace requests", 1)[1]
    block = section.split("```text", 1)[1].split("```", 1)[0]
    requests: list[tuple[str, str, list[str]]] = []
    for line in block.splitlines():
        found = _REQUEST.match(line.strip())
        if found:
            requests.append((found[1], found[2], []))
        elif line.strip():
            requests[-1][2].append(line.strip())
    return [(m, p, json.loads(" ".join(body)) if body else None) for m, p, body in requests]


def row_of(method: str, path: str) -> Endpoint:
    bare = path.split("?", 1)[0]
    for row in ROWS:
        pattern = re.sub(r"\\{state\\}", "[a-z]{2}", re.escape(row.path))
        pattern = re.sub(r"\\{(id|lot_id)\\}", r"\\d+", pattern)
        if row.method == method and re.fullmatch(pattern, bare):
            return row
    raise AssertionError(f"no row serves {method} {path}")


def test_every_implemented_row_has_one_request_and_its_body_reads() -> None:
    requests = readme_requests()
    rows = [row_of(method, path) for method, path, _ in requests]
    assert all(row.implemented for row in rows)
    assert sorted(f"{r.method} {r.path}" for r in rows) == sorted(
        f"{r.method} {r.path}" for r in ROWS if r.implemented
    )
    for row, (method, path, body) in zip(rows, requests, strict=True):
        if row.schema is None:
            assert body is None, (method, path)
            continue
        assert body is not None, (method, path)
        validate(row.schema, body, None)
