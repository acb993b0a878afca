"""Packages (Trace lots) and their genealogy: where each gram came from."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from leafledger.domain.models.base import Base, Timestamped


class Package(Timestamped, Base):
    __tablename__ = "packages"
    __table_args__ = (
        Index("ix_packages_facility_finished", "facility_id", "finished_date", "id"),
        Index("ix_packages_facility_modified", "facility_id", "last_modified"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    label: Mapped[str] = mapped_column(String(64), unique=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    # Product, ImmaturePlant, VegetativePlant, PlantWaste, HarvestWaste, MotherPlant.
    package_type: Mapped[str] = mapped_column(String(32), default="Product")
    quantity: Mapped[Decimal]
    original_quantity: Mapped[Decimal]
    unit_of_measure_name: Mapped[str] = mapped_column(String(32))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    sublocation_id: Mapped[int | None] = mapped_column(ForeignKey("sublocations.id"))
    patient_license_number: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(String(1000))
    packaged_date: Mapped[date]
    expiration_date: Mapped[date | None]
    sell_by_date: Mapped[date | None]
    use_by_date: Mapped[date | None]
    is_production_batch: Mapped[bool] = mapped_column(default=False)
    production_batch_number: Mapped[str | None] = mapped_column(String(100))
    is_testing_sample: Mapped[bool] = mapped_column(default=False)
    is_trade_sample: Mapped[bool] = mapped_column(default=False)
    is_donation: Mapped[bool] = mapped_column(default=False)
    product_requires_remediation: Mapped[bool] = mapped_column(default=False)
    initial_lab_testing_state: Mapped[str] = mapped_column(String(32), default="NotSubmitted")
    lab_testing_state: Mapped[str] = mapped_column(String(32), default="NotSubmitted")
    lab_testing_state_date: Mapped[date | None]
    is_on_hold: Mapped[bool] = mapped_column(default=False)
    finished_date: Mapped[date | None]
    archived_date: Mapped[date | None]


class PackageSource(Timestamped, Base):
    """One source of a package: a harvest, another package, a plant batch, a plant, or an opening
    balance (`origin`)."""

    __tablename__ = "package_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id"), index=True)
    source_harvest_id: Mapped[int | None] = mapped_column(ForeignKey("harvests.id"), index=True)
    source_package_id: Mapped[int | None] = mapped_column(ForeignKey("packages.id"), index=True)
    source_plant_batch_id: Mapped[int | None] = mapped_column(ForeignKey("plant_batches.id"))
    source_plant_id: Mapped[int | None] = mapped_column(ForeignKey("plants.id"))
    # How much was drawn from the source, in the source's own unit (plants: a count).
    quantity: Mapped[Decimal]
    unit_of_measure_name: Mapped[str] = mapped_column(String(32))
    # Set when the package has no source in the ledger: "OpeningBalance" for stock that
    # entered the ledger as an opening balance (the source ids are then all empty).
    origin: Mapped[str | None] = mapped_column(String(32))
