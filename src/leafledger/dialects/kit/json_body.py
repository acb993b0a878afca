"""Reading a request body as JSON, with the limits every row of both dialects shares.

What a body may be, checked before any of it reaches a schema or the database:

- at most the dialect's limit long (MAX_BODY_BYTES for Metrc, where a 5 MB file sent as
  base64 fits; Trace sets its own), refused with 413 before it is read whole (mount.py reads
  it in chunks);
- valid JSON, nested at most MAX_DEPTH levels;
- numbers are read as exact decimals, and checked by their text first: at most MAX_DIGITS
  digits and an exponent of at most MAX_EXPONENT, so that no value costs more to convert than
  it is worth (`1e999999999` is refused, not expanded); NaN and Infinity are not JSON;
- texts are valid Unicode (no lone surrogate, no NUL character), keys included;
- an array body holds at most MAX_OBJECTS objects (413 beyond), each a JSON object.

Each refusal is a RequestError (400 or 413) or, for one object of an array, a RuleViolation
naming its row: the dialect answers it in its own error format, and nothing has changed.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from leafledger.dialects.kit.endpoint import Body, Endpoint
from leafledger.dialects.kit.errors import RequestError, bad_request
from leafledger.domain.errors import RuleViolation

MAX_BODY_BYTES = 8 * 1024 * 1024
MAX_OBJECTS = 10
MAX_DEPTH = 32
MAX_DIGITS = 40
MAX_EXPONENT = 40

_NUMBER = re.compile(r"-?(?P<int>\d+)(?:\.(?P<frac>\d+))?(?:[eE](?P<exp>[+-]?\d+))?")


class _NumberOutOfRange(ValueError):
    pass


def _number(text: str) -> Decimal | int:
    match = _NUMBER.fullmatch(text)
    if match is None:  # the JSON scanner only hands over number texts
        raise _NumberOutOfRange(text)
    digits = len(match["int"]) + len(match["frac"] or "")
    exponent = match["exp"]
    if digits > MAX_DIGITS or (exponent is not None and len(exponent.lstrip("+-")) > 3):
        raise _NumberOutOfRange(text)
    if exponent is not None and abs(int(exponent)) > MAX_EXPONENT:
        raise _NumberOutOfRange(text)
    return int(text) if match["frac"] is None and exponent is None else Decimal(text)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _checked(value: Any, depth: int = 1) -> None:
    """Nesting depth and text validity, over the whole parsed value."""
    if depth > MAX_DEPTH:
        raise bad_request(f"The request body is nested deeper than {MAX_DEPTH} levels.")
    if isinstance(value, str):
        _checked_text(value)
    elif isinstance(value, list):
        for item in value:
            _checked(item, depth + 1)
    elif isinstance(value, dict):
        for key, item in value.items():
            _checked_text(key)
            _checked(item, depth + 1)


def _checked_depth(value: Any, depth: int = 1) -> None:
    """Nesting depth alone, looking into containers only."""
    if depth > MAX_DEPTH:
        raise bad_request(f"The request body is nested deeper than {MAX_DEPTH} levels.")
    items = value.values() if isinstance(value, dict) else value
    for item in items:
        if isinstance(item, list | dict):
            _checked_depth(item, depth + 1)


def _checked_body(raw: bytes, body: Any) -> None:
    """`_checked`, or the depth alone when a UTF-8 text has no \\u escape: a NUL or a lone
    surrogate can then only be written as one (UTF-8 cannot encode a surrogate, and JSON
    refuses control characters left unescaped in a string). A body in UTF-16 or UTF-32,
    which JSON also reads, holds NUL bytes, and takes the whole check."""
    if b"\\u" in raw or b"\x00" in raw:
        _checked(body)
    elif isinstance(body, list | dict):
        _checked_depth(body)


def _checked_text(text: str) -> None:
    if "\x00" in text:
        raise bad_request("The request body contains a NUL character.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise bad_request(
            "The request body contains a lone UTF-16 surrogate (\\ud800-\\udfff); "
            "texts must be valid Unicode."
        ) from None


def too_large(limit: int) -> RequestError:
    return RequestError(413, f"The request body may be at most {limit} bytes.")


def parse_body(endpoint: Endpoint, raw: bytes, limit: int = MAX_BODY_BYTES) -> Any:
    """The row's body as JSON values (exact decimals for numbers with a fraction)."""
    if endpoint.body is Body.NONE:
        return None
    if len(raw) > limit:
        raise too_large(limit)
    if not raw.strip():
        raise bad_request("A JSON request body is required.")
    try:
        body = json.loads(
            raw, parse_float=_number, parse_int=_number, parse_constant=_refuse_constant
        )
    except _NumberOutOfRange as exc:
        raise bad_request(
            f"A number in the request body is out of range: {str(exc)[:40]!r} (at most "
            f"{MAX_DIGITS} digits and an exponent of at most {MAX_EXPONENT})."
        ) from None
    except (ValueError, RecursionError):
        raise bad_request("The request body is not valid JSON.") from None
    _checked_body(raw, body)
    if endpoint.body is Body.ARRAY:
        if not isinstance(body, list):
            raise bad_request("The request body must be a JSON array of objects.")
        if len(body) > MAX_OBJECTS:
            raise RequestError(
                413, f"At most {MAX_OBJECTS} objects per request; this one has {len(body)}."
            )
        for index, item in enumerate(body):
            if not isinstance(item, dict):
                raise RuleViolation("Each element of the array must be a JSON object.", row=index)
    elif not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    return body
