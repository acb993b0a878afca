"""The OpenAPI description of the endpoint tables, built from the rows themselves.

Each operation shows what the kit will accept and what it answers:

- its parameters (path, licence, the dialect's paging and window parameters);
- its request body, from the row's body schema: field names as the wire spells them, their
  types, which are required (the schemas of every row share one set of components, named
  uniquely);
- its answers: the success shape the dialect gives the row (Metrc: the v2 envelope, a bare
  array, an object, `{"Ids", "Warnings"}` or an empty v1 write; Trace: the results envelope),
  and each error status the kit may answer, in the dialect's error shape;
- its security: HTTP Basic for Metrc, the two Trace headers for Trace.

A dialect provides the parts that are its own (`Dialect.openapi_*`); examples, where the
dialect has them (Metrc's v2 examples), are attached to bodies and answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pydantic.json_schema import models_json_schema

from leafledger.dialects.kit.endpoint import Body, Endpoint

if TYPE_CHECKING:
    from leafledger.dialects.kit.bodies import WireBody

REF = "#/components/schemas/{model}"
ERROR_STATUSES = {
    "400": "The request is malformed or breaks a rule; nothing was changed.",
    "401": "Missing or wrong credentials, or a licence the user does not work at.",
    "403": "The user lacks a permission the endpoint requires at this facility.",
    "404": "Nothing has that id (or label).",
    "413": "The body is too large or holds too many objects.",
    "429": "Too many requests; retry after the Retry-After delay.",
    "501": "Not implemented in leafledger yet.",
}


def schema_components(rows: Iterable[Endpoint]) -> tuple[dict[Any, Any], dict[str, Any]]:
    """The JSON schema of every row's body schema: (schema -> its $ref, the components)."""
    schemas: list[type[WireBody]] = []
    for row in rows:
        if row.schema is not None and row.schema not in schemas:
            schemas.append(row.schema)
    if not schemas:
        return {}, {}
    refs, definitions = models_json_schema(
        [(schema, "validation") for schema in schemas], by_alias=True, ref_template=REF
    )
    return {schema: refs[(schema, "validation")] for schema in schemas}, definitions.get(
        "$defs", {}
    )


def request_body(endpoint: Endpoint, ref: dict[str, Any] | None) -> dict[str, Any] | None:
    if endpoint.body is Body.NONE:
        return None
    item: dict[str, Any] = ref or {"type": "object"}
    if endpoint.body is Body.ARRAY:
        schema: dict[str, Any] = {"type": "array", "minItems": 1, "maxItems": 10, "items": item}
    else:
        schema = item
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def shape_of(example: Any) -> dict[str, Any]:
    """A schema that an example's shape satisfies, and that values of the same kind do too:
    objects keep their keys (no key is required, others are allowed), scalars their kind or
    null (the ledger may not know a value the example shows)."""
    if isinstance(example, dict):
        return {
            "type": "object",
            "properties": {key: shape_of(value) for key, value in example.items()},
        }
    if isinstance(example, list):
        items: dict[str, Any] | None = None
        for item in example:  # every element: documented lists mix kinds (0 or "RequiresOne")
            items = shape_of(item) if items is None else _either(items, shape_of(item))
        return {"type": "array", "items": items or {}}
    if isinstance(example, bool):
        return {"type": ["boolean", "null"]}
    if isinstance(example, int | float):
        return {"type": ["number", "null"]}
    if isinstance(example, str):
        return {"type": ["string", "null"]}
    return {}


def _kinds(shape: dict[str, Any]) -> list[str]:
    kind = shape.get("type", [])
    return [kind] if isinstance(kind, str) else list(kind)


def _either(one: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """A shape both shapes' values satisfy: objects merge their keys, scalars their kinds."""
    if not one or not other:
        return {}
    if one.get("type") == "object" and other.get("type") == "object":
        keys = {**other["properties"], **one["properties"]}
        return {
            "type": "object",
            "properties": {
                key: _either(one["properties"].get(key, value), other["properties"].get(key, value))
                for key, value in keys.items()
            },
        }
    if one.get("type") == "array" and other.get("type") == "array":
        return {"type": "array", "items": _either(one["items"], other["items"])}
    kinds = sorted(set(_kinds(one)) | set(_kinds(other)))
    if {"object", "array"} & set(kinds):
        return {}
    return {"type": kinds}


def responses(success: dict[str, Any], error: dict[str, Any]) -> dict[str, Any]:
    answers = {"200": success}
    for status, description in ERROR_STATUSES.items():
        answers[status] = {
            "description": description,
            "content": {"application/json": {"schema": error}},
        }
    return answers
