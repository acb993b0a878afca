"""The web application: every dialect's table mounted over one store."""

from __future__ import annotations

import gc
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from leafledger import __version__
from leafledger.dialects.kit.access import AccessCache
from leafledger.dialects.kit.dispatch import Dispatch, routes_for
from leafledger.dialects.kit.mount import document, mount
from leafledger.dialects.kit.runner import Limits, Runner, json_response
from leafledger.dialects.kit.writes import WriteSlots
from leafledger.dialects.leafledger.dialect import LeafledgerDialect
from leafledger.dialects.leafledger.table import ROWS as LEAFLEDGER_ROWS
from leafledger.dialects.metrc.dialect import MetrcDialect
from leafledger.dialects.metrc.table import ROWS as METRC_ROWS
from leafledger.dialects.trace.dialect import TraceDialect
from leafledger.dialects.trace.states import is_trace_path
from leafledger.dialects.trace.table import ROWS as TRACE_ROWS
from leafledger.docs_page import add_docs
from leafledger.retail_id_pages import add_retail_id_pages
from leafledger.settings import Settings
from leafledger.store import Store

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ROUTE_MISSES = {404: "No such endpoint.", 405: "Method not allowed on this endpoint."}


class TrailingSlashes:
    """Serves `/path/` as `/path`, as Metrc does, without a redirect clients would not follow."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if len(path) > 1 and path.endswith("/"):
                scope = dict(scope)
                scope["path"] = path.rstrip("/") or "/"
                scope["raw_path"] = scope["path"].encode()
        await self.app(scope, receive, send)


def create_app(store: Store, settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    app = FastAPI(
        title="leafledger",
        version=__version__,
        description=(
            "Seed-to-sale traceability: the Metrc Web API (v1 and v2) and the Trace API over "
            "one ledger."
        ),
        redirect_slashes=False,
        docs_url=None,
        redoc_url=None,
    )
    add_docs(app)
    add_retail_id_pages(app, store)
    app.state.store = store
    limits = Limits(settings.rate_limits)
    access = AccessCache(settings.auth_cache_seconds)
    writes = WriteSlots(settings.write_threads)  # shared: the limit is per process
    metrc = Runner(MetrcDialect(), store, limits, access, writes)
    trace = Runner(TraceDialect(), store, limits, access, writes)
    # leafledger's own rows (`/leafledger/v1/...`), with the Metrc dialect's conventions.
    extension = Runner(LeafledgerDialect(), store, limits, access, writes)
    tables = [(METRC_ROWS, metrc), (TRACE_ROWS, trace), (LEAFLEDGER_ROWS, extension)]
    refs = document(app, tables)
    mount(app, METRC_ROWS, metrc, license_param="licenseNumber", refs=refs)
    mount(app, TRACE_ROWS, trace, license_param="license_number", refs=refs)
    mount(app, LEAFLEDGER_ROWS, extension, license_param="licenseNumber", refs=refs)

    @app.get("/health", include_in_schema=False)
    async def health() -> Response:
        return json_response({"Status": "ok"})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """A request no row serves, answered in the error shape of the dialect whose paths
        it is under: Trace's for `/{state}/v1/...`, Metrc's everywhere else."""
        message = ROUTE_MISSES.get(exc.status_code, str(exc.detail))
        runner = trace if is_trace_path(request.url.path) else metrc
        return runner.dialect.error(exc.status_code, message, headers=exc.headers)

    # Rows are found by Dispatch before FastAPI's route-by-route scan (see kit/dispatch.py).
    app.add_middleware(Dispatch, routes=routes_for(tables))
    app.add_middleware(TrailingSlashes)
    return app


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` and worker processes: settings from the environment."""
    settings = Settings.from_env()
    app = create_app(Store(settings.database_url), settings)
    # Everything built so far (the libraries, the app and its 460-odd routes) lives as long as
    # the process. Frozen, the collector's full passes no longer walk it: they took up to 90 ms
    # each, long enough to show in the slowest requests.
    gc.collect()
    gc.freeze()
    return app
