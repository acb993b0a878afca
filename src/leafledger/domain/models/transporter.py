"""Transporters: the drivers and vehicles a facility keeps on record for its transfers.

Each is archived, never deleted. A driver's licence number (a driver) and a licence plate (a
vehicle) are unique among the facility's active rows of the kind; archived ones may repeat.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from leafledger.domain.models.base import Base, Timestamped


def _indexes(table: str, key: str) -> tuple[Index, Index]:
    """The active rows' unique key, and the index a facility's list of active rows reads."""
    return (
        Index(
            f"uq_{table}_facility_active_{key}",
            "facility_id",
            key,
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
        Index(f"ix_{table}_facility_active", "facility_id", "active", "id"),
    )


class _Transporter(Timestamped):
    """What drivers and vehicles both are: a facility's row, active until archived."""

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    active: Mapped[bool] = mapped_column(default=True)


class Driver(_Transporter, Base):
    __tablename__ = "drivers"
    __table_args__ = _indexes("drivers", "drivers_license_number")

    name: Mapped[str] = mapped_column(String(200))
    # The driver's employee id at their employer, as the operator writes it.
    employee_id: Mapped[str] = mapped_column(String(100))
    drivers_license_number: Mapped[str] = mapped_column(String(64))


class Vehicle(_Transporter, Base):
    __tablename__ = "vehicles"
    __table_args__ = _indexes("vehicles", "license_plate_number")

    make: Mapped[str] = mapped_column(String(200))
    model: Mapped[str] = mapped_column(String(200))
    license_plate_number: Mapped[str] = mapped_column(String(64))
