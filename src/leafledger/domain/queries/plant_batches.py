"""Plant batches as both dialects read them: active and inactive lists, one batch, their waste.

A batch reads through `PlantBatchRow`, a read-only mapping of one joined query (batch, strain,
location, sublocation, source plant and package labels, the batch's own tag), so a page of
batches is one SELECT with no query per row.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Mapped

from leafledger.domain.models import Facility, Package, Plant, PlantBatch, Tag
from leafledger.domain.queries import plants
from leafledger.domain.queries.base import Listed, ReadModel, of_facility

_source_plant = select(Plant.id, Plant.label).subquery("source_plant")

_BATCH_ROWS = (
    plants.joined_to_place(
        select(
            PlantBatch.id,
            PlantBatch.facility_id,
            PlantBatch.name,
            PlantBatch.batch_type,
            *plants.strain_and_place(PlantBatch),
            PlantBatch.untracked_count,
            PlantBatch.tracked_count,
            PlantBatch.packaged_count,
            PlantBatch.destroyed_count,
            PlantBatch.source_package_id,
            Package.label.label("source_package_label"),
            PlantBatch.source_plant_id,
            _source_plant.c.label.label("source_plant_label"),
            Tag.label.label("tag_label"),
            PlantBatch.planted_date,
            PlantBatch.is_on_hold,
            PlantBatch.active,
            PlantBatch.last_modified,
        ).select_from(PlantBatch),
        PlantBatch,
    )
    .outerjoin(Package, Package.id == PlantBatch.source_package_id)
    .outerjoin(_source_plant, _source_plant.c.id == PlantBatch.source_plant_id)
    .outerjoin(Tag, Tag.id == PlantBatch.tag_id)
    .subquery("plant_batch_rows")
)


class PlantBatchRow(plants.StrainAndPlace, ReadModel):
    __table__ = _BATCH_ROWS

    id: Mapped[int]
    facility_id: Mapped[int]
    name: Mapped[str]
    batch_type: Mapped[str]
    untracked_count: Mapped[int]
    tracked_count: Mapped[int]
    packaged_count: Mapped[int]
    destroyed_count: Mapped[int]
    source_package_id: Mapped[int | None]
    source_package_label: Mapped[str | None]
    source_plant_id: Mapped[int | None]
    source_plant_label: Mapped[str | None]
    tag_label: Mapped[str | None]  # the batch's own plant tag, if it has one
    planted_date: Mapped[date]
    is_on_hold: Mapped[bool]
    active: Mapped[bool]
    last_modified: Mapped[datetime]


def batches(facility: Facility, *, active: bool) -> Listed:
    """The facility's active (still holding untracked plants) or inactive batches, oldest first."""
    source = (
        select(PlantBatchRow)
        .where(of_facility(PlantBatchRow, facility), PlantBatchRow.active.is_(active))
        .order_by(PlantBatchRow.id)
    )
    return Listed(source, modified=PlantBatchRow.last_modified)


def waste(facility: Facility) -> Listed:
    """The facility's waste records of plant batches (destructions and clippings), oldest first."""
    return plants.waste(facility).where(plants.PlantWasteRow.plant_batch_id.is_not(None))
