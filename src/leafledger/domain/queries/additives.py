"""Additive templates, as both dialects list them."""

from __future__ import annotations

from leafledger.domain.models import AdditivesTemplate, Facility
from leafledger.domain.queries.base import Listed, active_or_archived


def templates(facility: Facility, *, active: bool) -> Listed:
    """The facility's active (or archived) templates, oldest first."""
    return active_or_archived(AdditivesTemplate, facility, active=active)
