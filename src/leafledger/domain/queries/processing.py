"""Processing jobs and their job types, as both dialects read them.

A job reads through `JobRow`: its columns and its job type's name, joined in the list
statement. What it took from its source packages is read for a whole page at once by
`complete_jobs` (one statement), so a page of jobs costs the page and that statement at any
size. A job's books are kept in base units (models/processing.py); `shown` gives a total in
the unit the job is shown in.

A job type reads as its row; `complete_job_types` adds its attributes' records for the page
(one statement). The attributes list is the facility's attribute records.

`made_from_job` walks a package's genealogy up through packages and jobs: whether a job lies
among its sources, however far.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Mapped, Session

from leafledger.domain.models import (
    Facility,
    Package,
    ProcessingJob,
    ProcessingJobAttribute,
    ProcessingJobInput,
    ProcessingJobType,
)
from leafledger.domain.queries.base import Listed, ReadModel, active_or_archived, owned
from leafledger.domain.queries.packages import lineage
from leafledger.domain.units import BASE_UNITS, QuantityType, UnitOfMeasure, convert, find_unit

# The quantity types a job keeps books of, by the word its columns use.
BOOKS: dict[QuantityType, str] = {
    QuantityType.COUNT: "count",
    QuantityType.VOLUME: "volume",
    QuantityType.WEIGHT: "weight",
}
# Totals are shown with at most ten decimal places (the books themselves are exact).
SHOWN_PLACES = Decimal("1e-10")


def shown(amount: Decimal, unit: UnitOfMeasure) -> Decimal:
    """`amount` of the base unit of `unit`'s type, in `unit`, to ten decimal places."""
    value = convert(amount, BASE_UNITS[unit.quantity_type], unit)
    rounded = value.quantize(SHOWN_PLACES, rounding=ROUND_HALF_EVEN)
    return rounded.quantize(Decimal(1)) if rounded == rounded.to_integral_value() else rounded


def job_number(job_id: int) -> str:
    """The number a job is known by on paper."""
    return f"PJ-{job_id:06d}"


# --- jobs ------------------------------------------------------------------------------------

_JOB_ROWS = (
    select(*ProcessingJob.__table__.columns, ProcessingJobType.name.label("job_type_name"))
    .select_from(ProcessingJob)
    .join(ProcessingJobType, ProcessingJobType.id == ProcessingJob.job_type_id)
    .subquery("processing_job_rows")
)


class JobRow(ReadModel):
    __table__ = _JOB_ROWS

    id: Mapped[int]
    facility_id: Mapped[int]
    job_type_id: Mapped[int]
    name: Mapped[str]
    start_date: Mapped[date]
    count_unit_name: Mapped[str | None]
    volume_unit_name: Mapped[str | None]
    weight_unit_name: Mapped[str | None]
    consumed_count: Mapped[Decimal]
    consumed_volume: Mapped[Decimal]
    consumed_weight: Mapped[Decimal]
    packaged_count: Mapped[Decimal]
    packaged_volume: Mapped[Decimal]
    packaged_weight: Mapped[Decimal]
    waste_count: Mapped[Decimal]
    waste_volume: Mapped[Decimal]
    waste_weight: Mapped[Decimal]
    waste_count_unit_name: Mapped[str | None]
    waste_volume_unit_name: Mapped[str | None]
    waste_weight_unit_name: Mapped[str | None]
    finished_date: Mapped[date | None]
    finish_note: Mapped[str | None]
    active: Mapped[bool]
    last_modified: Mapped[datetime]
    job_type_name: Mapped[str]


@dataclass(frozen=True)
class Holding:
    """What a job took from one source package and still has, in the package's unit."""

    package_id: int
    label: str
    quantity: Decimal
    unit_of_measure_name: str


@dataclass(frozen=True)
class Measured:
    """A total as shown: its quantity in its unit."""

    quantity: Decimal
    unit: UnitOfMeasure


@dataclass(frozen=True)
class JobRecord:
    """A job as renderers take it: its row and what it holds from each source package."""

    job: JobRow
    holdings: tuple[Holding, ...]

    @property
    def number(self) -> str:
        return job_number(self.job.id)

    def unit(self, kind: QuantityType) -> UnitOfMeasure | None:
        name: str | None = getattr(self.job, f"{BOOKS[kind]}_unit_name")
        return None if name is None else find_unit(name)

    def taken_in(self, kind: QuantityType) -> Measured | None:
        """What the job took in of `kind`, in its unit of that kind (None: it has none)."""
        unit = self.unit(kind)
        total: Decimal = getattr(self.job, f"consumed_{BOOKS[kind]}")
        return None if unit is None else Measured(shown(total, unit), unit)

    def waste(self, kind: QuantityType) -> Measured | None:
        """The waste finishing recorded of `kind`, in the unit it was stated in."""
        name: str | None = getattr(self.job, f"waste_{BOOKS[kind]}_unit_name")
        unit = None if name is None else find_unit(name)
        total: Decimal = getattr(self.job, f"waste_{BOOKS[kind]}")
        return None if unit is None else Measured(shown(total, unit), unit)

    @property
    def main_total(self) -> Measured | None:
        """The total of the job's main type: the first of weight, volume and count it took
        any of, else the first it has a unit for."""
        kinds = (QuantityType.WEIGHT, QuantityType.VOLUME, QuantityType.COUNT)
        totals = [self.taken_in(kind) for kind in kinds]
        given = [total for total in totals if total is not None]
        return next((total for total in given if total.quantity), given[0] if given else None)


def jobs(facility: Facility, *, active: bool) -> Listed:
    """The facility's active jobs (neither finished nor archived), or the others, oldest
    first, windowed on their last change."""
    condition: ColumnElement[bool]
    if active:
        condition = JobRow.active.is_(True) & JobRow.finished_date.is_(None)
    else:
        condition = or_(JobRow.active.is_(False), JobRow.finished_date.is_not(None))
    source = owned(JobRow, facility).where(condition).order_by(JobRow.id)
    return Listed(source, modified=JobRow.last_modified, complete=complete_jobs)


def complete_jobs(session: Session, rows: list[JobRow]) -> list[JobRecord]:
    """A page of jobs with what each holds from its sources (one statement for the page)."""
    held: dict[int, dict[int, Holding]] = {row.id: {} for row in rows}
    inputs = session.execute(
        select(
            ProcessingJobInput.job_id,
            ProcessingJobInput.package_id,
            Package.label,
            ProcessingJobInput.quantity,
            ProcessingJobInput.unit_of_measure_name,
        )
        .join(Package, Package.id == ProcessingJobInput.package_id)
        .where(ProcessingJobInput.job_id.in_(list(held)))
        .order_by(ProcessingJobInput.id)
    )
    for job_id, package_id, label, quantity, unit_name in inputs:
        before = held[job_id].get(package_id)
        total = quantity if before is None else before.quantity + quantity
        held[job_id][package_id] = Holding(package_id, label, total, unit_name)
    return [JobRecord(row, tuple(h for h in held[row.id].values() if h.quantity)) for row in rows]


def made_from_job(session: Session, package_id: int, job_id: int) -> bool:
    """Whether the job lies among the package's sources, however far up (one statement)."""
    sources = lineage([package_id])
    found = session.scalars(
        select(sources.c.root).where(sources.c.source_processing_job_id == job_id).limit(1)
    ).first()
    return found is not None


# --- job types -------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobTypeRecord:
    """A job type as renderers take it: its row and its attributes' records, in its order."""

    job_type: ProcessingJobType
    attributes: tuple[ProcessingJobAttribute, ...]


def job_types(facility: Facility, *, active: bool) -> Listed:
    """The facility's active (or archived) job types, oldest first."""
    listed = active_or_archived(ProcessingJobType, facility, active=active)
    return Listed(listed.source, modified=listed.modified, complete=complete_job_types)


def complete_job_types(session: Session, types: Sequence[ProcessingJobType]) -> list[JobTypeRecord]:
    """A page of job types with their attributes (one statement for the page)."""
    names = {name for job_type in types for name in job_type.attribute_names}
    facilities = {job_type.facility_id for job_type in types}
    found = {
        (attribute.facility_id, attribute.name): attribute
        for attribute in session.scalars(
            select(ProcessingJobAttribute).where(
                ProcessingJobAttribute.facility_id.in_(facilities),
                ProcessingJobAttribute.name.in_(names),
            )
        )
    }
    return [
        JobTypeRecord(
            job_type,
            tuple(
                found[(job_type.facility_id, name)]
                for name in job_type.attribute_names
                if (job_type.facility_id, name) in found
            ),
        )
        for job_type in types
    ]


def attributes(facility: Facility) -> Listed:
    """The attributes the facility's job types were given, in the order first named."""
    source = owned(ProcessingJobAttribute, facility).order_by(ProcessingJobAttribute.id)
    return Listed(source, modified=ProcessingJobAttribute.last_modified)
