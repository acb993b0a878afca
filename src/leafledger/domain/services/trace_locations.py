"""Location changes the Trace dialect makes beyond `locations.py`: one PUT may rename,
retype, archive or restore a location (Metrc has no restore).

On restore the rule of creation holds: the name must be unique among the facility's active
locations.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import Facility, Location
from leafledger.domain.services.audit import audited
from leafledger.domain.services.locations import LocationChange, archive_location, update_location
from leafledger.domain.services.lookups import refuse_taken_name


@dataclass(frozen=True)
class TraceLocationChange:
    location: Location
    name: str | None = None  # None keeps the name
    location_type: str | None = None  # None keeps the type
    active: bool | None = None  # False archives, True restores, None keeps the standing


def change_location(
    session: Session, actor: Actor, facility: Facility, change: TraceLocationChange
) -> Location:
    """Restore first (a restored location may then be renamed), archive last."""
    location = change.location
    if change.active is True and not location.active:
        restore_location(session, actor, facility, location)
    name = change.name if change.name is not None else location.name
    type_name = change.location_type or location.location_type_name
    if (name, type_name) != (location.name, location.location_type_name):
        update_location(session, actor, facility, LocationChange(location, name, type_name))
    if change.active is False and location.active:
        archive_location(session, actor, facility, location)
    return location


def restore_location(
    session: Session, actor: Actor, facility: Facility, location: Location
) -> Location:
    """Make an archived location active again."""
    if location.facility_id != facility.id:
        raise ValueError("the location belongs to another facility")
    if location.active:
        raise RuleViolation(f"The location {location.name!r} is active already.")
    refuse_taken_name(
        session, Location, facility, location.name, "location", exclude_id=location.id
    )
    done = audited(session, actor, location, "restore", facility.id)
    location.active = True
    done()
    return location
