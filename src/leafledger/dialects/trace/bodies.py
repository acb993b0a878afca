"""The base of Trace body schemas: snake_case JSON objects, unknown fields ignored.

Field names are the wire names (Trace writes snake_case, as the domain does); a field may take
an alias where Trace's name differs from the command's. The licence a body names is checked by
the dialect (`TraceDialect.check_call`), not by each schema.

Trace documents fields the ledger has no place for (a lot's name). A schema names them in
`not_kept`: a body that gives one a value is served all the same, and `not_kept_warnings`
words the warning its answer carries.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import ConfigDict

from leafledger.dialects.kit.bodies import WireBody


class TraceBody(WireBody):
    model_config = ConfigDict(
        extra="ignore", frozen=True, str_strip_whitespace=True, populate_by_name=True
    )
    # Wire fields of the body (top-level names) that the ledger does not keep.
    not_kept: ClassVar[tuple[str, ...]] = ()


def not_kept_warnings(schema: type[WireBody] | None, body: Any) -> list[dict[str, str]]:
    """The warning for the fields of `body` (the request's JSON) that `schema` does not keep,
    when it gives any of them a value (not null, "", [] or {})."""
    unkept = getattr(schema, "not_kept", ())
    given = [name for name in unkept if isinstance(body, dict) and body.get(name) not in _EMPTY]
    if not given:
        return []
    detail = f"leafledger does not keep {', '.join(given)}; the rest of the body was applied."
    return [{"type": "not_kept", "detail": detail}]


_EMPTY: tuple[Any, ...] = (None, "", [], {})
