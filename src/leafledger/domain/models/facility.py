"""A licensed facility: the unit every other ledger row is scoped to."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from leafledger.domain.models.base import Base, JsonColumn, Timestamped


class Facility(Timestamped, Base):
    __tablename__ = "facilities"

    id: Mapped[int] = mapped_column(primary_key=True)
    license_number: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    alias: Mapped[str | None] = mapped_column(String(200))
    state_code: Mapped[str] = mapped_column(String(2))
    # One of the presets in domain/facility_types.py (Cultivator, Dispensary, ...).
    license_type: Mapped[str] = mapped_column(String(64))
    timezone: Mapped[str] = mapped_column(String(64))
    credentialed_date: Mapped[date]
    license_start_date: Mapped[date]
    license_end_date: Mapped[date | None]
    # Capability flags (CanGrowPlants, CanSellToConsumers, ...): decide what the facility may do.
    capabilities: Mapped[dict[str, Any]] = mapped_column(JsonColumn)

    def can(self, capability: str) -> bool:
        return bool(self.capabilities.get(capability, False))
