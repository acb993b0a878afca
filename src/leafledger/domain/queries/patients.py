"""Patients and their check-ins, as the dialects list them.

A patient reads through `PatientRow`: the registration's columns and how many other facilities
of the same state hold an active registration of the same licence number, as one column of
one statement, so a page of patients (or one patient) is one SELECT. A check-in is read as it
is kept (the name of its location comes from the reference list, not from the database).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Mapped, aliased

from leafledger.domain.models import Facility, Patient, PatientCheckIn
from leafledger.domain.models.base import IsTrue
from leafledger.domain.queries.base import Listed, ReadModel, active_or_archived, owned

_home = aliased(Facility, name="home")
_other = aliased(Patient, name="other")
_elsewhere = aliased(Facility, name="elsewhere")

_OTHER_FACILITIES = (
    select(func.count())
    .select_from(_other)
    .join(_elsewhere, _elsewhere.id == _other.facility_id)
    .where(
        _other.license_number == Patient.license_number,
        IsTrue(_other.active),
        _other.facility_id != Patient.facility_id,
        _elsewhere.state_code == _home.state_code,
    )
    .correlate(Patient, _home)
    .scalar_subquery()
)

_PATIENT_ROWS = (
    select(
        Patient.id,
        Patient.facility_id,
        Patient.license_number,
        Patient.registration_date,
        Patient.license_effective_start_date,
        Patient.license_effective_end_date,
        Patient.recommended_plants,
        Patient.recommended_smokable_quantity,
        Patient.allowance_unit,
        Patient.has_sales_limit_exemption,
        Patient.active,
        Patient.last_modified,
        _OTHER_FACILITIES.label("other_facilities_count"),
    )
    .select_from(Patient)
    .join(_home, _home.id == Patient.facility_id)
    .subquery("patient_rows")
)


class PatientRow(ReadModel):
    __table__ = _PATIENT_ROWS

    id: Mapped[int]
    facility_id: Mapped[int]
    license_number: Mapped[str]
    registration_date: Mapped[date]
    license_effective_start_date: Mapped[date]
    license_effective_end_date: Mapped[date]
    recommended_plants: Mapped[int | None]
    recommended_smokable_quantity: Mapped[Decimal | None]
    allowance_unit: Mapped[str]
    has_sales_limit_exemption: Mapped[bool]
    active: Mapped[bool]
    last_modified: Mapped[datetime]
    other_facilities_count: Mapped[int]


def patients(facility: Facility, *, active: bool) -> Listed:
    """The facility's active (or archived) registrations, oldest first."""
    return active_or_archived(PatientRow, facility, active=active)


def check_ins(facility: Facility, *, start: date | None = None, end: date | None = None) -> Listed:
    """The facility's standing check-ins, oldest first; with `start` or `end`, those whose
    day falls between them (both included)."""
    source = owned(PatientCheckIn, facility).where(IsTrue(PatientCheckIn.active))
    if start is not None:
        source = source.where(PatientCheckIn.check_in_date >= start)
    if end is not None:
        source = source.where(PatientCheckIn.check_in_date <= end)
    return Listed(source.order_by(PatientCheckIn.id), modified=PatientCheckIn.last_modified)
