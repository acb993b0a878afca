"""How the Trace dialect describes its rows in OpenAPI: its two credential headers, its
results/warnings envelope, and its error envelope."""

from __future__ import annotations

from typing import Any

from leafledger.dialects.kit.endpoint import Endpoint

SECURITY_SCHEMES = {
    "traceApiKey": {
        "type": "apiKey",
        "in": "header",
        "name": "x-api-key",
        "description": "A Trace API key (`leafledger demo --json` prints the demo's).",
    },
    "traceKmpJson": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": (
            'KMP-JSON token=<base64 of {"vendor-key": <integrator key>, "api-key": <user key>}>'
        ),
    },
}
SECURITY: list[dict[str, list[str]]] = [{"traceApiKey": [], "traceKmpJson": []}]

_PROBLEM = {
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "detail": {"type": "string"},
        "row": {"type": "integer"},
    },
    "required": ["type", "detail"],
}
ERROR = {
    "type": "object",
    "properties": {
        "results": {"type": "null"},
        "warnings": {"type": "array"},
        "errors": {"type": "array", "items": _PROBLEM, "minItems": 1},
    },
    "required": ["results", "warnings", "errors"],
}
_WARNING = {
    "type": "object",
    "properties": {"type": {"type": "string"}, "detail": {"type": "string"}},
}
_RECORDS = {
    "type": "object",
    "properties": {
        "count": {"type": "string"},
        "total": {"type": "integer"},
        "previous": {"type": ["string", "null"]},
        "next": {"type": ["string", "null"]},
    },
    "required": ["count", "total", "previous", "next"],
}


def success(endpoint: Endpoint) -> dict[str, Any]:
    if endpoint.answers is not None:
        data: dict[str, Any] = endpoint.answers
    elif endpoint.paged:
        data = {"type": "array", "items": {"type": "object"}}
    else:
        data = {"type": ["object", "array"]}
    results: dict[str, Any] = {
        "type": "object",
        "properties": {"type": {"enum": ["object", "array"]}, "data": data},
        "required": ["type", "data"],
    }
    if endpoint.paged:
        results["properties"]["records"] = _RECORDS
        results["required"].append("records")
    schema = {
        "type": "object",
        "properties": {"results": results, "warnings": {"type": "array", "items": _WARNING}},
        "required": ["results", "warnings"],
    }
    return {"description": "Done.", "content": {"application/json": {"schema": schema}}}
