"""Plants: individually tagged, from vegetative growth to harvest or destruction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from leafledger.domain.models.base import Base, Timestamped


class Plant(Timestamped, Base):
    __tablename__ = "plants"
    __table_args__ = (
        # The list endpoints (vegetative, flowering, mother, inactive) page by this index.
        # Pages are read in id order within a phase: the index hands them over already sorted,
        # so page N costs N pages of index entries whatever the population (a state IN (...)
        # filter is applied on the way).
        Index("ix_plants_facility_phase_id", "facility_id", "growth_phase", "id"),
        Index("ix_plants_facility_modified", "facility_id", "last_modified"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    label: Mapped[str] = mapped_column(String(64), unique=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id"))
    plant_batch_id: Mapped[int] = mapped_column(ForeignKey("plant_batches.id"), index=True)
    strain_id: Mapped[int] = mapped_column(ForeignKey("strains.id"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    sublocation_id: Mapped[int | None] = mapped_column(ForeignKey("sublocations.id"))
    patient_license_number: Mapped[str | None] = mapped_column(String(64))
    growth_phase: Mapped[str] = mapped_column(String(16))  # Vegetative, Flowering, Mother
    # Tracked (growing), Harvested (partially, e.g. manicured, stays active), Destroyed,
    # HarvestedFully (gone to a harvest batch; no longer active), Merged (its plants moved into
    # another plant group; no longer active).
    state: Mapped[str] = mapped_column(String(16), default="Tracked")
    # How many plants the tag stands for: 1 for a single plant, more for a plant group
    # (PUT /plants/v2/split and /merge move plants between groups; 0 once merged away).
    plant_count: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    planted_date: Mapped[date]
    vegetative_date: Mapped[date | None]
    flowering_date: Mapped[date | None]
    mother_plant_date: Mapped[date | None]
    harvested_date: Mapped[date | None]
    destroyed_date: Mapped[date | None]
    destroyed_note: Mapped[str | None] = mapped_column(String(1000))
    destroyed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    harvest_count: Mapped[int] = mapped_column(default=0)
    harvested_wet_weight: Mapped[Decimal | None]
    harvested_unit_of_weight: Mapped[str | None] = mapped_column(String(32))
    last_harvest_id: Mapped[int | None] = mapped_column(ForeignKey("harvests.id"))
    is_on_hold: Mapped[bool] = mapped_column(default=False)


class PlantWaste(Timestamped, Base):
    """Waste recorded against plants or a location (POST /plants/v2/waste)."""

    __tablename__ = "plant_waste"

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    waste_method_name: Mapped[str] = mapped_column(String(100))
    waste_material_mixed: Mapped[str | None] = mapped_column(String(200))
    waste_reason_name: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(String(1000))
    weight: Mapped[Decimal]
    unit_of_measure_name: Mapped[str] = mapped_column(String(32))
    waste_date: Mapped[date]
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    plant_labels: Mapped[str | None] = mapped_column(String(4000))  # comma-separated
    # Waste of immature plants names their batch and how many plants it concerned.
    plant_batch_id: Mapped[int | None] = mapped_column(ForeignKey("plant_batches.id"), index=True)
    plant_count: Mapped[int] = mapped_column(default=0)


class PlantCount(Base):
    """How many plants a facility has in each growth phase and state.

    Kept in step with the plants table on every flush (services/plant_counts.py), so list
    endpoints can answer their Total without counting a million rows.
    """

    __tablename__ = "plant_counts"

    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), primary_key=True)
    growth_phase: Mapped[str] = mapped_column(String(16), primary_key=True)
    state: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
