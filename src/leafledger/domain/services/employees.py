"""The people employed at a facility and the permissions each holds there."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from leafledger.domain.errors import NotFound, RuleViolation
from leafledger.domain.models import Employee, Facility, User


def employees_at(facility: Facility) -> Select[Employee]:
    """The query for the users employed at `facility`, by name; the caller pages it."""
    return (
        select(Employee)
        .join(User, Employee.user_id == User.id)
        .where(Employee.facility_id == facility.id)
        .order_by(User.full_name, User.id)
    )


def list_employees(session: Session, facility: Facility) -> list[Employee]:
    return list(session.scalars(employees_at(facility)))


def permissions_of(session: Session, facility: Facility, employee_license_number: str) -> list[str]:
    if not employee_license_number.strip():
        raise RuleViolation("employeeLicenseNumber is required")
    employee = session.scalar(
        select(Employee)
        .join(User, Employee.user_id == User.id)
        .where(
            Employee.facility_id == facility.id,
            User.employee_license_number == employee_license_number.strip(),
        )
    )
    if employee is None:
        raise NotFound(
            f"no employee with licence number {employee_license_number!r} at this facility"
        )
    return list(employee.permissions)
