"""Patient check-ins: the visits of patients a facility reports, with the registration each
patient came with.

Rules: only a facility whose licence has it report check-ins records them. A check-in names the
patient's licence number (the patient need not be registered at the facility: visitors check in
with a registration of their own jurisdiction), the jurisdiction that issued the registration
(one of reference.PATIENT_REGISTRATION_LOCATIONS), the registration's start and expiry dates
(the expiry not before the start) and the day of the visit: not in the future, and within the
registration's dates. A check-in is changed while it stands and archived, never deleted; an
archived one is neither changed nor archived again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from leafledger.domain import reference
from leafledger.domain.actor import Actor
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import Facility, PatientCheckIn
from leafledger.domain.services.audit import audited, record_new
from leafledger.domain.services.lookups import not_future
from leafledger.domain.services.patients import clean_licence

LOCATIONS = {location.id: location for location in reference.PATIENT_REGISTRATION_LOCATIONS}


def location_name(location_id: int) -> str | None:
    location = LOCATIONS.get(location_id)
    return None if location is None else location.name


@dataclass(frozen=True)
class NewCheckIn:
    patient_license_number: str
    check_in_location: int
    registration_start_date: date
    registration_expiry_date: date
    check_in_date: date | None = None  # today when not given


@dataclass(frozen=True, kw_only=True)
class CheckInChange(NewCheckIn):
    check_in: PatientCheckIn


def _apply(facility: Facility, check_in: PatientCheckIn, command: NewCheckIn) -> None:
    if not facility.can("CanReportPatientCheckIns"):
        raise RuleViolation(
            f"The facility {facility.license_number} may not report patient check-ins."
        )
    licence = clean_licence(command.patient_license_number, "patient_license_number")
    if command.check_in_location not in LOCATIONS:
        raise RuleViolation(
            f"{{field}} {command.check_in_location} names no registration location; the "
            "list of locations gives their ids.",
            field="check_in_location",
        )
    start, expiry = command.registration_start_date, command.registration_expiry_date
    if expiry < start:
        raise RuleViolation(
            f"{{field}} ({expiry.isoformat()}) is before the registration starts "
            f"({start.isoformat()}).",
            field="registration_expiry_date",
        )
    day = not_future(facility, command.check_in_date, "check_in_date")
    if not start <= day <= expiry:
        raise RuleViolation(
            f"{{field}} {day.isoformat()} is outside the registration, which runs from "
            f"{start.isoformat()} to {expiry.isoformat()}.",
            field="check_in_date",
        )
    check_in.patient_license_number = licence
    check_in.check_in_location_id = command.check_in_location
    check_in.registration_start_date = start
    check_in.registration_expiry_date = expiry
    check_in.check_in_date = day


def record_check_in(
    session: Session, actor: Actor, facility: Facility, command: NewCheckIn
) -> PatientCheckIn:
    check_in = PatientCheckIn(facility_id=facility.id, active=True)
    _apply(facility, check_in, command)
    record_new(session, actor, check_in, facility.id)
    return check_in


def _refuse_archived(check_in: PatientCheckIn) -> None:
    if not check_in.active:
        raise RuleViolation(f"The check-in {check_in.id} is archived.")


def update_check_in(
    session: Session, actor: Actor, facility: Facility, command: CheckInChange
) -> PatientCheckIn:
    check_in = command.check_in
    _refuse_archived(check_in)
    done = audited(session, actor, check_in, "update", facility.id)
    _apply(facility, check_in, command)
    done()
    return check_in


def archive_check_in(
    session: Session, actor: Actor, facility: Facility, check_in: PatientCheckIn
) -> int:
    _refuse_archived(check_in)
    done = audited(session, actor, check_in, "archive", facility.id)
    check_in.active = False
    done()
    return check_in.id
