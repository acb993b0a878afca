"""The base of Trace body schemas: snake_case JSON objects, unknown fields ignored.

Field names are the wire names (Trace writes snake_case, as the domain does); a field may take
an alias where Trace's name differs from the command's, or read a nested wire value
(`validation_alias=AliasPath("cannabinoids", "thc_percent")`). The licence a body names is
checked by the dialect (`TraceDialect.check_call`), not by each schema.

Trace documents fields the ledger has no place for (a strain's breeder, an employee's phone
number...). A schema lists them in `not_kept`: a body that gives one of them a value is still
served, and its answer carries a warning naming what was not kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import ConfigDict

from leafledger.dialects.kit.bodies import WireBody

if TYPE_CHECKING:
    from leafledger.dialects.kit.call import Call


class TraceBody(WireBody):
    model_config = ConfigDict(
        extra="ignore", frozen=True, str_strip_whitespace=True, populate_by_name=True
    )
    # Documented wire fields (dotted paths) the ledger does not keep.
    not_kept: ClassVar[tuple[str, ...]] = ()


class DeleteBody(TraceBody):
    """A DELETE names only its licence (`{"license": {...}}`, checked by the dialect)."""


def _given(body: Any, path: str) -> bool:
    """Whether the raw body gives the dotted `path` a value (not null, "", {} or [])."""
    value = body
    for part in path.split("."):
        if not isinstance(value, dict):
            return False
        value = value.get(part)
    return value not in (None, "", {}, [])


def unkept_warnings(call: Call) -> list[dict[str, str]]:
    """A warning naming the fields of the request's body that the ledger does not keep."""
    schema = call.endpoint.schema
    unkept = getattr(schema, "not_kept", ())
    given = [path for path in unkept if _given(call.body, path)]
    if not given:
        return []
    return [
        {
            "type": "not_kept",
            "detail": f"leafledger does not keep {', '.join(given)}; the rest was applied.",
        }
    ]


def merged(body: TraceBody, current: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """The values of a partial update (Trace's PUT sends only what changes): each of `names`
    as the body sent it, else as the `current` row has it."""
    sent = body.model_fields_set
    return {name: getattr(body if name in sent else current, name) for name in names}


class StateChange(TraceBody):
    """One entry of an `entity_state` list a body sends."""

    state: str
    date: str | None = None
    reason: str | None = None
    actioned_by: str | None = None


def wanted_state(changes: list[StateChange] | None) -> str | None:
    """The state a body's `entity_state` list asks for: its last entry's, lower case."""
    return changes[-1].state.strip().lower() if changes else None
