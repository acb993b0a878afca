"""Locations and sublocations: where a facility keeps its plants, harvests and packages.

Rules:
- a name is unique among the facility's active locations (and, apart, active sublocations);
- a location's type (reference.LOCATION_TYPES) decides what it may hold; retyping a location is
  refused when the new type cannot hold what is there now;
- a location or sublocation holding active inventory (active plant batches, growing plants,
  unfinished harvests, packages not finished) cannot be archived;
- an archived location or sublocation can be neither changed nor used (lookups refuse it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from leafledger.domain import reference
from leafledger.domain.actor import Actor
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import (
    Facility,
    Harvest,
    Location,
    Package,
    Plant,
    PlantBatch,
    Sublocation,
)
from leafledger.domain.services.audit import audited, record_new
from leafledger.domain.services.lookups import HOLDS, refuse_taken_name

NAME_LENGTH = 200
# Plant states that still occupy a location (growing, or partly harvested and still active).
ACTIVE_PLANT_STATES = ("Tracked", "Harvested")


def location_type_named(name: Any) -> reference.LocationType:
    """The location type called `name` (case-insensitive), or a violation naming the choices."""
    if isinstance(name, str):
        wanted = name.strip().lower()
        for location_type in reference.LOCATION_TYPES:
            if location_type.name.lower() == wanted:
                return location_type
    known = ", ".join(t.name for t in reference.LOCATION_TYPES)
    raise RuleViolation(
        f"Unknown location type {name!r}; use one of: {known}.", field="location_type"
    )


def location_type_of(location: Location) -> reference.LocationType | None:
    for location_type in reference.LOCATION_TYPES:
        if location_type.name == location.location_type_name:
            return location_type
    return None


def _clean_name(name: Any, what: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise RuleViolation(f"A {what} name is required.", field="name")
    clean = name.strip()
    if len(clean) > NAME_LENGTH:
        raise RuleViolation(f"A {what} name may be at most {NAME_LENGTH} characters.", field="name")
    return clean


def _apply_type(location: Location, location_type: reference.LocationType) -> None:
    location.location_type_name = location_type.name
    location.for_plant_batches = location_type.for_plant_batches
    location.for_plants = location_type.for_plants
    location.for_harvests = location_type.for_harvests
    location.for_packages = location_type.for_packages


def holdings(
    session: Session,
    facility: Facility,
    *,
    location_id: int | None = None,
    sublocation_id: int | None = None,
) -> list[str]:
    """What active inventory sits at a location or sublocation, by the names of lookups.HOLDS."""
    if (location_id is None) == (sublocation_id is None):
        raise ValueError("name exactly one of location_id and sublocation_id")

    def at(location_column: Any, sublocation_column: Any) -> ColumnElement[bool]:
        if location_id is not None:
            condition: ColumnElement[bool] = location_column == location_id
        else:
            condition = sublocation_column == sublocation_id
        return condition

    checks: list[tuple[str, ColumnElement[bool]]] = [
        (
            "plant batches",
            exists().where(
                PlantBatch.facility_id == facility.id,
                PlantBatch.active,
                at(PlantBatch.location_id, PlantBatch.sublocation_id),
            ),
        ),
        (
            "plants",
            exists().where(
                Plant.facility_id == facility.id,
                Plant.state.in_(ACTIVE_PLANT_STATES),
                at(Plant.location_id, Plant.sublocation_id),
            ),
        ),
        (
            "harvests",
            exists().where(
                Harvest.facility_id == facility.id,
                Harvest.finished_date.is_(None),
                Harvest.archived_date.is_(None),
                at(Harvest.drying_location_id, Harvest.drying_sublocation_id),
            ),
        ),
        (
            "packages",
            exists().where(
                Package.facility_id == facility.id,
                Package.finished_date.is_(None),
                Package.archived_date.is_(None),
                at(Package.location_id, Package.sublocation_id),
            ),
        ),
    ]
    flags = session.execute(select(*(check for _, check in checks))).one()
    return [name for (name, _), held in zip(checks, flags, strict=True) if held]


def _refuse_archived(row: Location | Sublocation, what: str) -> None:
    if not row.active:
        raise RuleViolation(f"The {what} {row.name!r} is archived and cannot be changed.")


# --- locations


@dataclass(frozen=True)
class NewLocation:
    name: str
    location_type: str  # the name of one of reference.LOCATION_TYPES


@dataclass(frozen=True)
class LocationChange:
    location: Location
    name: str
    location_type: str


def create_location(
    session: Session, actor: Actor, facility: Facility, command: NewLocation
) -> Location:
    clean = _clean_name(command.name, "location")
    location_type = location_type_named(command.location_type)
    refuse_taken_name(session, Location, facility, clean, "location")
    location = Location(facility_id=facility.id, name=clean, active=True)
    _apply_type(location, location_type)
    record_new(session, actor, location, facility.id)
    return location


def update_location(
    session: Session, actor: Actor, facility: Facility, command: LocationChange
) -> Location:
    """Rename and retype a location; the new type must still hold what the location holds."""
    location = command.location
    _refuse_archived(location, "location")
    clean = _clean_name(command.name, "location")
    location_type = location_type_named(command.location_type)
    refuse_taken_name(session, Location, facility, clean, "location", exclude_id=location.id)
    if location_type.name != location.location_type_name:
        lost = [
            held
            for held in holdings(session, facility, location_id=location.id)
            if not getattr(location_type, HOLDS[held])
        ]
        if lost:
            raise RuleViolation(
                f"The location {location.name!r} holds {' and '.join(lost)}, which a "
                f"{location_type.name} location cannot hold."
            )
    done = audited(session, actor, location, "update", facility.id)
    location.name = clean
    _apply_type(location, location_type)
    done()
    return location


def archive_location(session: Session, actor: Actor, facility: Facility, location: Location) -> int:
    _archive(session, actor, facility, location, "location", location_id=location.id)
    return location.id


# --- sublocations


@dataclass(frozen=True)
class NewSublocation:
    name: str


@dataclass(frozen=True)
class SublocationChange:
    sublocation: Sublocation
    name: str


def create_sublocation(
    session: Session, actor: Actor, facility: Facility, command: NewSublocation
) -> Sublocation:
    clean = _clean_name(command.name, "sublocation")
    refuse_taken_name(session, Sublocation, facility, clean, "sublocation")
    sublocation = Sublocation(facility_id=facility.id, name=clean, active=True)
    record_new(session, actor, sublocation, facility.id)
    return sublocation


def update_sublocation(
    session: Session, actor: Actor, facility: Facility, command: SublocationChange
) -> Sublocation:
    sublocation = command.sublocation
    _refuse_archived(sublocation, "sublocation")
    clean = _clean_name(command.name, "sublocation")
    refuse_taken_name(
        session, Sublocation, facility, clean, "sublocation", exclude_id=sublocation.id
    )
    done = audited(session, actor, sublocation, "update", facility.id)
    sublocation.name = clean
    done()
    return sublocation


def archive_sublocation(
    session: Session, actor: Actor, facility: Facility, sublocation: Sublocation
) -> int:
    _archive(session, actor, facility, sublocation, "sublocation", sublocation_id=sublocation.id)
    return sublocation.id


def _archive(
    session: Session,
    actor: Actor,
    facility: Facility,
    row: Location | Sublocation,
    what: str,
    **where: int,
) -> None:
    if not row.active:
        raise RuleViolation(f"The {what} {row.name!r} is archived already.")
    held = holdings(session, facility, **where)
    if held:
        raise RuleViolation(
            f"The {what} {row.name!r} still holds active {' and '.join(held)}; move or finish "
            "them before archiving it."
        )
    done = audited(session, actor, row, "archive", facility.id)
    row.active = False
    done()
