"""Transporters: a facility's drivers and vehicles (v2 only; Metrc has no v1 rows for them).

For each of drivers and vehicles: GET /transporters/v2/{kind} (the active ones, paged), POST
and PUT of up to 10 objects, GET and DELETE /transporters/v2/{kind}/{id} (DELETE archives).
The rules live in domain/services/transporters.py, the lists in domain/queries/transporters.py.

Reading of the documents where they leave a choice:

- The licence number of GET .../{id}. The catalogue describes the fetch as "by its Id, with
  an optional license number", but the endpoint's own pages do not make it optional: they list
  `licenseNumber` as "the Facility for which to return a Driver" (a Vehicle), the v2 examples
  mark it Required, and every documented request, Metrc's Postman collection's included,
  sends it. So it is required here as on every facility-owned fetch: without it 400; a licence
  the user does not work at 401; an id of another facility's driver (vehicle) 401, an id that
  names nothing 404. Taking it as optional would make the answer depend on which facilities
  the user works at, which no document describes.
- Permissions. The catalogue says "Permissions vary" for the three reads of each kind (the
  pages name a "Transporters" permission that the catalogue lists nowhere); as for every such
  row, the table takes no permission of its own for them: any employee of the facility may
  read its drivers and vehicles. Writes need Manage Transporters.
- Licence types. The catalogue files these rows under Distributor, but no capability flag of
  Metrc's sandbox facility types speaks of transporters, and every licensee that ships keeps
  its drivers and vehicles: every licence type may.
- Archived rows. An archived driver (vehicle) leaves the list and refuses changes and use; a
  fetch by its id still answers it, since it remains the ledger's record of who drove.
- PUT identifies each object by its numeric `Id` (the documented examples show placeholders
  such as "Driver-1", which no id can be) and replaces every field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field

from leafledger.dialects.kit.bodies import Loads
from leafledger.dialects.kit.endpoint import Handler
from leafledger.dialects.kit.factories import at_facility, bulk, listing, remove, show
from leafledger.dialects.kit.loaders import ById
from leafledger.dialects.metrc.bodies import MetrcBody
from leafledger.dialects.metrc.render import pascal_name
from leafledger.dialects.metrc.wire import ExternalId, Licence, Name, WireId
from leafledger.domain import queries
from leafledger.domain.models import Driver, Vehicle
from leafledger.domain.queries.base import Listed
from leafledger.domain.services import catalogue
from leafledger.domain.services import transporters as service

# --- bodies


class _DriverFields(MetrcBody):
    name: Name
    employee_id: ExternalId
    drivers_license_number: Licence


class NewDriverBody(_DriverFields):
    command = service.NewDriver


class DriverChangeBody(_DriverFields):
    command = service.DriverChange
    driver: Annotated[WireId, Loads(Driver, "driver")] = Field(alias="Id")


class _VehicleFields(MetrcBody):
    make: Name
    model: Name
    license_plate_number: Licence


class NewVehicleBody(_VehicleFields):
    command = service.NewVehicle


class VehicleChangeBody(_VehicleFields):
    command = service.VehicleChange
    vehicle: Annotated[WireId, Loads(Vehicle, "vehicle")] = Field(alias="Id")


# --- rendering


def _renderer(*fields: str) -> Callable[[Any], dict[str, Any]]:
    """The Metrc object of a row: these fields, in this order, under their PascalCase names."""
    keys = tuple((name, pascal_name(name)) for name in fields)

    def render(row: Any) -> dict[str, Any]:
        return {wire: getattr(row, name) for name, wire in keys}

    return render


render_driver = _renderer("id", "facility_id", "employee_id", "name", "drivers_license_number")
render_vehicle = _renderer("id", "facility_id", "make", "model", "license_plate_number")


# --- handlers


@dataclass(frozen=True)
class Rows:
    """What the five rows of one kind (drivers or vehicles) name: the loader of its {id}
    paths and a handler for each row."""

    loads: ById
    listed: Handler
    create: Handler
    update: Handler
    get: Handler
    archive: Handler


def _rows(
    kind: catalogue.Kind[Any, Any, Any],
    query: Callable[[Any], Listed],
    render: Callable[[Any], dict[str, Any]],
) -> Rows:
    return Rows(
        loads=ById(kind.model, kind.what),
        listed=listing(at_facility(query), render),
        create=bulk(kind.create),
        update=bulk(kind.update),
        get=show(render),
        archive=remove(kind.archive),
    )


DRIVERS = _rows(service.DRIVERS, queries.transporters.drivers, render_driver)
VEHICLES = _rows(service.VEHICLES, queries.transporters.vehicles, render_vehicle)
