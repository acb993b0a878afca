"""Items (products), their brands, and the photos and files attached to them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from leafledger.domain.models.base import Base, JsonColumn, Timestamped
from leafledger.domain.models.location import _active_name_index


class ItemBrand(Timestamped, Base):
    __tablename__ = "item_brands"
    __table_args__ = (_active_name_index("item_brands"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)


class Item(Timestamped, Base):
    __tablename__ = "items"
    __table_args__ = (_active_name_index("items"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    category_name: Mapped[str] = mapped_column(String(100))
    # WeightBased, CountBased or VolumeBased: decided by the category.
    quantity_type: Mapped[str] = mapped_column(String(16))
    unit_of_measure_name: Mapped[str] = mapped_column(String(32))
    strain_id: Mapped[int | None] = mapped_column(ForeignKey("strains.id"))
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("item_brands.id"))
    # The category-dependent product details (UnitThcPercent, UnitWeight, ServingSize, ...),
    # snake_case keys, decimals as strings.
    details: Mapped[dict[str, Any]] = mapped_column(JsonColumn, default=dict)
    active: Mapped[bool] = mapped_column(default=True)


class ItemAttachment(Timestamped, Base):
    """A product photo, label photo, packaging photo or document, kept in the database."""

    __tablename__ = "item_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "photo" or "file"
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary)
