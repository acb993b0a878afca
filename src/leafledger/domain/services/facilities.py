"""Facilities: creation from a licence-type preset, lookup by licence number."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import Conflict, NotFound, RuleViolation
from leafledger.domain.facility_types import (
    canonical_license_type,
    capabilities_for,
    capability_flags,
)
from leafledger.domain.models import Employee, Facility
from leafledger.domain.services.audit import changed, record, snapshot


def create_facility(
    session: Session,
    actor: Actor,
    *,
    license_number: str,
    name: str,
    state_code: str,
    license_type: str,
    timezone: str = "America/Denver",
    today: date | None = None,
) -> Facility:
    license_number, name = license_number.strip(), name.strip()
    if not license_number or not name:
        raise RuleViolation("a facility needs a licence number and a name")
    state_code = state_code.strip().upper()
    if len(state_code) != 2 or not state_code.isalpha():
        raise RuleViolation(f"state code must be two letters, got {state_code!r}")
    try:
        preset = canonical_license_type(license_type)
    except ValueError as exc:
        raise RuleViolation(str(exc)) from exc
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RuleViolation(f"unknown time zone {timezone!r}") from exc
    if find_facility(session, license_number) is not None:
        raise Conflict(f"licence number {license_number!r} is registered already")
    start = today or date.today()
    facility = Facility(
        license_number=license_number,
        name=name,
        alias=name,
        state_code=state_code,
        license_type=preset,
        timezone=timezone,
        credentialed_date=start,
        license_start_date=start,
        license_end_date=None,
        capabilities=capabilities_for(preset),
    )
    session.add(facility)
    session.flush()
    record(
        session,
        actor,
        entity=facility,
        action="create",
        facility_id=facility.id,
        after=snapshot(facility),
    )
    return facility


def find_facility(session: Session, license_number: str) -> Facility | None:
    return session.scalar(select(Facility).where(Facility.license_number == license_number))


def get_facility(session: Session, license_number: str) -> Facility:
    facility = find_facility(session, license_number)
    if facility is None:
        raise NotFound(f"no facility with licence number {license_number!r}")
    return facility


def list_facilities(session: Session) -> list[tuple[Facility, int]]:
    """Every facility of the installation, by licence number, with how many users work there."""
    staff = (
        select(Employee.facility_id, func.count(Employee.id).label("staff"))
        .group_by(Employee.facility_id)
        .subquery()
    )
    rows = session.execute(
        select(Facility, func.coalesce(staff.c.staff, 0))
        .outerjoin(staff, staff.c.facility_id == Facility.id)
        .order_by(Facility.license_number)
    )
    return [(facility, int(count)) for facility, count in rows]


def change_capabilities(
    session: Session,
    actor: Actor,
    facility: Facility,
    *,
    enable: Iterable[str] = (),
    disable: Iterable[str] = (),
) -> Facility:
    """Turn capability flags of one facility on or off (its preset stays as it is): for a
    facility whose licence allows more than its type's preset, such as a medical store that
    serves patients. Flag names are those of the presets, in any case."""
    known = {name.casefold(): name for name in capability_flags()}
    wanted: dict[str, bool] = {}
    for names, value in ((enable, True), (disable, False)):
        for name in names:
            flag = known.get(name.strip().casefold())
            if flag is None:
                raise RuleViolation(f"unknown capability flag {name!r}")
            if wanted.get(flag, value) != value:
                raise RuleViolation(f"{flag} is both enabled and disabled")
            wanted[flag] = value
    capabilities = {**facility.capabilities, **wanted}
    changed(session, actor, facility, "change_capabilities", facility.id, capabilities=capabilities)
    return facility
