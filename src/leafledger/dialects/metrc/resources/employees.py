"""GET /employees/v1, /employees/v2 and /employees/v2/permissions.

The employees of a facility are the users employed there (domain/queries/employees.py). v2
pages the list in the usual envelope; v1 answers a bare array. The permissions endpoint names
the permissions one employee holds at the facility, in lower case as Metrc writes them.
"""

from __future__ import annotations

from typing import Any

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.errors import bad_request
from leafledger.dialects.kit.factories import at_facility, listing
from leafledger.domain import queries
from leafledger.domain.queries.employees import EmployeeRow
from leafledger.domain.services.employees import permissions_of


def render(employee: EmployeeRow) -> dict[str, Any]:
    end = employee.license_end_date
    return {
        "FullName": employee.full_name,
        "License": {
            "Number": employee.employee_license_number,
            "EmployeeLicenseNumber": employee.employee_license_number,
            "StartDate": employee.license_start_date.isoformat(),
            "EndDate": None if end is None else end.isoformat(),
            "LicenseType": employee.license_type,
        },
        "IsIndustryAdmin": employee.is_industry_admin,
        "IsOwner": employee.is_owner,
        "IsManager": employee.is_manager,
    }


list_employees = listing(at_facility(queries.employees.employees), render)


def permissions(call: Call) -> list[str]:
    """The permissions of the employee the `employeeLicenseNumber` query parameter names."""
    number = (call.query.get("employeeLicenseNumber") or "").strip()
    if not number:
        raise bad_request("employeeLicenseNumber is required.")
    return sorted({name.lower() for name in permissions_of(call.session, call.facility, number)})
