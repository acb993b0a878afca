"""Mounting a table of endpoint rows onto the web application."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

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
    return params + dialect.query_parameters(endpoint)


def _openapi(endpoint: Endpoint, dialect: Dialect, license_param: str) -> dict[str, Any]:
    extra: dict[str, Any] = {"parameters": _parameters(endpoint, dialect, license_param)}
    if endpoint.body is Body.ARRAY:
        extra["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"type": "array", "maxItems": 10, "items": {"type": "object"}}
                }
            },
        }
    elif endpoint.body is Body.OBJECT:
        extra["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    return extra


def _describe(endpoint: Endpoint) -> str:
    needs = ", ".join(endpoint.permissions) or "none beyond access to the facility"
    if endpoint.scope is Scope.CALLER:
        needs = "valid keys only"
    state = "" if endpoint.implemented else "\n\nNot implemented yet: answers 501."
    return f"Permissions: {needs}.{state}"


def mount(app: FastAPI, rows: Iterable[Endpoint], runner: Runner, license_param: str) -> None:
    """Add one route per row; fixed path segments are matched before parameters."""
    for endpoint in sorted(rows, key=Endpoint.mount_order):
        app.add_api_route(
            endpoint.route_path,
            view(endpoint, runner),
            methods=[endpoint.method],
            name=f"{runner.dialect.name} {endpoint.method} {endpoint.path}",
            tags=[f"{endpoint.resource} ({endpoint.version})"],
            summary=f"{endpoint.method} {endpoint.path}",
            description=_describe(endpoint),
            openapi_extra=_openapi(endpoint, runner.dialect, license_param),
            response_class=Response,
        )


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
