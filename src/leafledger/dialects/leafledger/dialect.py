"""The extension's wire conventions: the Metrc dialect's (HTTP Basic, `licenseNumber`,
PascalCase bodies, row-indexed errors), except that every write answers the ids it wrote,
`{"Ids": [...], "Warnings": null}`, whatever the version in its path: a client registering
a transfer needs the id to depart and receive it."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.endpoint import Endpoint
from leafledger.dialects.kit.results import Written
from leafledger.dialects.kit.runner import json_response
from leafledger.dialects.metrc import openapi
from leafledger.dialects.metrc.dialect import MetrcDialect


class LeafledgerDialect(MetrcDialect):
    name = "leafledger"

    def openapi_success(self, endpoint: Endpoint) -> dict[str, Any]:
        if endpoint.method == "GET":
            return super().openapi_success(endpoint)
        return {
            "description": "Done: the ids written.",
            "content": {"application/json": {"schema": openapi.WRITTEN}},
        }

    def openapi_tag(self, endpoint: Endpoint) -> str:
        return f"leafledger: {endpoint.resource}"

    def openapi_request_example(self, endpoint: Endpoint) -> Any:
        return None

    def result(self, call: Call, value: Any) -> Response:
        if isinstance(value, Written):
            return json_response({"Ids": value.ids, "Warnings": None})
        return super().result(call, value)
