"""Trace wire conventions: credentials, licence, `limit`/`offset`, envelopes and errors.

Credentials: two headers, both required.
- `x-api-key`: a Trace account key (`services/trace_accounts.py`).
- `Authorization: KMP-JSON token=<base64>`, where the base64 text is the JSON object
  `{"vendor-key": <integrator key>, "api-key": <user key>}` -- the same key pair the Metrc
  dialect takes as HTTP Basic. The form `<vendor key>:<user key>` (as in one doc example) is
  accepted too.

Licence: the `license_number` query parameter; a write may name it in its body instead
(`{"license": {"license_number": ...}}` or a flat `"license_number"`), as Trace's samples do.

Paging: `limit` (default 100, at most 1000) and `offset` (default 0). A paged list answers
`results.records = {count: "<first> - <end>", total, previous, next}`, where `previous`/`next`
are path-absolute URLs of the neighbouring pages (same query, other offset), or null.

Envelope: `{"results": {"type": "object"|"array", ["records": ...], "data": ...},
"warnings": [...]}`; a handler that has warnings to give answers them `Warned`.

Bodies: one JSON object of at most 1 MiB (`413` above that). A row that takes several objects
at once names the key of their list (`POST /sales`: `{"sales": [...]}`, `TraceEndpoint.batch`):
at most 10 objects there (`413` above that), each may name its licence, and every licence a
body names must be the request's.

Errors: Trace documents no error body, so leafledger answers every error with the envelope's
shape and an `errors` list of the same `{type, detail}` form as warnings:
`{"results": null, "warnings": [], "errors": [{"type": "<kind>", "detail": "<message>"}]}`.
The HTTP status carries the class of error (400, 401, 403, 404, 405, 413, 429, 500, 501) and
`type` names it in words (`bad_request`, `unauthorized`, ...). Requests under `/{state}/v1/`
that no row serves (an unknown path, a method the path does not have) answer the same shape
(`states.is_trace_path`, used by the application's 404/405 handler).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from leafledger.dialects.kit.access import AccessCache
from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.endpoint import Endpoint
from leafledger.dialects.kit.errors import RequestError, bad_request
from leafledger.dialects.kit.json_body import MAX_OBJECTS
from leafledger.dialects.kit.paging import MAX_QUERY_INT, PageRequest
from leafledger.dialects.kit.results import Listing, Written
from leafledger.dialects.kit.runner import Dialect, json_response, optional_query, rendered_page
from leafledger.dialects.kit.window import Window, parse_instant
from leafledger.dialects.trace import openapi
from leafledger.dialects.trace.states import path_state
from leafledger.domain.errors import RuleViolation, Unauthenticated
from leafledger.domain.services.trace_accounts import authenticate_trace_account

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
MAX_BODY_BYTES = 1 << 20

ERROR_TYPES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    429: "too_many_requests",
    500: "server_error",
    501: "not_implemented",
}

AUTH_HINT = (
    'Send Authorization: KMP-JSON token=<base64 of {"vendor-key": ..., "api-key": ...}> '
    "with the integrator key and the user key."
)


@dataclass(frozen=True)
class TraceEndpoint(Endpoint):
    """A Trace row; `batch` names the key of a body's list of objects, for rows that take
    several at once (`{"sales": [...]}`)."""

    batch: str | None = None


@dataclass(frozen=True)
class Warned:
    """A result and the warnings that go with it (`[{"type", "detail"}]`)."""

    value: Any
    warnings: list[dict[str, str]]


@dataclass(frozen=True)
class OffsetPage(PageRequest):
    """A page chosen by an offset in records rather than a page number."""

    start: int = 0

    @property
    def offset(self) -> int:
        return self.start


def _decode_token(token: str) -> tuple[str, str] | None:
    token = token.strip().strip('"')
    token += "=" * (-len(token) % 4)
    try:
        text = base64.b64decode(token, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if text.lstrip().startswith("{"):
        try:
            keys = json.loads(text)
        except ValueError:
            return None
        if not isinstance(keys, dict):
            return None
        vendor_key, user_key = keys.get("vendor-key"), keys.get("api-key")
        if isinstance(vendor_key, str) and isinstance(user_key, str):
            return vendor_key, user_key
        return None
    vendor_key, sep, user_key = text.partition(":")
    return (vendor_key, user_key) if sep else None


def _query_int(query: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"{name} must be a whole number, got {raw!r}.") from None
    if value < minimum:
        raise bad_request(f"{name} must be {minimum} or more, got {value}.")
    if value > MAX_QUERY_INT:
        raise bad_request(f"{name} must be at most {MAX_QUERY_INT}, got {value}.")
    return value


def body_license_number(body: Any) -> str | None:
    """The licence a Trace body names: `license.license_number` or a flat `license_number`."""
    if not isinstance(body, dict):
        return None
    license_ = body.get("license")
    value = license_.get("license_number") if isinstance(license_, dict) else None
    if value is None:
        value = body.get("license_number")
    return value if isinstance(value, str) else None


def _batch_key(endpoint: Endpoint) -> str | None:
    return endpoint.batch if isinstance(endpoint, TraceEndpoint) else None


def batch_objects(endpoint: Endpoint, body: Any) -> list[Any]:
    """The objects of a batch row's body (none for other rows); refuses a batch that is not
    a list of at most 10 objects."""
    key = _batch_key(endpoint)
    if key is None:
        return []
    objects = body.get(key) if isinstance(body, dict) else None
    if not isinstance(objects, list) or not objects:
        raise bad_request(f"The body's {key} must be a JSON array of one or more objects.")
    if len(objects) > MAX_OBJECTS:
        raise RequestError(
            413, f"At most {MAX_OBJECTS} {key} per request; this one has {len(objects)}."
        )
    for index, item in enumerate(objects):
        if not isinstance(item, dict):
            raise RuleViolation(f"Each of {key} must be a JSON object.", row=index)
    return objects


def _named_licences(endpoint: Endpoint, body: Any) -> list[tuple[int | None, str]]:
    """Each licence a body names, with the index of the batch object naming it (None: the
    body itself)."""
    named: list[tuple[int | None, str]] = []
    own = body_license_number(body)
    if own is not None:
        named.append((None, own.strip()))
    key = _batch_key(endpoint)
    objects = body.get(key) if key is not None and isinstance(body, dict) else None
    for index, item in enumerate(objects if isinstance(objects, list) else []):
        value = body_license_number(item)
        if value is not None:
            named.append((index, value.strip()))
    return named


class TraceDialect(Dialect):
    name = "trace"
    openapi_security_schemes = openapi.SECURITY_SCHEMES
    openapi_security = openapi.SECURITY
    openapi_error = openapi.ERROR

    def openapi_success(self, endpoint: Endpoint) -> dict[str, Any]:
        return openapi.success(endpoint)

    def openapi_tag(self, endpoint: Endpoint) -> str:
        return f"Trace: {endpoint.resource}"

    max_body_bytes = MAX_BODY_BYTES

    def credentials(self, request: Request) -> tuple[str, str] | None:
        if not request.headers.get("x-api-key", "").strip():
            raise Unauthenticated("The x-api-key header (a Trace API key) is required.")
        scheme, _, rest = request.headers.get("authorization", "").strip().partition(" ")
        rest = rest.strip()
        if scheme.lower() != "kmp-json" or not rest.lower().startswith("token="):
            raise Unauthenticated(AUTH_HINT)
        keys = _decode_token(rest[len("token=") :])
        if keys is None:
            raise Unauthenticated("The KMP-JSON token is not readable. " + AUTH_HINT)
        return keys

    def admit(self, session: Session, request: Request, access: AccessCache) -> None:
        key = request.headers.get("x-api-key", "").strip()
        access.admitted("trace-account", key, lambda: authenticate_trace_account(session, key))

    def license_number(self, query: Mapping[str, str]) -> str | None:
        return query.get("license_number")

    def field_casing(self, name: str) -> str:
        return name

    def check_call(self, call: Call) -> None:
        """The path's state must be the facility's; a batch is at most 10 objects; every
        licence the body names must be the request's. Rows without a handler are checked
        too, so they refuse what an implementation would."""
        if "state" in call.endpoint.params:
            path_state(call)
        batch_objects(call.endpoint, call.body)
        facility = call.facility_or_none
        if facility is None:
            return
        for index, named in _named_licences(call.endpoint, call.body):
            if named != facility.license_number:
                raise RuleViolation(
                    f"The body names licence {named!r} but the request is for licence "
                    f"{facility.license_number!r}.",
                    row=index,
                )

    def request_license_number(
        self, endpoint: Endpoint, query: Mapping[str, str], raw_body: bytes
    ) -> str | None:
        found = (self.license_number(query) or "").strip()
        if found or not raw_body.strip():
            return found or None
        try:
            named = _named_licences(endpoint, json.loads(raw_body))
        except (ValueError, RecursionError):
            return None  # the body parser reports the broken body, if it gets that far
        return named[0][1] if named else None

    def page_request(self, endpoint: Endpoint, query: Mapping[str, str]) -> PageRequest | None:
        if not endpoint.paged:
            return None
        limit = _query_int(query, "limit", DEFAULT_LIMIT, 1)
        if limit > MAX_LIMIT:
            raise bad_request(f"limit may be at most {MAX_LIMIT}, got {limit}.")
        return OffsetPage(size=limit, start=_query_int(query, "offset", 0, 0))

    def query_parameters(self, endpoint: Endpoint) -> list[dict[str, Any]]:
        params = []
        if endpoint.paged:
            # Every paged Trace list also filters by entity state.
            params += [
                optional_query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}),
                optional_query("offset", {"type": "integer", "minimum": 0}),
                optional_query("entity_state", {"type": "string"}),
            ]
        if endpoint.windowed:
            params += [
                optional_query(name, {"type": "string", "format": "date-time"})
                for name in ("start_date", "end_date")
            ]
        return params

    def window(self, endpoint: Endpoint, query: Mapping[str, str]) -> Window | None:
        """start_date / end_date: records modified from, until, or between them."""
        if not endpoint.windowed:
            return None
        start, end = query.get("start_date"), query.get("end_date")
        if not start and not end:
            return None
        window = Window(
            parse_instant("start_date", start) if start else None,
            parse_instant("end_date", end) if end else None,
        )
        if window.start and window.end and window.end < window.start:
            raise bad_request("end_date is before start_date.")
        return window

    def error(
        self,
        status: int,
        message: str,
        row: int | None = None,
        headers: Mapping[str, str] | None = None,
        warnings: list[dict[str, str]] | None = None,
    ) -> Response:
        problem: dict[str, Any] = {"type": ERROR_TYPES.get(status, "error"), "detail": message}
        if row is not None:
            problem["row"] = row
        body = {"results": None, "warnings": list(warnings or []), "errors": [problem]}
        return json_response(body, status, headers)

    def refusal(self, endpoint: Endpoint, exc: RuleViolation) -> Response:
        """A refusal that carries warnings (a sale over a patient's limits names the
        override) answers them beside its error."""
        message = self.rule_message(endpoint, exc)
        return self.error(400, message, row=exc.row, warnings=getattr(exc, "warnings", None))

    def result(self, call: Call, value: Any) -> Response:
        warnings: list[dict[str, str]] = []
        if isinstance(value, Warned):
            value, warnings = value.value, value.warnings
        if isinstance(value, Listing):
            results = self._listing(call, value)
        elif isinstance(value, Written):
            raise TypeError("Trace writes answer the object they wrote, not ids")
        elif isinstance(value, list):
            results = {"type": "array", "data": value}
        else:
            results = {"type": "object", "data": value}
        return json_response({"results": results, "warnings": warnings})

    def _listing(self, call: Call, listing: Listing) -> dict[str, Any]:
        page = call.page or OffsetPage(size=DEFAULT_LIMIT)
        found, data = rendered_page(call, listing, page)
        start, size = page.offset, page.size or DEFAULT_LIMIT
        following = start + size
        return {
            "type": "array",
            "records": {
                "count": f"{start} - {start + len(data)}",
                "total": found.total,
                "previous": _page_url(call, max(0, start - size), size) if start > 0 else None,
                "next": _page_url(call, following, size) if following < found.total else None,
            },
            "data": data,
        }


def _page_url(call: Call, offset: int, limit: int) -> str:
    path = call.endpoint.path.rstrip("/")
    for name, value in call.path_params.items():
        path = path.replace(f"{{{name}}}", str(value))
    query = {name: value for name, value in call.query.items() if name not in {"limit", "offset"}}
    query.update(limit=str(limit), offset=str(offset))
    return f"{path}?{urlencode(query)}"
