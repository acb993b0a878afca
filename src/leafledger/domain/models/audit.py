"""The append-only audit log: one row per state change, never updated or deleted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from leafledger.domain.models.base import Base, JsonColumn, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        # Facility leads, so per-facility history and LastModified scans stay local.
        Index("ix_audit_events_facility_entity", "facility_id", "entity_type", "entity_id"),
        Index("ix_audit_events_facility_time", "facility_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    integrator_id: Mapped[int | None] = mapped_column(ForeignKey("integrators.id"))
    # "cli" for administrative changes, "metrc" / "trace" for API calls.
    channel: Mapped[str] = mapped_column(String(16))
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JsonColumn)
    after: Mapped[dict[str, Any] | None] = mapped_column(JsonColumn)
