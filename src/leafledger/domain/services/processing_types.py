"""Processing job types: what a kind of processing job does, and who may run one.

- Only a facility whose type processes product runs processing jobs or keeps job types: one
  whose type may record processing jobs (CanRecordProcessingJobs) or infuse products
  (CanInfuseProducts). No preset has CanRecordProcessingJobs on (no sandbox facility Metrc
  publishes does), so a manufacturer's infusion flag is what admits it; an operator may
  switch CanRecordProcessingJobs on for one facility.
- A job type has a name unique among the facility's active job types, a category of the fixed
  list (`CATEGORIES`, GET /processing/v2/jobtypes/categories), an optional description and
  steps, and attributes: names, each recorded once per facility (the attributes list, GET
  /processing/v2/jobtypes/attributes) the first time a job type of the facility names it,
  and matched without regard to case afterwards. A category may require attributes.
- A job type is created, changed while active and archived (never deleted), like the other
  named kinds (`catalogue.Kind`); an archived type starts no job.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import Facility, ProcessingJobAttribute, ProcessingJobType
from leafledger.domain.reference import find_named
from leafledger.domain.services import catalogue
from leafledger.domain.services.audit import record_new
from leafledger.domain.services.lookups import _named, refuse_taken_name

MAX_TEXT = 1000
MAX_ATTRIBUTES = 20


@dataclass(frozen=True)
class JobCategory:
    """A category job types are filed under, with what it asks of them."""

    id: int
    name: str
    for_items: bool = False
    for_processing_jobs: bool = True
    requires_processing_job_attributes: bool = False


# The categories every facility may file job types under. Metrc's examples name Infusing,
# Processing and Vape; the others are the usual steps of a manufacturer. An infusion says what
# it infuses, so its job types name at least one attribute.
CATEGORIES: tuple[JobCategory, ...] = (
    JobCategory(1, "Extraction"),
    JobCategory(2, "Infusing", requires_processing_job_attributes=True),
    JobCategory(3, "Packaging"),
    JobCategory(4, "Pre-Roll"),
    JobCategory(5, "Processing"),
    JobCategory(6, "Vape"),
)


def category_of(name: str | None) -> JobCategory | None:
    """The category called `name` (any case), or None."""
    return None if name is None else find_named(CATEGORIES, name)


def require_processor(facility: Facility) -> None:
    """Refuse a facility whose type does not process product (see the module docstring)."""
    if not (facility.can("CanRecordProcessingJobs") or facility.can("CanInfuseProducts")):
        raise RuleViolation(
            f"Facility {facility.license_number} ({facility.license_type}) may not run "
            "processing jobs."
        )


def job_type_named(session: Session, facility: Facility, name: Any) -> ProcessingJobType:
    """An active job type of the facility by name; an archived one is refused."""
    return _named(session, ProcessingJobType, facility, name, "processing job type")


# --- job types -------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobTypeFields:
    """What a request states about a job type."""

    name: str | None = None
    category: str | None = None
    description: str | None = None
    processing_steps: str | None = None
    attributes: Sequence[str] | None = None


@dataclass(frozen=True, kw_only=True)
class JobTypeChange(JobTypeFields):
    """The new fields of an existing job type."""

    job_type: ProcessingJobType


def _category(name: str | None) -> JobCategory:
    found = category_of(name) if name and name.strip() else None
    if found is None:
        known = ", ".join(c.name for c in CATEGORIES)
        wanted = "is required" if not name or not name.strip() else f"{name.strip()!r} is unknown"
        raise RuleViolation(f"{{field}} {wanted}; use one of {known}.", field="category")
    return found


def _attribute_names(names: Sequence[str]) -> list[str]:
    """The attributes named, stripped, each once (the first spelling kept)."""
    if len(names) > MAX_ATTRIBUTES:
        raise RuleViolation(
            f"{{field}} may name at most {MAX_ATTRIBUTES} attributes.", field="attributes"
        )
    found: dict[str, str] = {}
    for index, name in enumerate(names):
        at = ("attributes", index)
        if not isinstance(name, str) or not name.strip():
            raise RuleViolation("An attribute name is required.", field=at)
        text = catalogue.bounded(name.strip(), at, catalogue.MAX_NAME)
        found.setdefault(text.casefold(), text)
    return list(found.values())


def _apply(
    session: Session, facility: Facility, job_type: ProcessingJobType, fields: JobTypeFields
) -> None:
    name = catalogue.clean_name(fields.name, "processing job type")
    refuse_taken_name(
        session, ProcessingJobType, facility, name, "processing job type", exclude_id=job_type.id
    )
    category = _category(fields.category)
    attributes = list(fields.attributes or ())
    if category.requires_processing_job_attributes and not attributes:
        raise RuleViolation(
            f"Job types of the category {category.name!r} name at least one attribute.",
            field="attributes",
        )
    job_type.name = name
    job_type.category_name = category.name
    job_type.description = catalogue.optional_text(fields.description, "description", MAX_TEXT)
    job_type.processing_steps = catalogue.optional_text(
        fields.processing_steps, "processing_steps", MAX_TEXT
    )
    job_type.attribute_names = attributes


JOB_TYPES = catalogue.Kind[ProcessingJobType, JobTypeFields, JobTypeChange](
    ProcessingJobType, "processing job type", _apply, lambda change: change.job_type
)


Fields = TypeVar("Fields", bound=JobTypeFields)


def _with_attributes(session: Session, actor: Actor, facility: Facility, fields: Fields) -> Fields:
    """`fields` with its attributes in the spelling the facility first gave them, recording the
    attributes the facility names for the first time."""
    names = _attribute_names(fields.attributes or ())
    if not names:
        return dataclasses.replace(fields, attributes=())
    known = {
        attribute.name.casefold(): attribute
        for attribute in session.scalars(
            select(ProcessingJobAttribute).where(ProcessingJobAttribute.facility_id == facility.id)
        )
    }
    spelled = []
    for name in names:
        attribute = known.get(name.casefold())
        if attribute is None:
            attribute = ProcessingJobAttribute(facility_id=facility.id, name=name)
            record_new(session, actor, attribute, facility.id)
            known[name.casefold()] = attribute
        spelled.append(attribute.name)
    return dataclasses.replace(fields, attributes=tuple(spelled))


def _prepared(session: Session, actor: Actor, facility: Facility, fields: Fields) -> Fields:
    require_processor(facility)
    return _with_attributes(session, actor, facility, fields)


def create_job_type(
    session: Session, actor: Actor, facility: Facility, command: JobTypeFields
) -> ProcessingJobType:
    """A new active job type of the facility."""
    return JOB_TYPES.create(session, actor, facility, _prepared(session, actor, facility, command))


def update_job_type(
    session: Session, actor: Actor, facility: Facility, command: JobTypeChange
) -> ProcessingJobType:
    """New fields for an active job type (its attributes replaced by those named)."""
    return JOB_TYPES.update(session, actor, facility, _prepared(session, actor, facility, command))


def archive_job_type(
    session: Session, actor: Actor, facility: Facility, job_type: ProcessingJobType
) -> ProcessingJobType:
    """Retire a job type: kept for the jobs that followed it, it starts no new one."""
    require_processor(facility)
    return JOB_TYPES.archive(session, actor, facility, job_type)
