"""How the Metrc dialect describes its rows in OpenAPI: HTTP Basic, its error bodies, its
answer shapes, and the request/response examples of Metrc's v2 documentation (package data,
`data/v2_examples.json`)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from leafledger.dialects.kit.endpoint import Body, Endpoint
from leafledger.dialects.kit.openapi import shape_of

SECURITY_SCHEMES = {
    "metrcBasic": {
        "type": "http",
        "scheme": "basic",
        "description": "Username: the integrator (vendor) key. Password: the user key.",
    }
}
SECURITY: list[dict[str, list[str]]] = [{"metrcBasic": []}]

_MESSAGE = {
    "type": "object",
    "properties": {"Message": {"type": "string"}},
    "required": ["Message"],
}
_ROW_ERRORS = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"row": {"type": "integer"}, "message": {"type": "string"}},
        "required": ["row", "message"],
    },
}
ERROR = {"anyOf": [_MESSAGE, _ROW_ERRORS]}

WRITTEN = {
    "type": "object",
    "properties": {
        "Ids": {"type": "array", "items": {"type": "integer"}},
        "Warnings": {"type": "null"},
    },
    "required": ["Ids", "Warnings"],
}


def _envelope(item: dict[str, Any]) -> dict[str, Any]:
    page_fields = ("Total", "TotalRecords", "PageSize", "RecordsOnPage", "Page", "CurrentPage")
    return {
        "type": "object",
        "properties": {
            "Data": {"type": "array", "items": item},
            **{name: {"type": "integer"} for name in page_fields},
            "TotalPages": {"type": "integer"},
        },
        "required": ["Data", "Total", "PageSize", "Page", "TotalPages"],
    }


@cache
def _examples() -> dict[str, Any]:
    text = resources.files("leafledger.dialects.metrc").joinpath("data/v2_examples.json")
    loaded: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return loaded


def documented(key: str, which: str) -> Any:
    """Metrc's documented request or response example of `key` ("GET /labtests/v2/batches"),
    if it gives one."""
    found = _examples().get(key, {}).get(which)
    return None if found == "No response" else found


def example(endpoint: Endpoint, which: str) -> Any:
    """The documented request or response example of a v2 row, if Metrc gives one."""
    return documented(f"{endpoint.method} {endpoint.path.rstrip('/')}", which)


def _read_shape(endpoint: Endpoint) -> dict[str, Any]:
    documented = example(endpoint, "response") if endpoint.version == "v2" else None
    if documented is not None:
        return shape_of(documented)
    if endpoint.paged and endpoint.version == "v2":
        return _envelope({"type": "object"})
    if {"id", "label"} & set(endpoint.params):
        return {"type": "object"}
    return {"type": "array"}


def success(endpoint: Endpoint) -> dict[str, Any]:
    """The 200 answer of a row."""
    if endpoint.media_type is not None:
        media = endpoint.media_type.split(";")[0]
        return {
            "description": "The document.",
            "content": {media: {"schema": {"type": "string", "format": "binary"}}},
        }
    if endpoint.answers is not None:
        schema: dict[str, Any] | None = endpoint.answers
    elif endpoint.method == "GET" and endpoint.body is Body.NONE:
        schema = _read_shape(endpoint)
    elif endpoint.version == "v1":
        schema = None
    else:
        schema = WRITTEN
    if schema is None:
        return {"description": "Done (v1 writes answer an empty body)."}
    content: dict[str, Any] = {"schema": schema}
    documented = example(endpoint, "response") if endpoint.version == "v2" else None
    if documented is not None:
        content["example"] = documented
    return {"description": "Done.", "content": {"application/json": content}}
