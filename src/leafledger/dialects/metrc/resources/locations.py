"""Locations and sublocations: bodies, renderers and handlers (v1 and v2 share them).

v2 creates locations with POST /locations/v2 and updates them with PUT; v1 has POST
/locations/v1/create and /update. The dialect answers v2 writes with the ids touched and v1
writes with an empty 200. Sublocations exist in v2 only. The rules live in
domain/services/locations.py, the lists in domain/queries/locations.py.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from leafledger.dialects.kit.bodies import Loads
from leafledger.dialects.kit.factories import at_facility, bulk, listing, remove, show
from leafledger.dialects.kit.loaders import ById
from leafledger.dialects.metrc.bodies import MetrcBody
from leafledger.dialects.metrc.wire import LOCATION_TYPES, WireId, choice
from leafledger.domain import queries
from leafledger.domain.models import Location, Sublocation
from leafledger.domain.services import locations as service

# --- bodies


class _LocationFields(MetrcBody):
    name: str
    location_type: str = choice(LOCATION_TYPES, alias="LocationTypeName")


class NewLocationBody(_LocationFields):
    command = service.NewLocation


class LocationChangeBody(_LocationFields):
    command = service.LocationChange
    location: Annotated[WireId, Loads(Location, "location")] = Field(alias="Id")


class NewSublocationBody(MetrcBody):
    command = service.NewSublocation
    name: str


class SublocationChangeBody(MetrcBody):
    command = service.SublocationChange
    sublocation: Annotated[WireId, Loads(Sublocation, "sublocation")] = Field(alias="Id")
    name: str


# --- rendering


def render(location: Location) -> dict[str, Any]:
    location_type = service.location_type_of(location)
    return {
        "Id": location.id,
        "Name": location.name,
        "LocationTypeId": location_type.id if location_type else None,
        "LocationTypeName": location.location_type_name,
        "ForPlantBatches": location.for_plant_batches,
        "ForPlants": location.for_plants,
        "ForHarvests": location.for_harvests,
        "ForPackages": location.for_packages,
    }


def render_sublocation(sublocation: Sublocation) -> dict[str, Any]:
    return {"Id": sublocation.id, "Name": sublocation.name}


# --- handlers

LOCATION = ById(Location, "location")
SUBLOCATION = ById(Sublocation, "sublocation")

create = bulk(service.create_location)
update = bulk(service.update_location)
archive = remove(service.archive_location)
get = show(render)
active = listing(at_facility(queries.locations.locations, active=True), render)
inactive = listing(at_facility(queries.locations.locations, active=False), render)

create_sublocation = bulk(service.create_sublocation)
update_sublocation = bulk(service.update_sublocation)
archive_sublocation = remove(service.archive_sublocation)
get_sublocation = show(render_sublocation)
active_sublocations = listing(
    at_facility(queries.locations.sublocations, active=True), render_sublocation
)
inactive_sublocations = listing(
    at_facility(queries.locations.sublocations, active=False), render_sublocation
)
