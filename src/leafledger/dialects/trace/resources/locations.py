"""Trace locations: views of the same Location rows the Metrc dialect lists.

A Trace location type is one of the ledger's location types (`reference.LOCATION_TYPES`), with
a state-specific id: `<STATE>LOC<4-digit number>`, e.g. `COLOC0002` for Planting in Colorado.
A body may name a type by that id, by its bare number or by `name`. Its characteristics are the
ledger's For* flags (`lots` is ForPackages; `quarantine` is true for the Quarantine type only).

`entity_state`: a location is `active` or archived; Trace's `inactive` and `deleted` both select
archived locations (a Trace DELETE archives, as Metrc's does). Lists show active locations
unless asked otherwise. `PUT` may set the state through its `entity_state` list: its last entry
decides (`inactive` archives, `active` restores an archived location).

Ids are the ledger's location ids, as strings.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field
from sqlalchemy.orm import Session

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.factories import at_facility
from leafledger.dialects.kit.loaders import ById
from leafledger.dialects.trace.bodies import StateChange, TraceBody, wanted_state
from leafledger.dialects.trace.codes import CodeList, entries
from leafledger.dialects.trace.factories import (
    Kind,
    Viewed,
    by_entity_state,
    change,
    listing,
    remove,
    show,
    write,
)
from leafledger.dialects.trace.shapes import licence_of
from leafledger.domain import queries, reference
from leafledger.domain.actor import Actor
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import Facility, Location
from leafledger.domain.services import locations as service
from leafledger.domain.services import trace_locations

TYPES = CodeList("location type", "LOC", entries(*(t.name for t in reference.LOCATION_TYPES)))
KIND = Kind(Location.__tablename__, "location")
LOCATION = ById(Location, "location")

# --- bodies


def _no_parent(parent_id: Any) -> None:
    """leafledger locations are flat (sublocations are their own list): no parent may be set."""
    if parent_id not in (None, ""):
        raise ValueError("locations have no parent location here; send null")


ParentId = Annotated[str | int | None, AfterValidator(_no_parent)]


class NewLocationBody(TraceBody):
    command = service.NewLocation
    name: str
    parent_id: ParentId = None
    location_type: Annotated[str, TYPES] = Field(alias="type")


class LocationChangeBody(TraceBody):
    name: str | None = None
    parent_id: ParentId = None
    location_type: Annotated[str, TYPES] | None = Field(None, alias="type")
    entity_state: list[StateChange] | None = None


# --- types


def type_id(state: str, location_type: reference.LocationType) -> str:
    return TYPES.id_of(state, location_type.id)


def _characteristics(location_type: reference.LocationType | Location) -> dict[str, bool]:
    if isinstance(location_type, Location):
        name = location_type.location_type_name
    else:
        name = location_type.name
    return {
        "plant_batches": location_type.for_plant_batches,
        "plants": location_type.for_plants,
        "harvests": location_type.for_harvests,
        "lots": location_type.for_packages,
        "quarantine": name == "Quarantine",
    }


def render_type(state: str, location_type: reference.LocationType) -> dict[str, Any]:
    return {
        "id": type_id(state, location_type),
        "name": location_type.name,
        "characteristics": _characteristics(location_type),
    }


def location_types(call: Call) -> list[dict[str, Any]]:
    state = str(call.path_params["state"]).lower()
    return [render_type(state, t) for t in reference.LOCATION_TYPES]


# --- rendering


def render(viewed: Viewed) -> dict[str, Any]:
    location: Location = viewed.record
    known = service.location_type_of(location)
    return {
        "license": licence_of(viewed.facility),
        "id": str(location.id),
        "name": location.name,
        "parent_id": None,
        "type": {
            "id": type_id(viewed.state, known) if known else None,
            "name": location.location_type_name,
            "characteristics": _characteristics(location),
        },
        "entity_state": viewed.entity_state,
    }


# --- handlers

_listed = by_entity_state(
    {
        "active": at_facility(queries.locations.locations, active=True),
        "inactive": at_facility(queries.locations.locations, active=False),
        "deleted": at_facility(queries.locations.locations, active=False),
    }
)


def _wanted_state(body: LocationChangeBody) -> bool | None:
    wanted = wanted_state(body.entity_state)
    if wanted not in (None, "active", "inactive"):
        raise RuleViolation(
            f"a location can be made active or inactive, not {wanted!r}.", field="entity_state"
        )
    return None if wanted is None else wanted == "active"


def _change(
    session: Session, actor: Actor, facility: Facility, location: Location, body: LocationChangeBody
) -> Location:
    change = trace_locations.TraceLocationChange(
        location=location,
        name=body.name,
        location_type=body.location_type,
        active=_wanted_state(body),
    )
    return trace_locations.change_location(session, actor, facility, change)


list_locations = listing(_listed, render, KIND)
get_location = show(render, KIND)
create_location = write(service.create_location, render, KIND)
update_location = change(_change, render, KIND)
delete_location = remove(service.archive_location)
