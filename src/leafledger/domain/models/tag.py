"""Tags: the labels issued to a facility, used once by a plant or a package."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from leafledger.domain.models.base import Base, Timestamped


class Tag(Timestamped, Base):
    __tablename__ = "tags"
    __table_args__ = (Index("ix_tags_facility_kind_status", "facility_id", "kind", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    label: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # "Plant" or "Package"
    tag_type_name: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="Available")  # Available/Used/Retired
    used_at: Mapped[datetime | None]
    retired_at: Mapped[datetime | None]
