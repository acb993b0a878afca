"""Items and their brands, as both dialects read them (and as packages nest them).

An item reads through `ItemRow`: the item's columns with its strain's and brand's names and
whether any package holds it, in one joined statement, so a page of items (or the items of a
page of packages, `item_rows`) is one SELECT.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Mapped, Session

from leafledger.domain.models import Facility, Item, ItemBrand, Package, Strain
from leafledger.domain.queries.base import Listed, ReadModel, active_or_archived

_ITEM_ROWS = (
    select(
        Item.id,
        Item.facility_id,
        Item.name,
        Item.category_name,
        Item.quantity_type,
        Item.unit_of_measure_name,
        Item.strain_id,
        Strain.name.label("strain_name"),
        Item.brand_id,
        ItemBrand.name.label("brand_name"),
        Item.details,
        Item.active,
        Item.created_at,
        Item.last_modified,
        exists().where(Package.item_id == Item.id).label("is_used"),
    )
    .select_from(Item)
    .outerjoin(Strain, Strain.id == Item.strain_id)
    .outerjoin(ItemBrand, ItemBrand.id == Item.brand_id)
    .subquery("item_rows")
)


class ItemRow(ReadModel):
    __table__ = _ITEM_ROWS

    id: Mapped[int]
    facility_id: Mapped[int]
    name: Mapped[str]
    category_name: Mapped[str]
    quantity_type: Mapped[str]
    unit_of_measure_name: Mapped[str]
    strain_id: Mapped[int | None]
    strain_name: Mapped[str | None]
    brand_id: Mapped[int | None]
    brand_name: Mapped[str | None]
    details: Mapped[dict[str, Any]]
    active: Mapped[bool]
    created_at: Mapped[datetime]
    last_modified: Mapped[datetime]
    is_used: Mapped[bool]


def items(facility: Facility, *, active: bool) -> Listed:
    """The facility's active (or archived) items, oldest first."""
    return active_or_archived(ItemRow, facility, active=active)


def item_rows(session: Session, ids: Collection[int]) -> dict[int, ItemRow]:
    """The items with these ids, by id, in one statement (the items of a page of packages)."""
    if not ids:
        return {}
    found = session.scalars(select(ItemRow).where(ItemRow.id.in_(sorted(set(ids)))))
    return {row.id: row for row in found}


def brands(facility: Facility) -> Listed:
    """The facility's active brands, oldest first."""
    return active_or_archived(ItemBrand, facility, active=True)
