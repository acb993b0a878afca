"""Runs one request through the shared steps, in the same order for every row of a table:

credentials -> licence -> permissions -> rate limit -> query -> body -> handler -> commit.

The request owns the transaction: the handler's changes are committed only if it returns.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from leafledger.dialects.kit.access import Access, AccessCache
from leafledger.dialects.kit.bodies import commands, wire_name
from leafledger.dialects.kit.call import Call, require_permissions
from leafledger.dialects.kit.endpoint import Body, Endpoint, Scope
from leafledger.dialects.kit.errors import RequestError, bad_request
from leafledger.dialects.kit.json_body import MAX_BODY_BYTES, parse_body
from leafledger.dialects.kit.paging import PageRequest, PageResult, fetch_page
from leafledger.dialects.kit.ratelimit import RateLimiter, retry_after_header
from leafledger.dialects.kit.results import Listing
from leafledger.dialects.kit.window import Window
from leafledger.dialects.kit.writes import WriteSlots
from leafledger.domain.actor import Actor
from leafledger.domain.errors import (
    Conflict,
    Forbidden,
    LedgerError,
    NotFound,
    RuleViolation,
    Unauthenticated,
)
from leafledger.domain.models import Facility
from leafledger.domain.queries.base import completed
from leafledger.domain.queries.genealogy import collector_paused
from leafledger.settings import RateLimits
from leafledger.store import Store

log = logging.getLogger("leafledger.requests")


class Limits:
    """The GET rate limits, shared by every dialect of one server process."""

    def __init__(self, config: RateLimits) -> None:
        self.enabled = config.enabled
        self.facility = (
            RateLimiter(config.facility_get_per_second)
            if config.facility_get_per_second > 0
            else None
        )
        self.integrator = (
            RateLimiter(config.integrator_get_per_second)
            if config.integrator_get_per_second > 0
            else None
        )

    def check(self, method: str, integrator_id: int, facility_id: int | None) -> None:
        if not self.enabled or method != "GET":
            return
        waits = []
        if self.facility is not None and facility_id is not None:
            waits.append(("facility", self.facility.acquire(facility_id)))
        if self.integrator is not None:
            waits.append(("integrator", self.integrator.acquire(integrator_id)))
        for who, wait in waits:
            if wait > 0:
                raise RequestError(
                    429,
                    f"Too many requests for this {who}; retry after the Retry-After delay.",
                    {"Retry-After": retry_after_header(wait)},
                )


def optional_query(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI description of an optional query parameter."""
    return {"name": name, "in": "query", "required": False, "schema": schema}


class Dialect(ABC):
    """What differs between wire dialects: credentials, parameter names, envelopes, errors."""

    name: str
    # The largest request body the dialect reads, in bytes (None: no limit beyond the server's).
    # The largest request body the dialect reads (413 beyond), for every row.
    max_body_bytes: int = MAX_BODY_BYTES

    @abstractmethod
    def credentials(self, request: Request) -> tuple[str, str] | None: ...

    @abstractmethod
    def license_number(self, query: Mapping[str, str]) -> str | None: ...

    @abstractmethod
    def page_request(self, endpoint: Endpoint, query: Mapping[str, str]) -> PageRequest | None: ...

    @abstractmethod
    def window(self, endpoint: Endpoint, query: Mapping[str, str]) -> Window | None: ...

    @abstractmethod
    def error(
        self,
        status: int,
        message: str,
        row: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response: ...

    @abstractmethod
    def result(self, call: Call, value: Any) -> Response: ...

    def request_license_number(
        self, endpoint: Endpoint, query: Mapping[str, str], raw_body: bytes
    ) -> str | None:
        """The licence a request names: the query parameter unless a dialect also reads bodies."""
        return self.license_number(query)

    def query_parameters(self, endpoint: Endpoint) -> list[dict[str, Any]]:
        """OpenAPI descriptions of the optional query parameters a row takes (paging, ...)."""
        return []

    def admit(self, session: Session, request: Request, access: AccessCache) -> None:
        """A dialect's own credential checks once the key pair is accepted (remembered in
        `access`, `AccessCache.admitted`); none by default."""
        return None

    # OpenAPI: the dialect's security schemes, the requirement every row carries, its error
    # body, and each row's success answer and request example.
    openapi_security_schemes: dict[str, Any] = {}
    openapi_security: list[dict[str, list[str]]] = []
    openapi_error: dict[str, Any] = {}

    def openapi_success(self, endpoint: Endpoint) -> dict[str, Any]:
        return {"description": "Done."}

    def openapi_tag(self, endpoint: Endpoint) -> str:
        """The group a row is listed under on /docs."""
        return f"{endpoint.resource} ({endpoint.version})"

    def openapi_request_example(self, endpoint: Endpoint) -> Any:
        return None

    def check_call(self, call: Call) -> None:
        """A dialect's own checks of a prepared call (path parameters, body), before the
        row's loader and handler run, and before a row without a handler answers 501;
        none by default."""
        return None

    @abstractmethod
    def field_casing(self, name: str) -> str:
        """The wire spelling of a domain field name that a row's schema does not carry."""

    def refusal(self, endpoint: Endpoint, exc: RuleViolation) -> Response:
        """The 400 answering a rule violation (a dialect may add to it)."""
        return self.error(400, self.rule_message(endpoint, exc), row=exc.row)

    def rule_message(self, endpoint: Endpoint, exc: RuleViolation) -> str:
        """A rule violation's message, its field named as this row's wire body names it."""
        return exc.worded(lambda path: wire_name(endpoint.schema, path, self.field_casing))


@lru_cache(maxsize=4096)
def json_number(value: Decimal) -> int | float:
    """A finite decimal as a JSON number. Kept for the quantities met most lately: a long
    answer (a recall of 10,000 packages) repeats a few quantities thousands of times, and
    converting each costs more than the rest of its serialisation. Equal decimals make the
    same number, so they share an entry."""
    return int(value) if value == value.to_integral_value() else float(value)


def _json_default(value: object) -> object:
    """Decimals leave the ledger as JSON numbers, at the wire and nowhere else."""
    if isinstance(value, Decimal):
        return json_number(value) if value.is_finite() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_response(
    content: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        orjson.dumps(content, default=_json_default),
        status_code=status,
        media_type="application/json",
        headers=dict(headers or {}),
    )


def rendered_page(call: Call, listing: Listing, page: PageRequest) -> tuple[PageResult, list[Any]]:
    """One page of a listing, its records completed and rendered: what a dialect envelopes."""
    listed = listing.listed
    found = fetch_page(call.session, listed.source, page, listed.total, listed.expand)
    records = completed(call.session, listed, found.records)
    return found, [listing.render(record) for record in records]


_DOMAIN_STATUS: dict[type[LedgerError], int] = {
    RuleViolation: 400,
    Conflict: 400,
    NotFound: 404,
    Unauthenticated: 401,
    Forbidden: 403,
}


class Runner:
    def __init__(
        self,
        dialect: Dialect,
        store: Store,
        limits: Limits,
        access: AccessCache | None = None,
        writes: WriteSlots | None = None,
    ) -> None:
        self.dialect = dialect
        self.store = store
        self.limits = limits
        self.access = access or AccessCache(0)
        # None: writes take threads from the shared pool with no limit of their own.
        self.writes = writes

    def run(self, endpoint: Endpoint, request: Request, raw_body: bytes) -> Response:
        try:
            try:
                return self._run(endpoint, request, raw_body)
            except DBAPIError as exc:
                # A pooled connection the database dropped (restart, idle timeout): nothing was
                # committed, so the whole request runs again once, on a fresh connection.
                if not exc.connection_invalidated:
                    raise
                log.warning("database connection lost; retrying %s once", request.url.path)
                return self._run(endpoint, request, raw_body)
        except RequestError as exc:
            return self.dialect.error(exc.status, exc.message, headers=exc.headers)
        except IntegrityError:
            # The services check uniqueness first; this is the race two requests can still run
            # (same new name or tag at the same moment). The loser changed nothing.
            log.info("integrity conflict on %s %s", request.method, request.url.path)
            return self.dialect.error(
                400,
                "The request conflicts with a change made at the same time; nothing was saved.",
            )
        except RuleViolation as exc:
            return self.dialect.refusal(endpoint, exc)
        except LedgerError as exc:
            return self.dialect.error(_DOMAIN_STATUS.get(type(exc), 400), exc.message)
        except Exception:
            log.exception("unhandled error on %s %s", request.method, request.url.path)
            return self.dialect.error(500, "An unexpected error occurred; it has been logged.")

    def _run(self, endpoint: Endpoint, request: Request, raw_body: bytes) -> Response:
        credentials = self.dialect.credentials(request)
        if credentials is None:
            raise Unauthenticated("Send the integrator key and user key as credentials.")
        query = request.query_params
        _check_request_values(query, request.path_params)
        license_number = None
        if endpoint.scope is not Scope.CALLER:
            license_number = (
                self.dialect.request_license_number(endpoint, query, raw_body) or ""
            ).strip()
        with self.store.transaction(write=endpoint.method != "GET") as session:
            # The key pair and the employment at the licence are read in one round trip.
            access = self.access.authenticate(session, *credentials, license_number or None)
            self.dialect.admit(session, request, self.access)
            facility = self._scope(endpoint, license_number, access)
            self.limits.check(
                endpoint.method, access.integrator_id, facility.id if facility else None
            )
            call = Call(
                endpoint=endpoint,
                session=session,
                load_caller=access.caller,
                actor=Actor(self.dialect.name, access.user_id, access.integrator_id),
                query=query,
                path_params=request.path_params,
                facility_or_none=facility,
                page=self.dialect.page_request(endpoint, query),
                window=self.dialect.window(endpoint, query),
                body=parse_body(endpoint, raw_body, self.dialect.max_body_bytes),
                permissions=access.permissions or frozenset(),
            )
            self.dialect.check_call(call)
            if endpoint.handler is None:
                raise RequestError(
                    501,
                    f"{endpoint.method} {endpoint.path} is not implemented in leafledger yet.",
                )
            if endpoint.loads is not None:
                call.target = endpoint.loads(call)
            if endpoint.schema is not None:
                objects = call.body if endpoint.body is Body.ARRAY else [call.body]
                call.commands = commands(
                    session,
                    facility,
                    endpoint.schema,
                    objects,
                    rows=endpoint.body is Body.ARRAY,
                )
            # The collector waits while the answer is made and encoded: by the time it runs
            # again, what the request built for its answer is freed, not walked (a recall's
            # tens of thousands of rows were walked twice over, a tenth of its time).
            with collector_paused():
                response = self.dialect.result(call, endpoint.handler(call))
        return response

    def _scope(
        self, endpoint: Endpoint, license_number: str | None, access: Access
    ) -> Facility | None:
        """The facility of the licence, if the user works there; check the row's permissions."""
        if endpoint.scope is Scope.CALLER:
            return None
        if not license_number:
            raise bad_request("The licence number query parameter is required.")
        if access.permissions is None or access.facility is None:
            raise Unauthenticated(f"No access to licence number {license_number}.")
        require_permissions(access.permissions, endpoint.permissions)
        return access.facility


# Ids are 32-bit integers in every table; a larger one names nothing (and overflows SQL).
MAX_ID = 2**31 - 1


def _check_request_values(query: Mapping[str, str], path_params: Mapping[str, Any]) -> None:
    """NUL characters are never valid ledger text (and PostgreSQL cannot store them); ids past
    the integer range cannot exist."""
    for name, value in [*query.items(), *path_params.items()]:
        if isinstance(value, str) and "\x00" in value:
            raise bad_request(f"{name} contains a NUL character.")
        if isinstance(value, int) and value > MAX_ID:
            raise NotFound(f"Nothing has {name} {value}.")
