"""Locations and sublocations, as both dialects list them."""

from __future__ import annotations

from leafledger.domain.models import Facility, Location, Sublocation
from leafledger.domain.queries.base import Listed, owned


def locations(facility: Facility, *, active: bool) -> Listed:
    """The facility's active (or archived) locations, in creation order."""
    source = owned(Location, facility).where(Location.active == active).order_by(Location.id)
    return Listed(source, modified=Location.last_modified)


def sublocations(facility: Facility, *, active: bool) -> Listed:
    source = (
        owned(Sublocation, facility).where(Sublocation.active == active).order_by(Sublocation.id)
    )
    return Listed(source, modified=Sublocation.last_modified)
