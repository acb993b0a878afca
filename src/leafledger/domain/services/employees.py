"""The permissions an employee holds at a facility."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.errors import NotFound
from leafledger.domain.models import Employee, Facility, User


def permissions_of(session: Session, facility: Facility, employee_license_number: str) -> list[str]:
    """The permissions of the facility's employee with this employee licence number."""
    number = employee_license_number.strip()
    employee = session.scalar(
        select(Employee)
        .join(User, Employee.user_id == User.id)
        .where(Employee.facility_id == facility.id, User.employee_license_number == number)
    )
    if employee is None:
        raise NotFound(f"no employee with licence number {number!r} at this facility")
    return list(employee.permissions)
