"""Processing jobs: source packages taken into a job, packages made from it, its waste.

The books. A job keeps, for each quantity type (count, volume, weight), what it took in from
its source packages, what it packaged and what finishing recorded as waste, exactly, in the
base unit of the type (each, millilitres, grams: `units.to_base` loses nothing). What remains
is the difference, and in every type, at every moment,

    taken in = packaged + waste + remaining,    remaining >= 0

holds to the last decimal: a job never packages or wastes more than remains, nor gives back
to a source more than remains. What leaves a source package is the draw in the package's own
unit (converted from the posted unit, `package_stock.in_package_unit`) and exactly that, in
base units, enters the job: nothing is rounded between the two. Quantities of different
types never mix: a job that took in grams packages weighed products.

The rules:

- only a facility that processes product runs jobs (`processing_types.require_processor`);
- starting a job names an active job type, a name unique among the facility's active jobs,
  and at least one source package: active, not finished, not on hold, of this facility, not a
  lab sample nor living plants, holding enough (all lines naming it together), and packaged
  on or before the start date. What the job takes is subtracted from each source in the same
  transaction (never below zero) and recorded line by line (`ProcessingJobInput`);
- an adjustment, for a listed reason, takes more from source packages (as a start does) or,
  negative, gives back to a source what the job took from it and still holds; it may also
  change the units the job's totals are shown in. A job's input is never a package made
  from the job itself (the genealogy would go round in a circle);
- a package made from a job (POST /processing/v2/createpackages) is a new package like any
  other (`packages.new_package`: its tag claimed once, flags by capability), of an item that
  is not a plant, measured in a unit of the item's type; its quantity, in base units, is
  packaged from what remains of that type. Its genealogy names the job (a `PackageSource`
  whose `source_processing_job_id` leads on to the job's inputs);
- finishing records the waste of each type (at most what remains) and the date; an
  unfinished job takes no packaging or adjustment while finished. Unfinishing undoes exactly
  what finishing did: the waste, the date and the note go, the packages made stay;
- archiving (DELETE) takes a job out of use for good; a job that still holds something is
  finished first, so that what it held is accounted for. A package a job took from is never
  discontinued (package_inventory.py): the job's outputs lead back to it.

Each service takes one command and never commits; faults name the command's fields.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import FieldPath, NotFound, RuleViolation
from leafledger.domain.models import (
    Facility,
    Package,
    ProcessingJob,
    ProcessingJobInput,
)
from leafledger.domain.models.base import IsTrue
from leafledger.domain.queries.processing import BOOKS, made_from_job
from leafledger.domain.reference import PACKAGE_ADJUSTMENT_REASONS, Reason
from leafledger.domain.services import catalogue
from leafledger.domain.services.audit import audited, record_new
from leafledger.domain.services.cultivation import adjustment_reason
from leafledger.domain.services.harvests import amount
from leafledger.domain.services.lookups import item_named, not_future, refuse_taken_name
from leafledger.domain.services.package_gate import PLANT_PACKAGE_TYPES
from leafledger.domain.services.package_stock import (
    check_holds,
    drawn_package,
    holds_plants,
    in_package_unit,
    move_quantity,
    unit_for,
)
from leafledger.domain.services.packages import (
    Inherited,
    PackageDetails,
    _measured_in,
    _source,
    new_package,
)
from leafledger.domain.services.processing_types import job_type_named, require_processor
from leafledger.domain.units import (
    BASE_UNITS,
    QuantityType,
    UnitOfMeasure,
    find_unit,
    get_unit,
    to_base,
)

# Reasons a job's inputs are adjusted for: the package adjustment reasons, and the data entry
# correction Metrc's own example of POST /processing/v2/adjust gives.
ADJUSTMENT_REASONS: tuple[Reason, ...] = (Reason("Data Entry"), *PACKAGE_ADJUSTMENT_REASONS)
MAX_NOTE = 1000
ENTRIES = ("consumed", "packaged", "waste")


# --- the books -------------------------------------------------------------------------------


def book(job: ProcessingJob, entry: str, kind: QuantityType) -> Decimal:
    """One book of the job: `entry` is consumed, packaged or waste."""
    value: Decimal = getattr(job, f"{entry}_{BOOKS[kind]}")
    return value


def remaining(job: ProcessingJob, kind: QuantityType) -> Decimal:
    """What the job still holds of `kind`, in its base unit."""
    return book(job, "consumed", kind) - book(job, "packaged", kind) - book(job, "waste", kind)


def _enter(job: ProcessingJob, entry: str, kind: QuantityType, change: Decimal) -> None:
    """Move one book by `change` (the caller audits the job around it)."""
    setattr(job, f"{entry}_{BOOKS[kind]}", book(job, entry, kind) + change)


def _base_name(kind: QuantityType) -> str:
    return BASE_UNITS[kind].name


def _holds_text(job: ProcessingJob, kind: QuantityType) -> str:
    return f"{remaining(job, kind)} {_base_name(kind)}"


# --- finding a job ---------------------------------------------------------------------------


def _locked(session: Session, job: ProcessingJob) -> ProcessingJob:
    """`job` re-read FOR UPDATE: every change reads its books, then moves them."""
    session.flush()
    session.refresh(job, with_for_update=True)
    return job


def _open(session: Session, job: ProcessingJob, field: str | None = None) -> ProcessingJob:
    """An active, unfinished job, locked."""
    _locked(session, job)
    if not job.active:
        raise RuleViolation(f"The processing job {job.name!r} is archived.", field=field)
    if job.finished_date is not None:
        raise RuleViolation(
            f"The processing job {job.name!r} is finished; unfinish it first.", field=field
        )
    return job


def job_named(session: Session, facility: Facility, name: object) -> ProcessingJob:
    """The facility's active, unfinished job called `name`, locked."""
    if not isinstance(name, str) or not name.strip():
        raise RuleViolation("A processing job name is required.", field="job_name")
    found = session.scalars(
        select(ProcessingJob)
        .where(
            ProcessingJob.facility_id == facility.id,
            ProcessingJob.name == name.strip(),
            IsTrue(ProcessingJob.active),
        )
        .limit(1)
    ).first()
    if found is None:
        raise RuleViolation(
            f"No active processing job named {name.strip()!r} at this facility.", field="job_name"
        )
    return _open(session, found, "job_name")


# --- units the totals are shown in ------------------------------------------------------------


@dataclass(frozen=True)
class JobUnits:
    """The units a job's totals are shown in, by name; None keeps (or leaves unset) one."""

    count_unit: str | None = None
    volume_unit: str | None = None
    weight_unit: str | None = None


def _units(command: JobUnits) -> dict[QuantityType, UnitOfMeasure]:
    chosen = {}
    for kind, name in BOOKS.items():
        wanted = getattr(command, f"{name}_unit")
        if wanted is None or not wanted.strip():
            continue
        at = f"{name}_unit"
        unit = find_unit(wanted)
        if unit is None:
            raise RuleViolation(f"Unknown unit of measure {wanted.strip()!r}.", field=at)
        if unit.quantity_type is not kind:
            raise RuleViolation(f"{unit.name} is not a unit of {name}.", field=at)
        if not unit.active:
            raise RuleViolation(f"The unit {unit.name} is no longer accepted.", field=at)
        chosen[kind] = unit
    return chosen


def _show_in(job: ProcessingJob, units: dict[QuantityType, UnitOfMeasure]) -> None:
    for kind, unit in units.items():
        setattr(job, f"{BOOKS[kind]}_unit_name", unit.name)


# --- what a job takes from its sources -------------------------------------------------------


@dataclass(frozen=True)
class JobPackage:
    """A quantity taken from (negative: given back to) one source package, named by label."""

    label: str | None
    quantity: Decimal
    unit_of_measure: str | None


@dataclass(frozen=True)
class _Move:
    """One checked line: the package, the change in its unit (positive: it gives), the same in
    base units, and what was posted."""

    package: Package
    quantity: Decimal
    amount: Decimal
    kind: QuantityType
    line: JobPackage
    unit: UnitOfMeasure


def _source_package(
    session: Session, facility: Facility, line: JobPackage, at: FieldPath
) -> Package:
    """The package a line names, if it may take part in a job; its faults are the line's."""
    package = drawn_package(session, facility, line.label, at, "label", "a processing job")
    if package.package_type in PLANT_PACKAGE_TYPES:
        raise RuleViolation(
            f"Package {package.label} holds living plants; a processing job takes product.",
            field=at,
        )
    return package


def _move(session: Session, facility: Facility, line: JobPackage, at: FieldPath) -> _Move:
    package = _source_package(session, facility, line, at)
    unit = unit_for(package, line.unit_of_measure, (*at, "unit_of_measure"))
    if line.quantity == 0:
        raise RuleViolation("{field} of 0 changes nothing.", field=(*at, "quantity"))
    size = in_package_unit(package, abs(line.quantity), unit, (*at, "quantity"))
    change = size if line.quantity > 0 else -size
    own = get_unit(package.unit_of_measure_name)
    return _Move(package, change, to_base(change, own), own.quantity_type, line, unit)


def held_by_job(session: Session, job: ProcessingJob) -> dict[int, Decimal]:
    """What the job took from each of its source packages and still has, in each package's
    unit (package id -> quantity)."""
    held: dict[int, Decimal] = {}
    rows = session.execute(
        select(ProcessingJobInput.package_id, ProcessingJobInput.quantity).where(
            ProcessingJobInput.job_id == job.id
        )
    )
    for package_id, quantity in rows:
        held[package_id] = held.get(package_id, Decimal(0)) + quantity
    return held


def _moves(
    session: Session,
    facility: Facility,
    job: ProcessingJob | None,
    lines: Sequence[JobPackage],
    when: date,
    date_field: str,
) -> list[_Move]:
    """Every line, checked together before anything changes: no source gives more than it
    holds, none takes back more than the job took from it, and the job never gives back more
    of a type than it holds (`job` None: a new job, which takes only)."""
    moves = [_move(session, facility, line, ("packages", i)) for i, line in enumerate(lines)]
    net: dict[int, Decimal] = {}
    by_kind: dict[QuantityType, Decimal] = {}
    held = held_by_job(session, job) if job is not None else {}
    for index, move in enumerate(moves):
        at: FieldPath = ("packages", index)
        package = move.package
        if move.quantity < 0 and job is None:
            raise RuleViolation("A new job only takes from its packages.", field=(*at, "quantity"))
        if move.quantity > 0 and when < package.packaged_date:
            raise RuleViolation(
                f"{{field}} {when.isoformat()} is before package {package.label} was packaged.",
                field=date_field,
            )
        if move.quantity > 0 and job is not None and made_from_job(session, package.id, job.id):
            raise RuleViolation(
                f"Package {package.label} was made from the processing job {job.name!r}; it "
                "cannot go back into it.",
                field=at,
            )
        net[package.id] = net.get(package.id, Decimal(0)) + move.quantity
        by_kind[move.kind] = by_kind.get(move.kind, Decimal(0)) + move.amount
        if net[package.id] > 0:
            check_holds(package, net[package.id], at)
        elif -net[package.id] > held.get(package.id, Decimal(0)):
            raise RuleViolation(
                f"The job holds {held.get(package.id, Decimal(0))} {package.unit_of_measure_name} "
                f"taken from package {package.label}; it cannot give back "
                f"{-net[package.id]} {package.unit_of_measure_name}.",
                field=at,
            )
    if job is not None:
        for kind, change in by_kind.items():
            if remaining(job, kind) + change < 0:
                raise RuleViolation(
                    f"The processing job {job.name!r} holds {_holds_text(job, kind)}; it cannot "
                    f"give back {-change} {_base_name(kind)} (what it packaged or wasted stays).",
                    field="packages",
                )
    return moves


def _take(
    session: Session,
    actor: Actor,
    job: ProcessingJob,
    moves: list[_Move],
    when: date,
    reason: Reason | None = None,
    note: str | None = None,
) -> None:
    """Move the quantities between the sources and the job (already in the job's books) and
    keep each line."""
    for move in moves:
        entry = ProcessingJobInput(
            facility_id=job.facility_id,
            job_id=job.id,
            package_id=move.package.id,
            quantity=move.quantity,
            unit_of_measure_name=move.package.unit_of_measure_name,
            amount=move.amount,
            entered_quantity=move.line.quantity,
            entered_unit=move.unit.name,
            reason_name=None if reason is None else reason.name,
            note=note,
            entry_date=when,
            user_id=actor.user_id,
        )
        record_new(session, actor, entry, job.facility_id)
        move_quantity(session, actor, move.package, -move.quantity, "process")


def _book_moves(job: ProcessingJob, moves: list[_Move]) -> None:
    """Enter the moves in the job's books; a type the job shows in no unit yet is shown in the
    unit of the first package of that type."""
    for move in moves:
        _enter(job, "consumed", move.kind, move.amount)
        unit_field = f"{BOOKS[move.kind]}_unit_name"
        if getattr(job, unit_field) is None:
            setattr(job, unit_field, move.package.unit_of_measure_name)


# --- starting --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class JobStart(JobUnits):
    """A new job of a job type, taking quantities from source packages."""

    name: str | None = None
    job_type: str | None = None
    packages: Sequence[JobPackage] = ()
    start_date: date | None = None


def start_job(
    session: Session, actor: Actor, facility: Facility, command: JobStart
) -> ProcessingJob:
    """A new job: every source checked together, then lowered in the same transaction."""
    require_processor(facility)
    name = catalogue.clean_name(command.name, "processing job")
    refuse_taken_name(session, ProcessingJob, facility, name, "processing job")
    try:
        job_type = job_type_named(session, facility, command.job_type)
    except (NotFound, RuleViolation) as exc:
        raise RuleViolation(exc.message, field="job_type") from None
    started = not_future(facility, command.start_date, "start_date")
    units = _units(command)
    if not command.packages:
        raise RuleViolation("{field} must name at least one package.", field="packages")
    moves = _moves(session, facility, None, command.packages, started, "start_date")
    job = ProcessingJob(
        facility_id=facility.id,
        job_type_id=job_type.id,
        name=name,
        start_date=started,
        **{f"{BOOKS[kind]}_unit_name": unit.name for kind, unit in units.items()},
        **{f"{entry}_{kind}": Decimal(0) for entry in ENTRIES for kind in BOOKS.values()},
    )
    _book_moves(job, moves)
    record_new(session, actor, job, facility.id)
    _take(session, actor, job, moves, started)
    return job


# --- adjusting -------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class JobAdjustment(JobUnits):
    """More taken from (or given back to) source packages, for a listed reason; and perhaps
    other units to show the totals in."""

    job: ProcessingJob
    reason: str | None = None
    adjustment_date: date | None = None
    note: str | None = None
    packages: Sequence[JobPackage] = ()


def adjust_job(
    session: Session, actor: Actor, facility: Facility, command: JobAdjustment
) -> ProcessingJob:
    """Correct what an unfinished job took from its sources (or the units it is shown in)."""
    require_processor(facility)
    job = _open(session, command.job)
    reason = adjustment_reason(command.reason, command.note, ADJUSTMENT_REASONS)
    note = catalogue.optional_text(command.note, "note", MAX_NOTE)
    when = not_future(facility, command.adjustment_date, "adjustment_date")
    if when < job.start_date:
        raise RuleViolation(
            f"{{field}} {when.isoformat()} is before the job started.", field="adjustment_date"
        )
    units = _units(command)
    if not command.packages and not units:
        raise RuleViolation("{field} must name at least one package.", field="packages")
    moves = _moves(session, facility, job, command.packages, when, "adjustment_date")
    done = audited(session, actor, job, "adjust", job.facility_id)
    _show_in(job, units)
    _book_moves(job, moves)
    done()
    _take(session, actor, job, moves, when, reason, note)
    return job


# --- waste and finishing ---------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class JobWaste:
    """The waste of each type finishing records, each in a unit of its type."""

    waste_count: Decimal | None = None
    waste_count_unit: str | None = None
    waste_volume: Decimal | None = None
    waste_volume_unit: str | None = None
    waste_weight: Decimal | None = None
    waste_weight_unit: str | None = None


def _wastes(job: ProcessingJob, waste: JobWaste) -> dict[QuantityType, tuple[Decimal, str]]:
    """Each waste stated, in base units, with the unit it was stated in; none exceeds what
    remains of its type."""
    found: dict[QuantityType, tuple[Decimal, str]] = {}
    for kind, name in BOOKS.items():
        quantity_field, unit_field = f"waste_{name}", f"waste_{name}_unit"
        quantity = getattr(waste, quantity_field)
        if quantity is None:
            continue
        number = amount(quantity, quantity_field, allow_zero=True)
        wanted = getattr(waste, unit_field)
        unit = find_unit(wanted) if isinstance(wanted, str) and wanted.strip() else None
        if unit is None:
            problem = "is required" if not wanted else f"{wanted!r} is unknown"
            raise RuleViolation(f"{{field}} {problem} with a waste.", field=unit_field)
        if unit.quantity_type is not kind or not unit.active:
            raise RuleViolation(f"{unit.name} cannot measure a waste of {name}.", field=unit_field)
        base = to_base(number, unit)
        if base > remaining(job, kind):
            raise RuleViolation(
                f"{{field}} {number} {unit.name} is more than the processing job "
                f"{job.name!r} holds ({_holds_text(job, kind)}).",
                field=quantity_field,
            )
        found[kind] = (base, unit.name)
    return found


def _finish(
    session: Session,
    actor: Actor,
    facility: Facility,
    job: ProcessingJob,
    waste: JobWaste,
    finish_date: date | None,
    finish_note: str | None,
) -> ProcessingJob:
    """Finish an open job: its waste, date and note (all that unfinishing takes back)."""
    wastes = _wastes(job, waste)
    when = not_future(facility, finish_date, "finish_date")
    if when < job.start_date:
        raise RuleViolation(
            f"{{field}} {when.isoformat()} is before the job started.", field="finish_date"
        )
    note = catalogue.optional_text(finish_note, "finish_note", MAX_NOTE)
    done = audited(session, actor, job, "finish", job.facility_id)
    for kind, (base, unit_name) in wastes.items():
        _enter(job, "waste", kind, base)
        setattr(job, f"waste_{BOOKS[kind]}_unit_name", unit_name)
    job.finished_date = when
    job.finish_note = note
    done()
    return job


@dataclass(frozen=True, kw_only=True)
class JobFinish(JobWaste):
    job: ProcessingJob
    finish_date: date | None = None
    finish_note: str | None = None


def finish_job(
    session: Session, actor: Actor, facility: Facility, command: JobFinish
) -> ProcessingJob:
    """Finish a job, recording its waste."""
    require_processor(facility)
    job = _open(session, command.job)
    return _finish(session, actor, facility, job, command, command.finish_date, command.finish_note)


@dataclass(frozen=True)
class JobNamed:
    """A job named by id (loaded), for changes that need nothing else."""

    job: ProcessingJob


def unfinish_job(
    session: Session, actor: Actor, facility: Facility, command: JobNamed
) -> ProcessingJob:
    """Reopen a finished job: what finishing recorded (waste, date, note) is taken back."""
    require_processor(facility)
    job = _locked(session, command.job)
    if not job.active:
        raise RuleViolation(f"The processing job {job.name!r} is archived.")
    if job.finished_date is None:
        raise RuleViolation(f"The processing job {job.name!r} is not finished.")
    done = audited(session, actor, job, "unfinish", job.facility_id)
    for kind, name in BOOKS.items():
        _enter(job, "waste", kind, -book(job, "waste", kind))
        setattr(job, f"waste_{name}_unit_name", None)
    job.finished_date = None
    job.finish_note = None
    done()
    return job


def archive_job(
    session: Session, actor: Actor, facility: Facility, job: ProcessingJob
) -> ProcessingJob:
    """Take a job out of use for good; one still holding something is finished first."""
    require_processor(facility)
    _locked(session, job)
    if not job.active:
        raise RuleViolation(f"The processing job {job.name!r} is already archived.")
    holding = [kind for kind in BOOKS if remaining(job, kind) > 0]
    if job.finished_date is None and holding:
        held = ", ".join(_holds_text(job, kind) for kind in holding)
        raise RuleViolation(
            f"The processing job {job.name!r} still holds {held}; finish it (recording its "
            "waste) before archiving it."
        )
    done = audited(session, actor, job, "archive", job.facility_id)
    job.active = False
    done()
    return job


# --- packages made from a job ----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class JobOutput(PackageDetails, JobWaste):
    """A new package of `quantity` `unit_of_measure` made from a job named by name; with
    `finish_job`, the job finishes with it (its waste, date and note)."""

    job_name: str | None = None
    quantity: Decimal = Decimal(0)
    unit_of_measure: str | None = None
    finish_job: bool = False
    finish_date: date | None = None
    finish_note: str | None = None


def _inherited(session: Session, job: ProcessingJob) -> tuple[Inherited, int | None]:
    """What an output takes over from the job's sources (a requirement of remediation or
    decontamination), and where the first of them is kept (the output's default place)."""
    held = [package_id for package_id, quantity in held_by_job(session, job).items() if quantity]
    sources = list(
        session.scalars(select(Package).where(Package.id.in_(held)).order_by(Package.id))
    )
    inherited = Inherited(
        requires_remediation=any(s.product_requires_remediation for s in sources),
        requires_decontamination=any(s.product_requires_decontamination for s in sources),
    )
    return inherited, sources[0].location_id if sources else None


def create_job_package(
    session: Session, actor: Actor, facility: Facility, command: JobOutput
) -> Package:
    """A new package made from what remains of a job (of the package's quantity type)."""
    require_processor(facility)
    job = job_named(session, facility, command.job_name)
    if not command.item:
        raise RuleViolation("{field} is required: name the item of the new package.", field="item")
    item = item_named(session, facility, command.item)
    if holds_plants(item):
        raise RuleViolation(
            f"The item {item.name!r} is a plant item; a processing job makes products.",
            field="item",
        )
    unit = _measured_in(item, command.unit_of_measure)
    quantity = amount(command.quantity, "quantity")
    kind = unit.quantity_type
    base = to_base(quantity, unit)
    if base > remaining(job, kind):
        raise RuleViolation(
            f"{{field}} {quantity} {unit.name} is more than the processing job {job.name!r} "
            f"holds ({_holds_text(job, kind)}).",
            field="quantity",
        )
    packaged = not_future(facility, command.actual_date, "actual_date")
    if packaged < job.start_date:
        raise RuleViolation(
            f"{{field}} {packaged.isoformat()} is before the job started.", field="actual_date"
        )
    batch_number = (command.production_batch_number or "").strip()
    details = replace(command, is_production_batch=bool(batch_number))
    inherited, place = _inherited(session, job)
    package = new_package(
        session,
        actor,
        facility,
        details,
        item,
        quantity=quantity,
        unit=unit.name,
        default_location=place,
        packaged=packaged,
        inherited=inherited,
    )
    _source(session, actor, package, quantity, unit.name, source_processing_job_id=job.id)
    done = audited(session, actor, job, "package", job.facility_id)
    _enter(job, "packaged", kind, base)
    done()
    if command.finish_job:
        _finish(session, actor, facility, job, command, command.finish_date, command.finish_note)
    return package
