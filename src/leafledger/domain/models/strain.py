"""Strains: the genetics plants, batches and items refer to."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from leafledger.domain.models.base import Base, Timestamped
from leafledger.domain.models.location import _active_name_index


class Strain(Timestamped, Base):
    __tablename__ = "strains"
    __table_args__ = (_active_name_index("strains"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    testing_status: Mapped[str] = mapped_column(String(32), default="None")
    thc_level: Mapped[Decimal | None]
    cbd_level: Mapped[Decimal | None]
    indica_percentage: Mapped[Decimal | None]
    sativa_percentage: Mapped[Decimal | None]
    genetics: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
