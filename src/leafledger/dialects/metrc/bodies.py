"""Validating the objects of a request body against a schema, with Metrc's row-indexed errors.

A schema is a Pydantic model with snake_case fields; the wire names are their PascalCase forms
(`render.pascal_name`), so `unit_thc_percent` reads `UnitThcPercent`. Unknown fields are ignored,
as Metrc does. The first problem found is reported as a RuleViolation naming the object's row.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from leafledger.dialects.metrc.render import pascal_name
from leafledger.domain.errors import RuleViolation


class WireObject(BaseModel):
    """Base of every request-body schema of the Metrc dialect."""

    model_config = ConfigDict(
        alias_generator=pascal_name,
        populate_by_name=True,
        extra="ignore",
        frozen=True,
        str_strip_whitespace=True,
    )


M = TypeVar("M", bound=WireObject)


def parse_object(model: type[M], obj: dict[str, Any], row: int) -> M:
    """`obj` as a `model`, or a RuleViolation at `row` saying which field is wrong and why."""
    try:
        return model.model_validate(obj)
    except ValidationError as exc:
        error = exc.errors(include_url=False, include_context=False)[0]
        field = ".".join(str(part) for part in error["loc"]) or "body"
        raise RuleViolation(f"{field}: {_plain(error['msg'], error['type'])}", row=row) from None


def parse_objects(model: type[M], objects: list[dict[str, Any]]) -> list[M]:
    return [parse_object(model, obj, row) for row, obj in enumerate(objects)]


def _plain(message: str, kind: str) -> str:
    if kind == "missing":
        return "is required"
    return message[:1].lower() + message[1:]
