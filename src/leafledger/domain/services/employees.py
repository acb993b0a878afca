"""The people a facility employs: the permissions they hold there, and hiring.

An employee is a user of the ledger employed at a facility. Hiring records a new person (with
no key and no permission yet) and their employment; keys and permissions stay the operator's
to give (`leafledger user add / grant`), so no API caller can hand out access.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import NotFound, RuleViolation
from leafledger.domain.models import Employee, Facility, User
from leafledger.domain.services.audit import record_new
from leafledger.domain.services.identity import employ
from leafledger.domain.services.lookups import not_future


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


# --- hiring -------------------------------------------------------------------------------

ROLES: tuple[str, ...] = ("employee", "manager", "owner")
MAX_NAME = 200


@dataclass(frozen=True, kw_only=True)
class NewEmployee:
    """A person employed at the facility, known by their employee licence number."""

    full_name: str
    employee_license_number: str
    role: str = "employee"  # one of ROLES
    hire_date: date | None = None


def hire_employee(
    session: Session, actor: Actor, facility: Facility, command: NewEmployee
) -> Employee:
    """Record a new employee of the facility.

    The person is a new user of the ledger, with no key and no permission: they can call the
    API only once the operator gives them a key and grants permissions (`leafledger user`).
    Their employee licence number is unique across the installation; the hire date may not be
    in the future; the role sets the owner and manager flags of the employment.
    """
    name = command.full_name.strip() if isinstance(command.full_name, str) else ""
    if not name:
        raise RuleViolation("An employee's name is required.", field="full_name")
    if len(name) > MAX_NAME:
        raise RuleViolation(f"{{field}} may be at most {MAX_NAME} characters.", field="full_name")
    number = (command.employee_license_number or "").strip()
    if not number:
        raise RuleViolation(
            "An employee licence number is required.", field="employee_license_number"
        )
    if len(number) > 64:
        raise RuleViolation(
            "{field} may be at most 64 characters.", field="employee_license_number"
        )
    if session.scalar(select(User.id).where(User.employee_license_number == number)) is not None:
        raise RuleViolation(
            f"Employee licence number {number!r} is registered already.",
            field="employee_license_number",
        )
    if command.role not in ROLES:
        raise RuleViolation(f"{{field}} must be one of {', '.join(ROLES)}.", field="role")
    hired = not_future(facility, command.hire_date, "hire_date")
    user = User(full_name=name, employee_license_number=number, key_prefix=None, key_hash=None)
    record_new(session, actor, user, None)
    return employ(
        session,
        actor,
        user,
        facility,
        [],
        is_owner=command.role == "owner",
        is_manager=command.role == "manager",
        today=hired,
    )
