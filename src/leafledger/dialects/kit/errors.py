"""Wire-level request problems found before any business rule runs (bad query, body, rate)."""

from __future__ import annotations


class RequestError(Exception):
    """A request the machinery refuses; `status` is the HTTP status every dialect uses for it."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def bad_request(message: str) -> RequestError:
    return RequestError(400, message)
