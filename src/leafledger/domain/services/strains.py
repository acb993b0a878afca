"""Strains: create, update and archive the genetics a facility grows and sells.

Rules: a name is unique among the facility's active strains; the THC and CBD levels and the
indica and sativa percentages lie between 0 and 100, and indica plus sativa is at most 100; the
testing status is one of None, InHouse or ThirdParty. An archived strain is kept for history but
can no longer be used (`lookups.strain_named` refuses it) nor edited.

Also home to the small checks every catalogue-like aggregate shares (unique active names,
percentages), which the item and additive template services reuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import NotFound, RuleViolation
from leafledger.domain.models import Facility, Item, Plant, PlantBatch, Strain
from leafledger.domain.models.base import IsTrue
from leafledger.domain.services.audit import record, snapshot

TESTING_STATUSES: tuple[str, ...] = ("None", "InHouse", "ThirdParty")
HUNDRED = Decimal(100)
# The largest id a database integer column holds; larger ids cannot name a row.
MAX_ID = 2**63 - 1
MAX_NAME = 200


# --- checks shared with items and additive templates ----------------------------------------


def clean_name(name: Any, what: str) -> str:
    """A required, non-blank name, stripped, of at most `MAX_NAME` characters."""
    if not isinstance(name, str) or not name.strip():
        raise RuleViolation(f"A {what} name is required.")
    return bounded(name.strip(), f"The {what} name", MAX_NAME)


def bounded(text: str, field: str, limit: int) -> str:
    """`text`, refused when longer than the column keeping it."""
    if len(text) > limit:
        raise RuleViolation(f"{field} may be at most {limit} characters long.")
    return text


def ensure_unique_active_name(
    session: Session,
    model: Any,
    facility: Facility,
    name: str,
    what: str,
    *,
    exclude_id: int | None = None,
) -> None:
    """Refuse `name` when another active row of `model` at the facility already carries it."""
    query = select(model.id).where(
        model.facility_id == facility.id, model.name == name, IsTrue(model.active)
    )
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    if session.scalars(query.limit(1)).first() is not None:
        raise RuleViolation(f"An active {what} named {name!r} already exists at this facility.")


def check_percent(value: Decimal | None, field: str) -> Decimal | None:
    """A percentage between 0 and 100 (None stays None)."""
    if value is None:
        return None
    if not isinstance(value, Decimal) or not value.is_finite():
        raise RuleViolation(f"{field} must be a number.")
    if value < 0 or value > HUNDRED:
        raise RuleViolation(f"{field} must be between 0 and 100, got {value}.")
    return value


def check_id(object_id: int, what: str) -> int:
    """An id that may name a row; anything else names nothing."""
    if object_id < 1 or object_id > MAX_ID:
        raise NotFound(f"No {what} {object_id} was found.")
    return object_id


# --- strains --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StrainFields:
    """What a request states about a strain."""

    name: str
    testing_status: str | None = None
    thc_level: Decimal | None = None
    cbd_level: Decimal | None = None
    indica_percentage: Decimal | None = None
    sativa_percentage: Decimal | None = None


def _testing_status(value: str | None) -> str:
    if value is None or value == "":
        return "None"
    for status in TESTING_STATUSES:
        if status.casefold() == value.strip().casefold():
            return status
    raise RuleViolation(
        f"TestingStatus must be one of {', '.join(TESTING_STATUSES)}; got {value!r}."
    )


def genetics_of(indica: Decimal | None, sativa: Decimal | None) -> str | None:
    """The Metrc-style genetics summary ("60% Indica / 40% Sativa"), when both are known."""
    if indica is None or sativa is None:
        return None
    return f"{_plain(indica)}% Indica / {_plain(sativa)}% Sativa"


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _apply(session: Session, facility: Facility, strain: Strain, fields: StrainFields) -> None:
    name = clean_name(fields.name, "strain")
    ensure_unique_active_name(session, Strain, facility, name, "strain", exclude_id=strain.id)
    status = _testing_status(fields.testing_status)
    thc = check_percent(fields.thc_level, "ThcLevel")
    cbd = check_percent(fields.cbd_level, "CbdLevel")
    indica = check_percent(fields.indica_percentage, "IndicaPercentage")
    sativa = check_percent(fields.sativa_percentage, "SativaPercentage")
    if indica is not None and sativa is not None and indica + sativa > HUNDRED:
        raise RuleViolation(
            f"IndicaPercentage and SativaPercentage add up to {indica + sativa}; "
            "together they may be at most 100."
        )
    strain.name = name
    strain.testing_status = status
    strain.thc_level = thc
    strain.cbd_level = cbd
    strain.indica_percentage = indica
    strain.sativa_percentage = sativa
    strain.genetics = genetics_of(indica, sativa)


def create_strain(
    session: Session, actor: Actor, facility: Facility, fields: StrainFields
) -> Strain:
    strain = Strain(facility_id=facility.id, name="", active=True)
    _apply(session, facility, strain, fields)
    session.add(strain)
    session.flush()
    record(
        session,
        actor,
        entity=strain,
        action="create",
        facility_id=facility.id,
        after=snapshot(strain),
    )
    return strain


def update_strain(
    session: Session, actor: Actor, facility: Facility, strain: Strain, fields: StrainFields
) -> Strain:
    if not strain.active:
        raise RuleViolation(f"The strain {strain.name!r} is archived and cannot be changed.")
    before = snapshot(strain)
    _apply(session, facility, strain, fields)
    session.flush()
    record(
        session,
        actor,
        entity=strain,
        action="update",
        facility_id=facility.id,
        before=before,
        after=snapshot(strain),
    )
    return strain


def archive_strain(session: Session, actor: Actor, strain: Strain) -> Strain:
    if not strain.active:
        raise RuleViolation(f"The strain {strain.name!r} is already archived.")
    before = snapshot(strain)
    strain.active = False
    session.flush()
    record(
        session,
        actor,
        entity=strain,
        action="archive",
        facility_id=strain.facility_id,
        before=before,
        after=snapshot(strain),
    )
    return strain


def strain_is_used(session: Session, strain: Strain) -> bool:
    """Whether any plant batch, plant or item refers to the strain."""
    used = select(
        exists().where(PlantBatch.strain_id == strain.id)
        | exists().where(Plant.strain_id == strain.id)
        | exists().where(Item.strain_id == strain.id)
    )
    return bool(session.scalar(used))


def strains_of(facility: Facility, *, active: bool) -> Select[Strain]:
    """The facility's active (or archived) strains, oldest first; the caller pages it."""
    return (
        select(Strain)
        .where(Strain.facility_id == facility.id, Strain.active.is_(active))
        .order_by(Strain.id)
    )
