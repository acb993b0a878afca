"""Strains, as both dialects read them: the strain's columns and whether anything uses it.

A strain is in use once a plant batch, a plant or an item refers to it; `StrainRow` carries
that as a column, so a page of strains (or one strain) is one SELECT.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import exists, select
from sqlalchemy.orm import Mapped

from leafledger.domain.models import Facility, Item, Plant, PlantBatch, Strain
from leafledger.domain.queries.base import Listed, ReadModel, active_or_archived

_STRAIN_ROWS = select(
    Strain.id,
    Strain.facility_id,
    Strain.name,
    Strain.testing_status,
    Strain.thc_level,
    Strain.cbd_level,
    Strain.indica_percentage,
    Strain.sativa_percentage,
    Strain.genetics,
    Strain.active,
    Strain.last_modified,
    (
        exists().where(PlantBatch.strain_id == Strain.id)
        | exists().where(Plant.strain_id == Strain.id)
        | exists().where(Item.strain_id == Strain.id)
    ).label("is_used"),
).subquery("strain_rows")


class StrainRow(ReadModel):
    __table__ = _STRAIN_ROWS

    id: Mapped[int]
    facility_id: Mapped[int]
    name: Mapped[str]
    testing_status: Mapped[str]
    thc_level: Mapped[Decimal | None]
    cbd_level: Mapped[Decimal | None]
    indica_percentage: Mapped[Decimal | None]
    sativa_percentage: Mapped[Decimal | None]
    genetics: Mapped[str | None]
    active: Mapped[bool]
    last_modified: Mapped[datetime]
    is_used: Mapped[bool]


def strains(facility: Facility, *, active: bool) -> Listed:
    """The facility's active (or archived) strains, oldest first."""
    return active_or_archived(StrainRow, facility, active=active)
