"""Mounting a table of endpoint rows onto the web application."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from leafledger.dialects.kit import openapi
from leafledger.dialects.kit.endpoint import INTEGER_PARAMS, Body, Endpoint, Scope
from leafledger.dialects.kit.json_body import too_large
from leafledger.dialects.kit.runner import Dialect, Runner


def _parameters(endpoint: Endpoint, dialect: Dialect, license_param: str) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer" if name in INTEGER_PARAMS else "string"},
        }
        for name in endpoint.params
    ]
    if endpoint.scope is Scope.FACILITY:
        params.append(
            {"name": license_param, "in": "query", "required": True, "schema": {"type": "string"}}
        )
    # A loader that reads the query describes what it reads (kit/loaders.py, `ByQuery`).
    loaded = getattr(endpoint.loads, "openapi_parameters", None)
    if callable(loaded):
        params += loaded()
    return params + dialect.query_parameters(endpoint)


def _openapi(
    endpoint: Endpoint, dialect: Dialect, license_param: str, refs: dict[Any, Any]
) -> dict[str, Any]:
    extra: dict[str, Any] = {
        "parameters": _parameters(endpoint, dialect, license_param),
        "responses": openapi.responses(dialect.openapi_success(endpoint), dialect.openapi_error),
        "security": dialect.openapi_security,
    }
    body = openapi.request_body(endpoint, refs.get(endpoint.schema))
    if body is not None:
        example = dialect.openapi_request_example(endpoint)
        if example is not None:
            body["content"]["application/json"]["example"] = example
        extra["requestBody"] = body
    return extra


def _describe(endpoint: Endpoint) -> str:
    needs = ", ".join(endpoint.permissions) or "none beyond access to the facility"
    if endpoint.scope is Scope.CALLER:
        needs = "valid keys only"
    state = "" if endpoint.implemented else "\n\nNot implemented yet: answers 501."
    return f"Permissions: {needs}.{state}"


def mount(
    app: FastAPI,
    rows: Iterable[Endpoint],
    runner: Runner,
    license_param: str,
    refs: dict[Any, Any] | None = None,
) -> None:
    """Add one route per row; fixed path segments are matched before parameters. `refs`
    names each body schema's OpenAPI component (see `document`); without them the bodies
    are described inline by their schemas' own components."""
    rows = list(rows)
    if refs is None:
        refs, components = openapi.schema_components(rows)
        _add_components(app, components, runner.dialect)
    for endpoint in sorted(rows, key=Endpoint.mount_order):
        app.add_api_route(
            endpoint.route_path,
            view(endpoint, runner),
            methods=[endpoint.method],
            name=f"{runner.dialect.name} {endpoint.method} {endpoint.path}",
            tags=[runner.dialect.openapi_tag(endpoint)],
            summary=f"{endpoint.method} {endpoint.path}",
            description=_describe(endpoint),
            openapi_extra=_openapi(endpoint, runner.dialect, license_param, refs),
            response_class=Response,
        )


def _add_components(app: FastAPI, schemas: dict[str, Any], dialect: Dialect) -> None:
    """Component schemas and security schemes the routes refer to, merged into the app's
    OpenAPI document when it is built."""
    extra: dict[str, dict[str, Any]] | None = getattr(app.state, "openapi_components", None)
    first = extra is None
    if extra is None:
        extra = app.state.openapi_components = {"schemas": {}, "securitySchemes": {}}
    extra["schemas"].update(schemas)
    extra["securitySchemes"].update(dialect.openapi_security_schemes)
    if not first:
        return
    build = app.openapi

    def with_components() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build()
            components = document.setdefault("components", {})
            for kind, entries in extra.items():
                components.setdefault(kind, {}).update(entries)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = with_components  # type: ignore[method-assign]


def document(app: FastAPI, tables: Iterable[tuple[Iterable[Endpoint], Runner]]) -> dict[Any, Any]:
    """The component names of the body schemas of every table (named uniquely across all of
    them), registered with the app's OpenAPI document; pass them to `mount`."""
    tables = [(list(rows), runner) for rows, runner in tables]
    refs, components = openapi.schema_components(row for rows, _ in tables for row in rows)
    for _, runner in tables:
        _add_components(app, components, runner.dialect)
    return refs


View = Callable[[Request], Awaitable[Response]]


async def read_body(request: Request, limit: int) -> bytes | None:
    """The request's body, or None as soon as it is known to exceed `limit` bytes: by its
    Content-Length, or while it streams in (the rest is never read)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def view(endpoint: Endpoint, runner: Runner) -> View:
    """The request handler of one row.

    Reads run on the event loop: they take no locks on either database (SQLite readers in WAL
    mode, PostgreSQL's snapshots), so they never wait on another request, and a thread hop per
    read costs more than the read (a worker's threads would contend for the GIL). Writes run
    in worker threads, because a write may wait for a lock another request holds, and that
    wait must not stall the event loop; a few at a time (`runner.writes`, see writes.py). Run
    several worker processes to use several cores.
    """
    if endpoint.method == "GET" and endpoint.body is Body.NONE:

        async def read(request: Request) -> Response:
            return runner.run(endpoint, request, b"")

        return read

    async def write(request: Request) -> Response:
        raw_body = b""
        if endpoint.body is not Body.NONE:
            limit = runner.dialect.max_body_bytes
            read = await read_body(request, limit)
            if read is None:
                error = too_large(limit)
                return runner.dialect.error(error.status, error.message)
            raw_body = read
        if runner.writes is None:
            return await run_in_threadpool(runner.run, endpoint, request, raw_body)
        return await runner.writes.run(runner.run, endpoint, request, raw_body)

    return write
