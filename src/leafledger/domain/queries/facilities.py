"""The facilities a user works at, as the dialects list them."""

from __future__ import annotations

from sqlalchemy import select

from leafledger.domain.models import Employee, Facility
from leafledger.domain.queries.base import Listed


def employments(user_id: int | None) -> Listed:
    """The user's employments, one per facility they may act for, by licence number; each
    arrives with its facility and user (the relationships are joined), in one statement."""
    source = (
        select(Employee)
        .join(Facility, Employee.facility_id == Facility.id)
        .where(Employee.user_id == user_id)
        .order_by(Facility.license_number)
    )
    return Listed(source, modified=Employee.last_modified)
