"""Metrc wire conventions: Basic auth, licenseNumber, pageNumber/pageSize, envelopes, errors."""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.endpoint import Endpoint
from leafledger.dialects.kit.errors import bad_request
from leafledger.dialects.kit.paging import PageRequest, parse_positive_int
from leafledger.dialects.kit.results import Listing, Written
from leafledger.dialects.kit.runner import Dialect, json_response, optional_query, rendered_page
from leafledger.dialects.kit.window import Window, parse_window
from leafledger.dialects.metrc import openapi
from leafledger.dialects.metrc.render import pascal_name

MAX_PAGE_SIZE = 20


class MetrcDialect(Dialect):
    name = "metrc"
    openapi_security_schemes = openapi.SECURITY_SCHEMES
    openapi_security = openapi.SECURITY
    openapi_error = openapi.ERROR

    def openapi_success(self, endpoint: Endpoint) -> dict[str, Any]:
        return openapi.success(endpoint)

    def openapi_request_example(self, endpoint: Endpoint) -> Any:
        return openapi.example(endpoint, "request") if endpoint.version == "v2" else None

    def credentials(self, request: Request) -> tuple[str, str] | None:
        header = request.headers.get("authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic" or not encoded:
            return None
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        vendor_key, sep, user_key = decoded.partition(":")
        return (vendor_key, user_key) if sep else None

    def license_number(self, query: Mapping[str, str]) -> str | None:
        return query.get("licenseNumber")

    def field_casing(self, name: str) -> str:
        return pascal_name(name)

    def page_request(self, endpoint: Endpoint, query: Mapping[str, str]) -> PageRequest | None:
        if not endpoint.paged:
            return None
        number = parse_positive_int("pageNumber", query.get("pageNumber"))
        size = parse_positive_int("pageSize", query.get("pageSize"))
        if size is not None and size > MAX_PAGE_SIZE:
            raise bad_request(f"pageSize may be at most {MAX_PAGE_SIZE}, got {size}.")
        if number is not None and size is None:
            size = MAX_PAGE_SIZE  # a page number alone asks for paging at the largest size
        return PageRequest(number or 1, size)

    def query_parameters(self, endpoint: Endpoint) -> list[dict[str, Any]]:
        params = []
        if endpoint.windowed:
            params += [
                optional_query(name, {"type": "string", "format": "date-time"})
                for name in ("lastModifiedStart", "lastModifiedEnd")
            ]
        if endpoint.paged:
            params += [
                optional_query("pageNumber", {"type": "integer", "minimum": 1}),
                optional_query(
                    "pageSize", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}
                ),
            ]
        return params

    def window(self, endpoint: Endpoint, query: Mapping[str, str]) -> Window | None:
        if not endpoint.windowed:
            return None
        return parse_window(
            query.get("lastModifiedStart"),
            query.get("lastModifiedEnd"),
            start_name="lastModifiedStart",
            end_name="lastModifiedEnd",
        )

    def error(
        self,
        status: int,
        message: str,
        row: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        body: Any = [{"row": row, "message": message}] if row is not None else {"Message": message}
        return json_response(body, status, headers)

    def result(self, call: Call, value: Any) -> Response:
        endpoint = call.endpoint
        if isinstance(value, Response):  # a document (a manifest's PDF or HTML page)
            return value
        if isinstance(value, Listing):
            return json_response(self._listing(call, value))
        if isinstance(value, Written):
            if endpoint.version == "v1":
                return Response(status_code=200)
            return json_response({"Ids": value.ids, "Warnings": None})
        if value is None:
            return Response(status_code=200)
        return json_response(value)

    def _listing(self, call: Call, listing: Listing) -> Any:
        page, data = rendered_page(call, listing, call.page or PageRequest())
        if not call.endpoint.paged:
            return data
        size = page.request.size if page.request.size is not None else len(data)
        return {
            "Data": data,
            "Total": page.total,
            "TotalRecords": page.total,
            "PageSize": size,
            "RecordsOnPage": len(data),
            "Page": page.request.number,
            "CurrentPage": page.request.number,
            "TotalPages": math.ceil(page.total / size) if size else 0,
        }
