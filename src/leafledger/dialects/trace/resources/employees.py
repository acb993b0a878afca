"""Trace employees: the people employed at the licence's facility, as the Metrc dialect lists
them (`GET /employees/v2/`).

An employee's `id` is their employment's id at this facility; `name` is the ledger's full name
(split at its last space); `occupational_licenses[0].number` is their employee licence number,
unique across the installation. Their `type` (`/config/employees/types`, ids
`<STATE>EMPT<nnnn>`) is their role there: employee, manager or owner (Metrc's IsManager and
IsOwner). `email_address`, `phone_number`, `birthday` and `credentials` are not kept (a
warning says so).

`POST` hires a person at the licence's facility (`facilities`, when given, must name only it):
they get no key and no permission; the operator gives those (`leafledger user grant`), so
`permission_groups` must be left empty. The ledger does not end employments: an
`entity_state` of inactive or deleted lists no one.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, AliasPath, BeforeValidator, Field, ValidationInfo
from sqlalchemy import false

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.factories import at_facility
from leafledger.dialects.kit.loaders import ById
from leafledger.dialects.trace.bodies import TraceBody
from leafledger.dialects.trace.codes import CodeList, entries
from leafledger.dialects.trace.factories import Kind, Viewed, by_entity_state, listing, show, write
from leafledger.dialects.trace.history import trace_date
from leafledger.dialects.trace.shapes import licence_of
from leafledger.dialects.trace.wire import TraceDate
from leafledger.domain import queries
from leafledger.domain.models import Employee
from leafledger.domain.queries.base import Listed
from leafledger.domain.queries.employees import EmployeeRow
from leafledger.domain.queries.history import ALWAYS_ACTIVE
from leafledger.domain.services import employees as service

TYPES = CodeList("employee type", "EMPT", entries(*service.ROLES))
KIND = Kind(Employee.__tablename__, "employee", ALWAYS_ACTIVE, read_model=EmployeeRow)
EMPLOYEE = ById(EmployeeRow, "employee")

# --- bodies


def _full_name(value: Any) -> Any:
    """Trace's `{"first_name", "last_name"}` as the ledger's one full name."""
    if isinstance(value, dict):
        parts = (value.get("first_name"), value.get("last_name"))
        return " ".join(str(part).strip() for part in parts if part and str(part).strip())
    return value


def _only_here(value: list[Any] | None, info: ValidationInfo) -> list[Any] | None:
    facility = (info.context or {}).get("facility")
    for entry in value or []:
        named = entry.get("id") if isinstance(entry, dict) else entry
        if facility is not None and str(named).strip() != str(facility.id):
            raise ValueError(
                f"an employee is hired at the facility of the request's licence (id "
                f"{facility.id}); hire them elsewhere through that facility's licence"
            )
    return value


def _no_permission_groups(value: list[Any] | None) -> list[Any] | None:
    if value:
        raise ValueError(
            "permissions are granted by the operator (leafledger user grant); send none"
        )
    return value


class NewEmployeeBody(TraceBody):
    command = service.NewEmployee
    not_kept = ("email_address", "phone_number", "birthday", "credentials")
    full_name: Annotated[str, BeforeValidator(_full_name)] = Field(validation_alias="name")
    employee_license_number: str = Field(
        validation_alias=AliasPath("occupational_licenses", 0, "number")
    )
    role: Annotated[str, TYPES] = Field("employee", alias="type")
    hire_date: TraceDate | None = None
    facilities: Annotated[list[Any] | None, AfterValidator(_only_here)] = None
    permission_groups: Annotated[list[Any] | None, AfterValidator(_no_permission_groups)] = None


# --- rendering


def _role(employee: EmployeeRow) -> str:
    return "owner" if employee.is_owner else "manager" if employee.is_manager else "employee"


def _name(full_name: str) -> dict[str, str]:
    first, _, last = full_name.strip().rpartition(" ")
    return {"first_name": first or last, "last_name": last if first else ""}


def render(viewed: Viewed) -> dict[str, Any]:
    employee: EmployeeRow = viewed.record
    facility = viewed.facility
    return {
        "license": licence_of(facility),
        "id": str(employee.id),
        "name": _name(employee.full_name),
        "email_address": None,
        "phone_number": None,
        "type": TYPES.ref(viewed.state, _role(employee)),
        "company": {"id": str(facility.id), "name": facility.name},
        "facilities": [
            {"id": str(facility.id), "name": facility.name, "license": licence_of(facility)}
        ],
        "occupational_licenses": [
            {
                "type": employee.license_type,
                "number": employee.employee_license_number,
                "issuing_state": viewed.state,
            }
        ],
        "credentials": [],
        "permission_groups": [],
        "birthday": None,
        "hire_date": trace_date(employee.hire_date),
        "termination_date": trace_date(employee.license_end_date),
        "entity_state": viewed.entity_state,
    }


# --- handlers


def _no_one(call: Call) -> Listed:
    """Employments the ledger has ended: none (it does not end them)."""
    return queries.employees.employees(call.facility).where(false())


_listed = by_entity_state(
    {
        "active": at_facility(queries.employees.employees),
        "inactive": _no_one,
        "deleted": _no_one,
    }
)

list_employees = listing(_listed, render, KIND)
get_employee = show(render, KIND)
create_employee = write(service.hire_employee, render, KIND)
