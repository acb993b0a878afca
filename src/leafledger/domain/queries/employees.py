"""The people employed at a facility, as the dialects list them.

An employee reads through `EmployeeRow`: the employment's columns with the user's name and
employee licence number, in one joined statement, so a page of employees is one SELECT.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Mapped

from leafledger.domain.models import Employee, Facility, User
from leafledger.domain.queries.base import Listed, ReadModel, of_facility

_EMPLOYEE_ROWS = (
    select(
        Employee.id,
        Employee.facility_id,
        User.full_name,
        User.employee_license_number,
        Employee.hire_date,
        Employee.license_type,
        Employee.license_start_date,
        Employee.license_end_date,
        Employee.is_industry_admin,
        Employee.is_owner,
        Employee.is_manager,
        Employee.last_modified,
    )
    .select_from(Employee)
    .join(User, User.id == Employee.user_id)
    .subquery("employee_rows")
)


class EmployeeRow(ReadModel):
    __table__ = _EMPLOYEE_ROWS

    id: Mapped[int]
    facility_id: Mapped[int]
    full_name: Mapped[str]
    employee_license_number: Mapped[str]
    hire_date: Mapped[date]
    license_type: Mapped[str]
    license_start_date: Mapped[date]
    license_end_date: Mapped[date | None]
    is_industry_admin: Mapped[bool]
    is_owner: Mapped[bool]
    is_manager: Mapped[bool]
    last_modified: Mapped[datetime]


def employees(facility: Facility) -> Listed:
    """The facility's employees, by name (and, between namesakes, in order of employment)."""
    source = (
        select(EmployeeRow)
        .where(of_facility(EmployeeRow, facility))
        .order_by(EmployeeRow.full_name, EmployeeRow.id)
    )
    return Listed(source, modified=EmployeeRow.last_modified)
