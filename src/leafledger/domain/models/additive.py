"""Additive templates and the record of additives applied to plants."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from leafledger.domain.models.base import Base, JsonColumn, Timestamped
from leafledger.domain.models.location import _active_name_index


class AdditivesTemplate(Timestamped, Base):
    __tablename__ = "additives_templates"
    __table_args__ = (_active_name_index("additives_templates"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    additive_type: Mapped[str] = mapped_column(String(64))
    application_device: Mapped[str | None] = mapped_column(String(200))
    epa_registration_number: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(String(1000))
    product_supplier: Mapped[str | None] = mapped_column(String(200))
    product_trade_name: Mapped[str | None] = mapped_column(String(200))
    rei_quantity_description: Mapped[str | None] = mapped_column(String(100))
    rei_time_description: Mapped[str | None] = mapped_column(String(100))
    # [{"name": ..., "percentage": "1.1"}]
    active_ingredients: Mapped[list[dict[str, Any]]] = mapped_column(JsonColumn, default=list)
    active: Mapped[bool] = mapped_column(default=True)


class PlantAdditive(Timestamped, Base):
    """One application of an additive to one plant or to a plant batch (additive history)."""

    __tablename__ = "plant_additives"

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    # A tagged plant, or (for an application to immature plants) a plant batch.
    plant_id: Mapped[int | None] = mapped_column(ForeignKey("plants.id"), index=True)
    plant_batch_id: Mapped[int | None] = mapped_column(ForeignKey("plant_batches.id"), index=True)
    plant_count: Mapped[int] = mapped_column(default=1)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("additives_templates.id"))
    applied_date: Mapped[date]
    # What was applied: type, product, amount and unit, ingredients... as posted (snake_case).
    details: Mapped[dict[str, Any]] = mapped_column(JsonColumn, default=dict)
