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

import re
from typing import Any

from sqlalchemy.orm import Session

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.loaders import ById
from leafledger.dialects.trace.bodies import TraceBody
from leafledger.dialects.trace.factories import (
    History,
    Viewed,
    change,
    listing,
    remove,
    show,
    write,
)
from leafledger.domain import queries, reference
from leafledger.domain.actor import Actor
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import Facility, Location
from leafledger.domain.queries.base import Listed
from leafledger.domain.services import locations as service
from leafledger.domain.services import trace_locations

ENTITY_STATES = {"active": True, "inactive": False, "deleted": False}
_TYPE_ID = re.compile(r"^(?:(?P<state>[A-Za-z]{2})LOC)?0*(?P<number>\d+)$", re.IGNORECASE)
HISTORY = History(Location.__tablename__, "location")
LOCATION = ById(Location, "location")

# --- bodies


class TypeRef(TraceBody):
    id: str | int | None = None
    name: str | None = None


class StateChange(TraceBody):
    state: str
    date: str | None = None
    reason: str | None = None
    actioned_by: str | None = None


class NewLocationBody(TraceBody):
    name: str
    parent_id: str | int | None = None
    type: TypeRef


class LocationChangeBody(TraceBody):
    name: str | None = None
    parent_id: str | int | None = None
    type: TypeRef | None = None
    entity_state: list[StateChange] | None = None


class DeleteBody(TraceBody):
    """A DELETE names only its licence (checked by the dialect)."""


# --- types


def type_id(state: str, location_type: reference.LocationType) -> str:
    return f"{state.upper()}LOC{location_type.id:04d}"


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


def _type_named(ref: TypeRef, facility: Facility) -> str:
    """The name of the location type a body's `type` names."""
    state = facility.state_code.lower()
    if ref.id is not None and str(ref.id).strip():
        raw = str(ref.id).strip()
        match = _TYPE_ID.match(raw)
        if match and (match["state"] is None or match["state"].lower() == state):
            number = int(match["number"])
            for location_type in reference.LOCATION_TYPES:
                if location_type.id == number:
                    return location_type.name
        known = ", ".join(type_id(state, t) for t in reference.LOCATION_TYPES)
        raise RuleViolation(f"unknown location type {raw!r}; use one of: {known}.", field="type.id")
    if ref.name is not None:
        return service.location_type_named(ref.name).name
    raise RuleViolation("give the location type's id (see /config/locations/types).", field="type")


def _no_parent(parent_id: Any) -> None:
    """leafledger locations are flat (sublocations are their own list): no parent may be set."""
    if parent_id not in (None, ""):
        raise RuleViolation("locations have no parent location here; send null.", field="parent_id")


# --- rendering


def render(viewed: Viewed) -> dict[str, Any]:
    location: Location = viewed.record
    facility = viewed.facility
    known = service.location_type_of(location)
    return {
        "license": {
            "license_number": facility.license_number,
            "type": {"name": facility.license_type},
        },
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


def _listed(call: Call) -> Listed:
    wanted = (call.query.get("entity_state") or "active").strip().lower()
    if wanted not in ENTITY_STATES:
        raise RuleViolation(
            f"entity_state must be one of {', '.join(ENTITY_STATES)}; got {wanted!r}."
        )
    return queries.locations.locations(call.facility, active=ENTITY_STATES[wanted])


def _create(session: Session, actor: Actor, facility: Facility, body: NewLocationBody) -> Location:
    _no_parent(body.parent_id)
    command = service.NewLocation(body.name, _type_named(body.type, facility))
    return service.create_location(session, actor, facility, command)


def _wanted_state(body: LocationChangeBody) -> bool | None:
    wanted = body.entity_state[-1].state.strip().lower() if body.entity_state else None
    if wanted not in (None, "active", "inactive"):
        raise RuleViolation(
            f"a location can be made active or inactive, not {wanted!r}.", field="entity_state"
        )
    return None if wanted is None else wanted == "active"


def _change(
    session: Session, actor: Actor, facility: Facility, location: Location, body: LocationChangeBody
) -> Location:
    _no_parent(body.parent_id)
    change = trace_locations.TraceLocationChange(
        location=location,
        name=body.name,
        location_type=None if body.type is None else _type_named(body.type, facility),
        active=_wanted_state(body),
    )
    return trace_locations.change_location(session, actor, facility, change)


list_locations = listing(_listed, render, HISTORY)
get_location = show(render, HISTORY)
create_location = write(_create, render, HISTORY)
update_location = change(_change, render, HISTORY)
delete_location = remove(service.archive_location)
