"""Finding the endpoint row for a request in a few dictionary lookups.

Every row is also mounted as a FastAPI route (for OpenAPI, and for the 404 and 405 answers),
but FastAPI tries its routes one after another: with some 460 of them that scan cost more than
a whole database round trip. `Dispatch` sits in front of the router and serves any request
whose method and path match a row, using a tree of path segments. The choice is the router's
own: at each segment a fixed word wins over an integer id, which wins over free text
(`Endpoint.mount_order`). Anything else (no row, a row without this method, /docs, /health)
goes on to FastAPI unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from leafledger.dialects.kit.endpoint import Endpoint
from leafledger.dialects.kit.mount import View, view

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass
class _Node:
    fixed: dict[str, _Node] = field(default_factory=dict)
    # (parameter name, subtree); two rows may name the parameter at one position differently.
    integer: list[tuple[str, _Node]] = field(default_factory=list)
    text: list[tuple[str, _Node]] = field(default_factory=list)
    views: dict[str, View] = field(default_factory=dict)  # method -> view


def _child(node: _Node, segment: str) -> _Node:
    if not segment.startswith("{"):
        return node.fixed.setdefault(segment, _Node())
    name, _, kind = segment[1:-1].partition(":")
    slots = node.integer if kind == "int" else node.text
    for slot_name, subtree in slots:
        if slot_name == name:
            return subtree
    slots.append((name, _Node()))
    return slots[-1][1]


class Routes:
    """The endpoint rows of every dialect, as a tree of path segments."""

    def __init__(self) -> None:
        self._root = _Node()

    def add(self, endpoint: Endpoint, endpoint_view: View) -> None:
        node = self._root
        for segment in endpoint.route_path.strip("/").split("/"):
            node = _child(node, segment)
        if endpoint.method in node.views:
            raise ValueError(f"{endpoint.method} {endpoint.path} is mounted twice")
        node.views[endpoint.method] = endpoint_view

    def find(self, method: str, path: str) -> tuple[View, dict[str, Any]] | None:
        segments = path.strip("/").split("/")
        return _find(self._root, segments, 0, method, {})


def _find(
    node: _Node, segments: list[str], depth: int, method: str, params: dict[str, Any]
) -> tuple[View, dict[str, Any]] | None:
    if depth == len(segments):
        found = node.views.get(method)
        return (found, params) if found is not None else None
    segment = segments[depth]
    fixed = node.fixed.get(segment)
    if fixed is not None and (hit := _find(fixed, segments, depth + 1, method, params)):
        return hit
    if segment.isascii() and segment.isdigit():
        for name, subtree in node.integer:
            deeper = {**params, name: int(segment)}
            if hit := _find(subtree, segments, depth + 1, method, deeper):
                return hit
    if segment:
        for name, subtree in node.text:
            if hit := _find(subtree, segments, depth + 1, method, {**params, name: segment}):
                return hit
    return None


def routes_for(tables: Iterable[tuple[Iterable[Endpoint], Any]]) -> Routes:
    """The tree of every row of every (rows, runner) table."""
    routes = Routes()
    for rows, runner in tables:
        for endpoint in rows:
            routes.add(endpoint, view(endpoint, runner))
    return routes


class Dispatch:
    """ASGI middleware: serves requests that match a row; passes everything else on."""

    def __init__(self, app: ASGIApp, routes: Routes) -> None:
        self.app = app
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            found = self.routes.find(scope["method"], scope["path"])
            if found is not None:
                endpoint_view, params = found
                scope["path_params"] = params
                response = await endpoint_view(Request(scope, receive))
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
