"""Request bodies of the Trace dialect: snake_case JSON objects checked by Pydantic models.

Unknown fields are ignored. The first problem found answers 400 naming the field.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from leafledger.dialects.kit.call import Call
from leafledger.dialects.trace.dialect import body_license_number
from leafledger.domain.errors import RuleViolation


class TraceBody(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)


M = TypeVar("M", bound=TraceBody)


def parse_body(model: type[M], call: Call) -> M:
    """The call's JSON object as a `model`; its licence, if named, must be the request's."""
    try:
        parsed = model.model_validate(call.body)
    except ValidationError as exc:
        error = exc.errors(include_url=False, include_context=False)[0]
        field = ".".join(str(part) for part in error["loc"]) or "body"
        message = "is required" if error["type"] == "missing" else error["msg"].lower()
        raise RuleViolation(f"{field}: {message}") from None
    named = body_license_number(call.body)
    if named is not None and named.strip() != call.facility.license_number:
        raise RuleViolation(
            f"The body names licence {named.strip()!r} but the request is for licence "
            f"{call.facility.license_number!r}."
        )
    return parsed


def no_parent(parent_id: Any) -> None:
    """leafledger locations are flat (sublocations are their own list): no parent may be set."""
    if parent_id not in (None, ""):
        raise RuleViolation("parent_id: locations have no parent location here; send null.")
