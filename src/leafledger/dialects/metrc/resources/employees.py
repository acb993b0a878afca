"""GET /employees/v1, /employees/v2 and /employees/v2/permissions.

The employees of a facility are the users employed there. v2 pages the list in the usual
envelope; v1 answers a bare array. The permissions endpoint names the permissions one employee
holds at the facility, in lower case as Metrc writes them.
"""

from __future__ import annotations

from typing import Any

from leafledger.dialects.kit.call import Call
from leafledger.dialects.metrc.results import Listing, legacy_listing
from leafledger.domain.models import Employee
from leafledger.domain.services.employees import employees_at, permissions_of


def render(employee: Employee) -> dict[str, Any]:
    user = employee.user
    end = employee.license_end_date
    return {
        "FullName": user.full_name,
        "License": {
            "Number": user.employee_license_number,
            "EmployeeLicenseNumber": user.employee_license_number,
            "StartDate": employee.license_start_date.isoformat(),
            "EndDate": None if end is None else end.isoformat(),
            "LicenseType": employee.license_type,
        },
        "IsIndustryAdmin": employee.is_industry_admin,
        "IsOwner": employee.is_owner,
        "IsManager": employee.is_manager,
    }


def list_employees(call: Call) -> Listing:
    return legacy_listing(employees_at(call.facility), render)


def permissions(call: Call) -> list[str]:
    held = permissions_of(
        call.session, call.facility, call.query.get("employeeLicenseNumber") or ""
    )
    return sorted({name.lower() for name in held})
