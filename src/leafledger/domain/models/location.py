"""Where things are kept: locations (typed) and sublocations."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from leafledger.domain.models.base import Base, Timestamped


def _active_name_index(table: str) -> Index:
    """Names are unique among a facility's active rows; archived ones may repeat."""
    return Index(
        f"uq_{table}_facility_active_name",
        "facility_id",
        "name",
        unique=True,
        sqlite_where=text("active"),
        postgresql_where=text("active"),
    )


class Location(Timestamped, Base):
    __tablename__ = "locations"
    __table_args__ = (_active_name_index("locations"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    location_type_name: Mapped[str] = mapped_column(String(100))
    # What the location may hold, copied from its type when it is created or retyped.
    for_plant_batches: Mapped[bool]
    for_plants: Mapped[bool]
    for_harvests: Mapped[bool]
    for_packages: Mapped[bool]
    active: Mapped[bool] = mapped_column(default=True)


class Sublocation(Timestamped, Base):
    __tablename__ = "sublocations"
    __table_args__ = (_active_name_index("sublocations"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
