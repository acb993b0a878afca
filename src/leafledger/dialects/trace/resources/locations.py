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

from sqlalchemy import Select, select

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.loaders import load_by_id
from leafledger.dialects.kit.window import parse_instant
from leafledger.dialects.trace.bodies import TraceBody, no_parent, parse_body
from leafledger.dialects.trace.history import fallback_history, state_histories
from leafledger.dialects.trace.results import Listing
from leafledger.dialects.trace.states import path_state
from leafledger.domain import reference
from leafledger.domain.errors import NotFound, RuleViolation
from leafledger.domain.models import Location
from leafledger.domain.services import locations as service
from leafledger.domain.services import trace_locations

MAX_ID = 2**63 - 1
ENTITY_STATES = {"active": True, "inactive": False, "deleted": False}
_TYPE_ID = re.compile(r"^(?:(?P<state>[A-Za-z]{2})LOC)?0*(?P<number>\d+)$", re.IGNORECASE)


# --- bodies


class TypeRef(TraceBody):
    id: str | int | None = None
    name: str | None = None


class StateChange(TraceBody):
    state: str
    date: str | None = None
    reason: str | None = None
    actioned_by: str | None = None


class NewLocation(TraceBody):
    name: str
    parent_id: str | int | None = None
    type: TypeRef


class LocationChange(TraceBody):
    name: str | None = None
    parent_id: str | int | None = None
    type: TypeRef | None = None
    entity_state: list[StateChange] | None = None


# --- types


def type_id(state: str, location_type: reference.LocationType) -> str:
    return f"{state.upper()}LOC{location_type.id:04d}"


def render_type(state: str, location_type: reference.LocationType) -> dict[str, Any]:
    return {
        "id": type_id(state, location_type),
        "name": location_type.name,
        "characteristics": {
            "plant_batches": location_type.for_plant_batches,
            "plants": location_type.for_plants,
            "harvests": location_type.for_harvests,
            "lots": location_type.for_packages,
            "quarantine": location_type.name == "Quarantine",
        },
    }


def location_types(call: Call) -> list[dict[str, Any]]:
    state = path_state(call)
    return [render_type(state, t) for t in reference.LOCATION_TYPES]


def _type_named(ref: TypeRef, state: str) -> reference.LocationType:
    if ref.id is not None and str(ref.id).strip():
        raw = str(ref.id).strip()
        match = _TYPE_ID.match(raw)
        if match and (match["state"] is None or match["state"].lower() == state):
            number = int(match["number"])
            for location_type in reference.LOCATION_TYPES:
                if location_type.id == number:
                    return location_type
        known = ", ".join(type_id(state, t) for t in reference.LOCATION_TYPES)
        raise RuleViolation(f"type.id: unknown location type {raw!r}; use one of: {known}.")
    if ref.name is not None:
        return service.location_type_named(ref.name)
    raise RuleViolation("type: give the location type's id (see /config/locations/types).")


# --- rendering


def _render(
    call: Call, state: str, location: Location, history: list[dict[str, Any]]
) -> dict[str, Any]:
    facility = call.facility
    known = service.location_type_of(location)
    location_type = {
        "id": type_id(state, known) if known else None,
        "name": location.location_type_name,
        "characteristics": {
            "plant_batches": location.for_plant_batches,
            "plants": location.for_plants,
            "harvests": location.for_harvests,
            "lots": location.for_packages,
            "quarantine": location.location_type_name == "Quarantine",
        },
    }
    return {
        "license": {
            "license_number": facility.license_number,
            "type": {"name": facility.license_type},
        },
        "id": str(location.id),
        "name": location.name,
        "parent_id": None,
        "type": location_type,
        "entity_state": history
        or fallback_history(
            location.created_at, location.last_modified, location.active, "location"
        ),
    }


def _render_page(call: Call, records: list[Location]) -> list[dict[str, Any]]:
    state = path_state(call)
    histories = state_histories(
        call.session, call.facility.id, Location.__tablename__, [r.id for r in records], "location"
    )
    return [_render(call, state, r, histories[r.id]) for r in records]


def _render_one(call: Call, location: Location) -> dict[str, Any]:
    return _render_page(call, [location])[0]


def _load(call: Call) -> Location:
    location_id = int(call.path_params["id"])
    if location_id > MAX_ID:  # no such row, and too large for an SQL integer
        raise NotFound(f"No location {location_id} was found.")
    return load_by_id(call.session, Location, location_id, call.facility, "location")


# --- handlers


def _listed(call: Call) -> Select[Location]:
    wanted = (call.query.get("entity_state") or "active").strip().lower()
    if wanted not in ENTITY_STATES:
        raise RuleViolation(
            f"entity_state must be one of {', '.join(ENTITY_STATES)}; got {wanted!r}."
        )
    query = (
        select(Location)
        .where(Location.facility_id == call.facility.id, Location.active == ENTITY_STATES[wanted])
        .order_by(Location.id)
    )
    start, end = call.query.get("start_date"), call.query.get("end_date")
    if start:
        query = query.where(Location.last_modified >= parse_instant("start_date", start))
    if end:
        query = query.where(Location.last_modified <= parse_instant("end_date", end))
    return query


def list_locations(call: Call) -> Listing:
    path_state(call)
    return Listing(_listed(call), _render_page)


def get_location(call: Call) -> dict[str, Any]:
    path_state(call)
    return _render_one(call, _load(call))


def create_location(call: Call) -> dict[str, Any]:
    state = path_state(call)
    body = parse_body(NewLocation, call)
    no_parent(body.parent_id)
    location_type = _type_named(body.type, state)
    location = service.create_location(
        call.session, call.actor, call.facility, body.name, location_type.name
    )
    return _render_one(call, location)


def update_location(call: Call) -> dict[str, Any]:
    state = path_state(call)
    body = parse_body(LocationChange, call)
    no_parent(body.parent_id)
    location = _load(call)
    wanted = body.entity_state[-1].state.strip().lower() if body.entity_state else None
    if wanted not in (None, "active", "inactive"):
        raise RuleViolation(
            f"entity_state: a location can be made active or inactive, not {wanted!r}."
        )
    if wanted == "active" and not location.active:
        trace_locations.restore_location(call.session, call.actor, call.facility, location)
    name = body.name if body.name is not None else location.name
    type_name = (
        _type_named(body.type, state).name if body.type is not None else location.location_type_name
    )
    if (name, type_name) != (location.name, location.location_type_name):
        service.update_location(call.session, call.actor, call.facility, location, name, type_name)
    if wanted == "inactive" and location.active:
        service.archive_location(call.session, call.actor, call.facility, location)
    return _render_one(call, location)


def delete_location(call: Call) -> dict[str, Any]:
    path_state(call)
    parse_body(TraceBody, call)
    location = _load(call)
    service.archive_location(call.session, call.actor, call.facility, location)
    return {"id": str(location.id), "deleted": True}
