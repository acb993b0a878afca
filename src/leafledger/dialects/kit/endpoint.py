"""An endpoint is a row: what it is, who may call it, what it takes, and what serves it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from leafledger.dialects.kit.bodies import WireBody
    from leafledger.dialects.kit.call import Call

# A handler receives the prepared call and returns the JSON-ready result (or None for no body).
Handler = Callable[["Call"], Any]
# Loads a row's target from its path parameters before the handler runs (kit/loaders.py).
Loader = Callable[["Call"], Any]

_PARAM = re.compile(r"{([A-Za-z_]+)}")
# Path parameters that are database ids: matched as digits only, so `{id}` and `{label}`
# twins can sit on the same path shape.
INTEGER_PARAMS = frozenset({"id", "lot_id"})


class Scope(Enum):
    FACILITY = "facility"  # needs ?licenseNumber= for a facility the user works at
    CALLER = "caller"  # valid keys are enough (facility lists, fixed reference lists)


class Body(Enum):
    NONE = "none"
    ARRAY = "array"  # a JSON array of at most 10 objects
    OBJECT = "object"  # a single JSON object


@dataclass(frozen=True)
class Endpoint:
    resource: str
    license_type: str
    version: str
    method: str
    path: str
    permissions: tuple[str, ...]
    scope: Scope = Scope.FACILITY
    paged: bool = False
    # Filters on modification time: Metrc's lastModifiedStart/End, Trace's start_date/end_date.
    windowed: bool = False
    body: Body = Body.NONE
    # The schema of each body object; the handler receives their commands (kit/bodies.py).
    schema: type[WireBody] | None = field(default=None, compare=False)
    # What the path names, loaded (and scoped to the licence) before the handler runs.
    loads: Loader | None = field(default=None, compare=False)
    # The JSON schema of the success body, for a row whose answer is not its dialect's usual
    # one for its kind (OpenAPI; kit/openapi.py).
    answers: dict[str, Any] | None = field(default=None, compare=False)
    # What the success body is, when it is not JSON (a PDF, an HTML page): its media type.
    media_type: str | None = field(default=None, compare=False)
    handler: Handler | None = field(default=None, compare=False)

    @property
    def implemented(self) -> bool:
        return self.handler is not None

    @property
    def route_path(self) -> str:
        """The path as mounted: no trailing slash, id parameters typed as integers."""
        trimmed = self.path.rstrip("/") or "/"
        return _PARAM.sub(lambda m: f"{{{m[1]}:int}}" if m[1] in INTEGER_PARAMS else m[0], trimmed)

    @property
    def params(self) -> list[str]:
        return _PARAM.findall(self.path)

    def mount_order(self) -> tuple[int, ...]:
        """Sort key: at each segment, a fixed word wins over an integer id, which wins over text."""
        kinds = []
        for segment in self.route_path.strip("/").split("/"):
            if not segment.startswith("{"):
                kinds.append(0)
            elif segment.endswith(":int}"):
                kinds.append(1)
            else:
                kinds.append(2)
        return tuple(kinds)


def parse_permissions(text: str) -> tuple[str, ...]:
    """Catalogue permission text to names; "None" and "Permissions vary" need none of their own."""
    text = text.strip()
    if text in {"", "None", "Permissions vary"}:
        return ()
    return tuple(part.strip() for part in text.split(";") if part.strip())
