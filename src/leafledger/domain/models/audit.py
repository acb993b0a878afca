"""The append-only audit log: one row per state change, never updated or deleted.

Each event is a link of a hash chain, one chain per facility (chain 0 holds the events that
belong to no facility), split into lanes so that concurrent writers of one facility need not
wait for each other: `seq` numbers a lane's events from 1, `prev_hash` is the previous
event's `hash` in that lane, and `hash` covers the event's content and `prev_hash`
(domain/services/audit_chain.py). `audit_chains` keeps each lane's head, so that a removed
last event shows too. A change made to the log outside leafledger breaks a link, which
`leafledger audit verify` finds.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from leafledger.domain.models.base import Base, JsonColumn, utcnow

HASH_LENGTH = 64  # hex SHA-256


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        # Facility leads, so per-facility history and LastModified scans stay local.
        Index("ix_audit_events_facility_entity", "facility_id", "entity_type", "entity_id"),
        Index("ix_audit_events_facility_time", "facility_id", "occurred_at"),
        Index("ix_audit_events_chain_lane_seq", "chain", "lane", "seq", unique=True),
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
    chain: Mapped[int]
    lane: Mapped[int] = mapped_column(default=0, server_default="0")
    seq: Mapped[int]
    prev_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    hash: Mapped[str] = mapped_column(String(HASH_LENGTH))


class AuditChain(Base):
    """The head of one lane of a chain: its last event's number and hash."""

    __tablename__ = "audit_chains"

    chain: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    lane: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, server_default="0")
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
