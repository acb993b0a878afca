"""Packages (Trace lots), their genealogy (where each gram came from), and what happens to
them afterwards: adjustments of their quantity, treatments, and the shipments that take them
to another facility (on the transfers of domain/models/transfer.py).

`PackageCount` keeps how many packages each facility has on each package list. The columns
that decide a package's (or a shipment's) lists keep their old value when set
(`active_history`), so the counting flush hook (services/package_counts.py) always sees what
a change moved the row from."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from leafledger.domain.models.base import Base, JsonColumn, Timestamped


def _flag() -> Mapped[bool]:
    """A flag column, false for the rows that existed before it."""
    return mapped_column(default=False, server_default=false())


class Package(Timestamped, Base):
    __tablename__ = "packages"
    __table_args__ = (
        Index("ix_packages_facility_finished", "facility_id", "finished_date", "id"),
        Index("ix_packages_facility_modified", "facility_id", "last_modified"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), active_history=True)
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
    is_testing_sample: Mapped[bool] = mapped_column(default=False, active_history=True)
    is_trade_sample: Mapped[bool] = mapped_column(default=False)
    is_donation: Mapped[bool] = mapped_column(default=False)
    product_requires_remediation: Mapped[bool] = mapped_column(default=False)
    initial_lab_testing_state: Mapped[str] = mapped_column(String(32), default="NotSubmitted")
    lab_testing_state: Mapped[str] = mapped_column(String(32), default="NotSubmitted")
    lab_testing_state_date: Mapped[date | None]
    is_on_hold: Mapped[bool] = mapped_column(default=False, active_history=True)
    finished_date: Mapped[date | None] = mapped_column(active_history=True)
    archived_date: Mapped[date | None] = mapped_column(active_history=True)
    # The operator's own identifier for the package (PUT /packages/v2/externalid).
    external_id: Mapped[str | None] = mapped_column(String(100))
    is_finished_good: Mapped[bool] = _flag()
    contains_remediated_product: Mapped[bool] = _flag()
    remediation_date: Mapped[date | None]
    product_requires_decontamination: Mapped[bool] = _flag()
    contains_decontaminated_product: Mapped[bool] = _flag()
    decontamination_date: Mapped[date | None]
    # The names of the lab test batches the package must be tested by, when stated.
    required_lab_test_batches: Mapped[list[str] | None] = mapped_column(JsonColumn)
    # On a transfer that departed (or an external incoming one) and not yet received: at no
    # facility's disposal, and changed by nothing but the transfer (services/transfers.py).
    in_transit: Mapped[bool] = mapped_column(
        default=False, server_default=false(), active_history=True
    )


class PackageSource(Timestamped, Base):
    """One source of a package: a harvest, another package, a plant batch, a plant, a processing
    job, or an opening balance (`origin`)."""

    __tablename__ = "package_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id"), index=True)
    source_harvest_id: Mapped[int | None] = mapped_column(ForeignKey("harvests.id"), index=True)
    source_package_id: Mapped[int | None] = mapped_column(ForeignKey("packages.id"), index=True)
    # Indexed, as every source column, for the forward walk of the genealogy.
    source_plant_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("plant_batches.id"), index=True
    )
    source_plant_id: Mapped[int | None] = mapped_column(ForeignKey("plants.id"), index=True)
    # A package made by a processing job; the job's own inputs lead on to the packages (and
    # harvests) it was made from.
    source_processing_job_id: Mapped[int | None] = mapped_column(
        ForeignKey("processing_jobs.id"), index=True
    )
    # The package this is a source of, for a package made in the same flush as its sources:
    # the flush inserts the package first and fills in package_id (services/packages.py).
    package: Mapped[Package] = relationship(foreign_keys=[package_id])
    # How much was drawn from the source, in the source's own unit (plants: a count; a
    # processing job, whose books are kept in base units: the package's quantity, in its unit).
    quantity: Mapped[Decimal]
    unit_of_measure_name: Mapped[str] = mapped_column(String(32))
    # Set when the package has no source in the ledger: "OpeningBalance" for stock that
    # entered the ledger as an opening balance (the source ids are then all empty).
    origin: Mapped[str | None] = mapped_column(String(32))


class PackageAdjustment(Timestamped, Base):
    """A change of a package's quantity for a stated reason (scale variance, spoilage...)."""

    __tablename__ = "package_adjustments"
    __table_args__ = (Index("ix_package_adjustments_facility_page", "facility_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id"), index=True)
    # Signed, in the package's own unit: what the adjustment did to the package's quantity.
    quantity: Mapped[Decimal]
    unit_of_measure_name: Mapped[str] = mapped_column(String(32))
    # What was posted, before conversion into the package's unit.
    entered_quantity: Mapped[Decimal]
    entered_unit: Mapped[str] = mapped_column(String(32))
    reason_name: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(String(1000))
    adjustment_date: Mapped[date]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class PackageTreatment(Timestamped, Base):
    """A remediation, decontamination or pre-treatment applied to a package."""

    __tablename__ = "package_treatments"

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # Remediation, Decontamination, Pretreatment
    method_name: Mapped[str] = mapped_column(String(200))
    treatment_date: Mapped[date]
    steps: Mapped[str | None] = mapped_column(String(1000))


class PackageShipment(Timestamped, Base):
    """One package on one delivery of a transfer (domain/models/transfer.py), owned by the
    transfer's facility (`facility_id`: the shipper, or for an external incoming transfer the
    receiver).

    The manifest number and the recipient are copied from the delivery, as the shipped lists
    show them. The shipped quantity is the package's when it departed (when it was put on the
    transfer, until then); at receipt the package is accepted with the quantity counted, the
    difference recorded as the shortage (shipped = received + shortage, in the shipped unit),
    or rejected with a reason.
    """

    __tablename__ = "package_shipments"
    __table_args__ = (Index("ix_package_shipments_facility_page", "facility_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    delivery_id: Mapped[int] = mapped_column(ForeignKey("transfer_deliveries.id"), index=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id"), index=True)
    manifest_number: Mapped[str] = mapped_column(String(32))
    recipient_license_number: Mapped[str] = mapped_column(String(64))
    recipient_name: Mapped[str] = mapped_column(String(200))
    shipped_quantity: Mapped[Decimal]
    shipped_unit: Mapped[str] = mapped_column(String(32))
    gross_weight: Mapped[Decimal | None]
    gross_unit: Mapped[str | None] = mapped_column(String(32))
    shipper_wholesale_price: Mapped[Decimal | None]
    received_quantity: Mapped[Decimal | None]
    received_unit: Mapped[str | None] = mapped_column(String(32))
    # What did not arrive, in the shipped unit.
    shortage: Mapped[Decimal | None]
    receiver_wholesale_price: Mapped[Decimal | None]
    rejection_reason: Mapped[str | None] = mapped_column(String(1000))
    # Shipped (not received yet), Accepted, Rejected or Returned (DELIVERY_PACKAGE_STATES).
    state: Mapped[str] = mapped_column(String(16), default="Shipped", active_history=True)
    departed_at: Mapped[datetime | None] = mapped_column(active_history=True)
    received_at: Mapped[datetime | None]


class PackageCount(Base):
    """How many records a facility has on one package list (`list_name`: active, inactive,
    onhold, labsamples, intransit, transferred): what the lists answer as their Total without
    counting a million rows. Kept in step by services/package_counts.py."""

    __tablename__ = "package_counts"

    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), primary_key=True)
    list_name: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
