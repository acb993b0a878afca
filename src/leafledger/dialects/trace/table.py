"""The Trace endpoint table: one row per Trace endpoint.

Rows are the same `Endpoint` records as the Metrc table and are mounted by the same kit. Every
path starts with `/{state}`, which the dialect checks against the facility before the handler
runs. Permissions use the Metrc catalogue's names, since both dialects share one set of
employees.
"""

from __future__ import annotations

from leafledger.dialects.kit.bodies import WireBody
from leafledger.dialects.kit.endpoint import (
    Body,
    Endpoint,
    Handler,
    Loader,
    Scope,
    parse_permissions,
)
from leafledger.dialects.trace.resources import locations

OBJECT = Body.OBJECT
CALLER = Scope.CALLER


def row(
    resource: str,
    method: str,
    path: str,
    permissions: str,
    *,
    scope: Scope = Scope.FACILITY,
    paged: bool = False,
    windowed: bool = False,
    body: Body = Body.NONE,
    schema: type[WireBody] | None = None,
    loads: Loader | None = None,
    handler: Handler | None = None,
) -> Endpoint:
    return Endpoint(
        resource=resource,
        license_type="UNIVERSAL",
        version="v1",
        method=method,
        path=path,
        permissions=parse_permissions(permissions),
        scope=scope,
        paged=paged,
        windowed=windowed,
        body=body,
        schema=schema,
        loads=loads,
        handler=handler,
    )


LOCATIONS = "/{state}/v1/config/locations"
MANAGE = "Manage Locations"

ROWS: tuple[Endpoint, ...] = (
    row("Locations", "GET", LOCATIONS, MANAGE, paged=True, windowed=True, handler=locations.list_locations),
    row("Locations", "POST", LOCATIONS, MANAGE, body=OBJECT, schema=locations.NewLocationBody, handler=locations.create_location),
    row("Locations", "GET", f"{LOCATIONS}/types", "None", scope=CALLER, handler=locations.location_types),
    row("Locations", "GET", f"{LOCATIONS}/{{id}}", MANAGE, loads=locations.LOCATION, handler=locations.get_location),
    row("Locations", "PUT", f"{LOCATIONS}/{{id}}", MANAGE, body=OBJECT, schema=locations.LocationChangeBody, loads=locations.LOCATION, handler=locations.update_location),
    row("Locations", "DELETE", f"{LOCATIONS}/{{id}}", MANAGE, body=OBJECT, schema=locations.DeleteBody, loads=locations.LOCATION, handler=locations.delete_location),
)
