"""Drivers and vehicles, as the dialects list them: the facility's active ones, oldest first
(archived ones are not listed; Metrc has no list of them)."""

from __future__ import annotations

from leafledger.domain.models import Driver, Facility, Vehicle
from leafledger.domain.queries.base import Listed, active_or_archived


def drivers(facility: Facility) -> Listed:
    return active_or_archived(Driver, facility, active=True)


def vehicles(facility: Facility) -> Listed:
    return active_or_archived(Vehicle, facility, active=True)
