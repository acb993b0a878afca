"""Strains: create, update and archive the genetics a facility grows and sells.

Rules: a name is unique among the facility's active strains; the THC and CBD levels and the
indica and sativa percentages lie between 0 and 100, and indica plus sativa is at most 100; the
testing status is one of None, InHouse or ThirdParty. An archived strain is kept for history but
can no longer be used (`lookups.strain_named` refuses it) nor edited.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import Facility, Strain
from leafledger.domain.services import catalogue
from leafledger.domain.services.catalogue import HUNDRED, check_percent
from leafledger.domain.services.lookups import refuse_taken_name

TESTING_STATUSES: tuple[str, ...] = ("None", "InHouse", "ThirdParty")


@dataclass(frozen=True)
class StrainFields:
    """What a request states about a strain."""

    name: str | None = None
    testing_status: str | None = None
    thc_level: Decimal | None = None
    cbd_level: Decimal | None = None
    indica_percentage: Decimal | None = None
    sativa_percentage: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class StrainChange(StrainFields):
    """The new fields of an existing strain."""

    strain: Strain


def _testing_status(value: str | None) -> str:
    if value is None or value == "":
        return "None"
    for status in TESTING_STATUSES:
        if status.casefold() == value.strip().casefold():
            return status
    raise RuleViolation(
        f"{{field}} must be one of {', '.join(TESTING_STATUSES)}; got {value!r}.",
        field="testing_status",
    )


def genetics_of(indica: Decimal | None, sativa: Decimal | None) -> str | None:
    """The Metrc-style genetics summary ("60% Indica / 40% Sativa"), when both are known."""
    if indica is None or sativa is None:
        return None
    return f"{_plain(indica)}% Indica / {_plain(sativa)}% Sativa"


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _apply(session: Session, facility: Facility, strain: Strain, fields: StrainFields) -> None:
    name = catalogue.clean_name(fields.name, "strain")
    refuse_taken_name(session, Strain, facility, name, "strain", exclude_id=strain.id)
    status = _testing_status(fields.testing_status)
    thc = check_percent(fields.thc_level, "thc_level")
    cbd = check_percent(fields.cbd_level, "cbd_level")
    indica = check_percent(fields.indica_percentage, "indica_percentage")
    sativa = check_percent(fields.sativa_percentage, "sativa_percentage")
    if indica is not None and sativa is not None and indica + sativa > HUNDRED:
        raise RuleViolation(
            f"The indica and sativa percentages add up to {indica + sativa}; "
            "together they may be at most 100."
        )
    strain.name = name
    strain.testing_status = status
    strain.thc_level = thc
    strain.cbd_level = cbd
    strain.indica_percentage = indica
    strain.sativa_percentage = sativa
    strain.genetics = genetics_of(indica, sativa)


STRAINS = catalogue.Kind[Strain, StrainFields, StrainChange](
    Strain, "strain", _apply, lambda change: change.strain
)
create_strain, update_strain, archive_strain = STRAINS.services
