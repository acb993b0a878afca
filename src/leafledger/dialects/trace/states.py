"""The `{state}` path segment: a lower-case USPS code that must be the facility's state."""

from __future__ import annotations

import re

from leafledger.dialects.kit.call import Call
from leafledger.domain.errors import NotFound, RuleViolation

# The states Trace documents (its older and newer enum lists together).
TRACE_STATES = frozenset(
    {
        "ca", "or", "nv", "mt", "co", "mi", "il", "ma", "ri", "nj", "md", "de",
        "va", "oh", "ky", "al", "ms", "mn", "la", "ok", "sd", "me", "wa", "wv",
    }
)  # fmt: skip

# Metrc's paths open with a resource name (`/packages/v2/...`), never a two-letter segment.
_TRACE_PATH = re.compile(r"^/[A-Za-z]{2}/v1(?:/|$)")


def is_trace_path(path: str) -> bool:
    """Whether a path lies in the Trace dialect's space, `/{state}/v1/...`, whatever the state:
    a request there that no row serves is still answered in Trace's error shape."""
    return _TRACE_PATH.match(path) is not None


def path_state(call: Call) -> str:
    """The request's state, lower case; unknown states are refused, and for a licence the
    state must be the facility's own."""
    raw = str(call.path_params.get("state", ""))
    state = raw.lower()
    if state not in TRACE_STATES:
        raise NotFound(f"Trace serves no state {raw!r}; use a lower-case USPS code such as 'co'.")
    facility = call.facility_or_none
    if facility is not None and facility.state_code.lower() != state:
        raise RuleViolation(
            f"Licence {facility.license_number} is in state {facility.state_code.lower()!r}, "
            f"but the path names state {state!r}."
        )
    return state
