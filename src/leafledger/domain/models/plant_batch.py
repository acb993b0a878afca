"""Plant batches: plantings of seeds or clones, counted rather than tagged one by one."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from leafledger.domain.models.base import Base, Timestamped


class PlantBatch(Timestamped, Base):
    __tablename__ = "plant_batches"
    __table_args__ = (
        Index(
            "uq_plant_batches_facility_active_name",
            "facility_id",
            "name",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
        Index("ix_plant_batches_facility_active", "facility_id", "active", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    name: Mapped[str] = mapped_column(String(200))
    batch_type: Mapped[str] = mapped_column(String(16))  # "Seed" or "Clone"
    strain_id: Mapped[int] = mapped_column(ForeignKey("strains.id"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    sublocation_id: Mapped[int | None] = mapped_column(ForeignKey("sublocations.id"))
    patient_license_number: Mapped[str | None] = mapped_column(String(64))
    # Plants not yet tagged; tagged ones become Plant rows and are counted in tracked_count.
    untracked_count: Mapped[int]
    tracked_count: Mapped[int] = mapped_column(default=0)
    packaged_count: Mapped[int] = mapped_column(default=0)
    destroyed_count: Mapped[int] = mapped_column(default=0)
    planted_date: Mapped[date]
    # Indexed (as source_plant_id) for the forward walk of the genealogy.
    source_package_id: Mapped[int | None] = mapped_column(ForeignKey("packages.id"), index=True)
    # The mother plant of a clone batch. No foreign key: plants refer to their batch, and a
    # cycle of foreign keys would make creation order ambiguous.
    source_plant_id: Mapped[int | None] = mapped_column(index=True)
    # The plant tag put on the batch (PUT /plantbatches/v2/tag); none until one is given.
    tag_id: Mapped[int | None] = mapped_column(ForeignKey("tags.id"))
    is_on_hold: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
