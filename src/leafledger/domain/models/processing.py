"""Processing jobs: source packages turned into new products, and the job types they follow.

A job keeps its books per quantity type (count, volume, weight) in the base unit of that type
(each, millilitres, grams), as exact decimals: what it took in from its source packages, what
it packaged, what finishing recorded as waste. What remains is the difference. The units a job
is shown in (its count, volume and weight units) only say how its totals are displayed, so
changing them never touches the books. Every entry behind the `consumed_*` totals is a
`ProcessingJobInput` row; every entry behind `packaged_*` is a `PackageSource` row of an output
package that names the job (`source_processing_job_id`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Dialect, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeEngine

from leafledger.domain.models.base import Base, JsonColumn, Quantity, Timestamped
from leafledger.domain.models.location import _active_name_index

# A decimal quantity of up to 18 digits times a unit factor of up to 10 decimal places, in
# base units: at most 20 decimal places, kept without rounding.
AMOUNT_PRECISION, AMOUNT_SCALE = 44, 20


class ExactAmount(Quantity):
    """An exact amount in a base unit (grams, millilitres, each), with up to twenty decimal
    places: a quantity converted into its base unit loses nothing (`units.to_base`)."""

    impl = Numeric(AMOUNT_PRECISION, AMOUNT_SCALE)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(64))
        return dialect.type_descriptor(Numeric(AMOUNT_PRECISION, AMOUNT_SCALE))


def _amount() -> Mapped[Decimal]:
    return mapped_column(ExactAmount(), default=Decimal(0))


class ProcessingJobType(Timestamped, Base):
    """What a kind of job does (its category, steps and attributes); jobs start from one."""

    __tablename__ = "processing_job_types"
    __table_args__ = (_active_name_index("processing_job_types"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    category_name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(1000))
    processing_steps: Mapped[str | None] = mapped_column(String(1000))
    # The names of its attributes, in the order given (each a ProcessingJobAttribute row).
    attribute_names: Mapped[list[str]] = mapped_column(JsonColumn, default=list)
    active: Mapped[bool] = mapped_column(default=True)


class ProcessingJobAttribute(Timestamped, Base):
    """An attribute a job type of the facility was given ("Infuse", "Food"): named once."""

    __tablename__ = "processing_job_attributes"
    __table_args__ = (UniqueConstraint("facility_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    name: Mapped[str] = mapped_column(String(200))


class ProcessingJob(Timestamped, Base):
    __tablename__ = "processing_jobs"
    __table_args__ = (
        _active_name_index("processing_jobs"),
        Index("ix_processing_jobs_facility_finished", "facility_id", "finished_date", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    job_type_id: Mapped[int] = mapped_column(ForeignKey("processing_job_types.id"))
    name: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date]
    # The units its totals are shown in, one per quantity type (None: not chosen yet).
    count_unit_name: Mapped[str | None] = mapped_column(String(32))
    volume_unit_name: Mapped[str | None] = mapped_column(String(32))
    weight_unit_name: Mapped[str | None] = mapped_column(String(32))
    # The books, in each, millilitres and grams.
    consumed_count: Mapped[Decimal] = _amount()
    consumed_volume: Mapped[Decimal] = _amount()
    consumed_weight: Mapped[Decimal] = _amount()
    packaged_count: Mapped[Decimal] = _amount()
    packaged_volume: Mapped[Decimal] = _amount()
    packaged_weight: Mapped[Decimal] = _amount()
    waste_count: Mapped[Decimal] = _amount()
    waste_volume: Mapped[Decimal] = _amount()
    waste_weight: Mapped[Decimal] = _amount()
    # The unit each waste was stated in, when finishing recorded one of that type.
    waste_count_unit_name: Mapped[str | None] = mapped_column(String(32))
    waste_volume_unit_name: Mapped[str | None] = mapped_column(String(32))
    waste_weight_unit_name: Mapped[str | None] = mapped_column(String(32))
    finished_date: Mapped[date | None]
    finish_note: Mapped[str | None] = mapped_column(String(1000))
    # False once archived (DELETE): out of use, kept for history.
    active: Mapped[bool] = mapped_column(default=True)


class ProcessingJobInput(Timestamped, Base):
    """A quantity a job took from one source package (or, negative, gave back to it when an
    adjustment corrected what it took)."""

    __tablename__ = "processing_job_inputs"

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    job_id: Mapped[int] = mapped_column(ForeignKey("processing_jobs.id"), index=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id"), index=True)
    # Signed, in the package's own unit: what left the package (negative: what came back).
    quantity: Mapped[Decimal]
    unit_of_measure_name: Mapped[str] = mapped_column(String(32))
    # The same, exactly, in the base unit of its quantity type: what entered the job's books.
    amount: Mapped[Decimal] = mapped_column(ExactAmount())
    # What was posted, before conversion.
    entered_quantity: Mapped[Decimal]
    entered_unit: Mapped[str] = mapped_column(String(32))
    # Set for an adjustment (None for what the job started with).
    reason_name: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(String(1000))
    entry_date: Mapped[date]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
