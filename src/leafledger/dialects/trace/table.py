"""The Trace endpoint table: one row per Trace endpoint leafledger serves.

Rows are the same `Endpoint` records as the Metrc table and are mounted by the same kit. Every
path starts with `/{state}`; each handler checks it (`states.path_state`) before anything else.
Permissions use the Metrc catalogue's names, since both dialects share one set of employees.
"""

from __future__ import annotations

from leafledger.dialects.kit.endpoint import Body, Endpoint, Handler, Scope, parse_permissions
from leafledger.dialects.trace.resources import locations

OBJECT = Body.OBJECT


def row(
    resource: str,
    method: str,
    path: str,
    permissions: str,
    *,
    scope: Scope = Scope.FACILITY,
    paged: bool = False,
    body: Body = Body.NONE,
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
        body=body,
        handler=handler,
    )


LOCATIONS = "/{state}/v1/config/locations"
MANAGE = "Manage Locations"

ROWS: tuple[Endpoint, ...] = (
    row("Locations", "GET", LOCATIONS, MANAGE, paged=True, handler=locations.list_locations),
    row("Locations", "POST", LOCATIONS, MANAGE, body=OBJECT, handler=locations.create_location),
    row(
        "Locations",
        "GET",
        f"{LOCATIONS}/types",
        "None",
        scope=Scope.CALLER,
        handler=locations.location_types,
    ),
    row("Locations", "GET", f"{LOCATIONS}/{{id}}", MANAGE, handler=locations.get_location),
    row(
        "Locations",
        "PUT",
        f"{LOCATIONS}/{{id}}",
        MANAGE,
        body=OBJECT,
        handler=locations.update_location,
    ),
    row(
        "Locations",
        "DELETE",
        f"{LOCATIONS}/{{id}}",
        MANAGE,
        body=OBJECT,
        handler=locations.delete_location,
    ),
)
