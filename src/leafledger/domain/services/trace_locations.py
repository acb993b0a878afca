"""Location changes the Trace dialect needs beyond `locations.py`: restoring an archived one.

Trace may set a location back to `active`; Metrc has no such call. The same rule as creation
holds: the name must be unique among the facility's active locations.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import Facility, Location
from leafledger.domain.services.audit import record, snapshot


def restore_location(
    session: Session, actor: Actor, facility: Facility, location: Location
) -> Location:
    """Make an archived location active again."""
    if location.facility_id != facility.id:
        raise ValueError("the location belongs to another facility")
    if location.active:
        raise RuleViolation(f"The location {location.name!r} is active already.")
    taken = session.scalar(
        select(Location.id)
        .where(
            Location.facility_id == facility.id,
            Location.active,
            Location.name == location.name,
            Location.id != location.id,
        )
        .limit(1)
    )
    if taken is not None:
        raise RuleViolation(
            f"An active location named {location.name!r} already exists at this facility; "
            "rename one of them first."
        )
    before = snapshot(location)
    location.active = True
    session.flush()
    record(
        session,
        actor,
        entity=location,
        action="restore",
        facility_id=facility.id,
        before=before,
        after=snapshot(location),
    )
    return location
