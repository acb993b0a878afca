"""Locations, v1 and v2: create, update, archive, fetch by id, active and inactive lists.

v2 creates with POST /locations/v2 and updates with PUT; v1 has POST /locations/v1/create and
/update. Both versions share the handlers: the dialect answers v2 writes with the ids touched
and v1 writes with an empty 200. The rules live in domain/services/locations.py.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from pydantic import Field

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.loaders import load_by_id
from leafledger.dialects.metrc.bodies import WireObject, parse_object
from leafledger.dialects.metrc.factories import bulk, by_id, delete, listing
from leafledger.domain.errors import NotFound, RuleViolation
from leafledger.domain.models import Location
from leafledger.domain.services import locations as service

# Ids past 64 bits exist nowhere, and must not reach the database as they are.
MAX_ID = 2**63 - 1
WireId = Annotated[int, Field(ge=1, le=MAX_ID)]

W = TypeVar("W", bound=WireObject)


def parse(model: type[W], obj: dict[str, Any]) -> W:
    """One body object as `model`; `bulk` names the object's row in any error."""
    try:
        return parse_object(model, obj, 0)
    except RuleViolation as exc:
        raise RuleViolation(exc.message) from None


class NewLocation(WireObject):
    name: str
    location_type_name: str


class ChangedLocation(WireObject):
    id: WireId
    name: str
    location_type_name: str


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


def load(call: Call, location_id: int) -> Location:
    if location_id > MAX_ID:
        raise NotFound(f"No location {location_id} was found.")
    return load_by_id(call.session, Location, location_id, call.facility, "location")


def _create(call: Call, obj: dict[str, Any]) -> int:
    body = parse(NewLocation, obj)
    return service.create_location(
        call.session, call.actor, call.facility, body.name, body.location_type_name
    ).id


def _update(call: Call, obj: dict[str, Any]) -> int:
    body = parse(ChangedLocation, obj)
    location = load(call, body.id)
    return service.update_location(
        call.session, call.actor, call.facility, location, body.name, body.location_type_name
    ).id


def _archive(call: Call, location_id: int) -> int:
    return service.archive_location(
        call.session, call.actor, call.facility, load(call, location_id)
    )


create = bulk(_create)
update = bulk(_update)
archive = delete(_archive)
get = by_id(load, render)
active = listing(
    lambda call: service.locations_of(call.facility, active=True),
    render,
    modified=Location.last_modified,
)
inactive = listing(
    lambda call: service.locations_of(call.facility, active=False),
    render,
    modified=Location.last_modified,
)
