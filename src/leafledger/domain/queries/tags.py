"""Tags, as the dialects list them: a facility's tags still available for use."""

from __future__ import annotations

from sqlalchemy import Select

from leafledger.domain.models import Facility, Tag
from leafledger.domain.queries.base import Listed, owned


def available_tags(facility: Facility, kind: str) -> Select[Tag]:
    """The facility's Available tags of `kind` ("Plant" or "Package"), oldest first; packages
    take tags from its head."""
    return owned(Tag, facility).where(Tag.kind == kind, Tag.status == "Available").order_by(Tag.id)


def available(facility: Facility, kind: str) -> Listed:
    return Listed(available_tags(facility, kind), modified=Tag.last_modified)
