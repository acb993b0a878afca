"""Harvest batches: the wet weight of harvested plants, drawn down by waste and packages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from leafledger.domain.models.base import Base, Timestamped


class Harvest(Timestamped, Base):
    __tablename__ = "harvests"
    __table_args__ = (
        Index(
            "uq_harvests_facility_active_name",
            "facility_id",
            "name",
            unique=True,
            sqlite_where=text("archived_date IS NULL"),
            postgresql_where=text("archived_date IS NULL"),
        ),
        Index("ix_harvests_facility_finished", "facility_id", "finished_date", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    name: Mapped[str] = mapped_column(String(200))
    harvest_type: Mapped[str] = mapped_column(String(16))  # "WholePlant" or "Product" (manicure)
    drying_location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    drying_sublocation_id: Mapped[int | None] = mapped_column(ForeignKey("sublocations.id"))
    patient_license_number: Mapped[str | None] = mapped_column(String(64))
    unit_of_weight_name: Mapped[str] = mapped_column(String(32))
    # All weights below are in unit_of_weight_name.
    total_wet_weight: Mapped[Decimal] = mapped_column(default=Decimal(0))
    current_weight: Mapped[Decimal] = mapped_column(default=Decimal(0))
    total_waste_weight: Mapped[Decimal] = mapped_column(default=Decimal(0))
    total_packaged_weight: Mapped[Decimal] = mapped_column(default=Decimal(0))
    total_restored_weight: Mapped[Decimal] = mapped_column(default=Decimal(0))
    plant_count: Mapped[int] = mapped_column(default=0)
    package_count: Mapped[int] = mapped_column(default=0)
    lab_testing_state: Mapped[str] = mapped_column(String(32), default="NotSubmitted")
    harvest_start_date: Mapped[date]
    finished_date: Mapped[date | None]
    archived_date: Mapped[date | None]
    is_on_hold: Mapped[bool] = mapped_column(default=False)


class HarvestPlant(Timestamped, Base):
    """One plant's contribution to a harvest; a plant may contribute several times (manicure)."""

    __tablename__ = "harvest_plants"

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    harvest_id: Mapped[int] = mapped_column(ForeignKey("harvests.id"), index=True)
    plant_id: Mapped[int] = mapped_column(ForeignKey("plants.id"), index=True)
    wet_weight: Mapped[Decimal]  # in the harvest's unit of weight
    harvested_date: Mapped[date]
    restored: Mapped[bool] = mapped_column(default=False)


class HarvestWaste(Timestamped, Base):
    __tablename__ = "harvest_waste"
    __table_args__ = (UniqueConstraint("id", "harvest_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    harvest_id: Mapped[int] = mapped_column(ForeignKey("harvests.id"), index=True)
    waste_type_name: Mapped[str] = mapped_column(String(100))
    weight: Mapped[Decimal]  # in the harvest's unit of weight
    entered_weight: Mapped[Decimal]  # as posted, in entered_unit
    entered_unit: Mapped[str] = mapped_column(String(32))
    waste_date: Mapped[date]
    active: Mapped[bool] = mapped_column(default=True)
