"""What a page of plants or harvests may be shown with: additives, cuts, waste and packages.

Trace lists expand plants (`expand=additives|manicure|harvest|waste|lots`) and harvests
(`expand=waste|lots`) with records their rows cannot join. Each function reads one kind of
companion for a whole page in one statement, and answers it by the page's ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from leafledger.domain.models import (
    Harvest,
    HarvestPlant,
    HarvestWaste,
    Item,
    Package,
    PackageSource,
    PlantAdditive,
    PlantWaste,
)


@dataclass(frozen=True)
class Cut:
    """One plant's contribution to a harvest (whole, or a manicure)."""

    harvest_id: int
    harvest_name: str
    harvest_type: str
    wet_weight: Decimal
    unit_of_weight_name: str
    harvested_date: date


@dataclass(frozen=True)
class Drawn:
    """A package made from a plant or a harvest, and what it drew from it."""

    package_id: int
    label: str
    item_name: str
    quantity: Decimal
    unit_of_measure_name: str
    drawn: Decimal
    drawn_unit_name: str
    packaged_date: date


def _rows_by(
    session: Session, column: Any, ids: Sequence[int], *conditions: Any
) -> dict[int, list[Any]]:
    """The rows of `column`'s model whose `column` is one of `ids`, grouped by it, oldest
    first (one statement)."""
    found: dict[int, list[Any]] = {wanted: [] for wanted in ids}
    if ids:
        model = column.class_
        rows = session.scalars(
            select(model).where(column.in_(sorted(set(ids))), *conditions).order_by(model.id)
        )
        for row in rows:
            found[getattr(row, column.key)].append(row)
    return found


def plant_additives(session: Session, plant_ids: Sequence[int]) -> dict[int, list[PlantAdditive]]:
    """The additives applied to each plant."""
    return _rows_by(session, PlantAdditive.plant_id, plant_ids)


def batch_additives(session: Session, batch_ids: Sequence[int]) -> dict[int, list[PlantAdditive]]:
    """The additives applied to the untracked plants of each batch."""
    return _rows_by(
        session, PlantAdditive.plant_batch_id, batch_ids, PlantAdditive.plant_id.is_(None)
    )


def batch_waste(session: Session, batch_ids: Sequence[int]) -> dict[int, list[PlantWaste]]:
    """The waste records of each batch (its destructions and clippings)."""
    return _rows_by(session, PlantWaste.plant_batch_id, batch_ids)


def plant_cuts(session: Session, plant_ids: Sequence[int]) -> dict[int, list[Cut]]:
    """The harvests each plant was cut into (restored cuts left out), oldest first."""
    found: dict[int, list[Cut]] = {plant_id: [] for plant_id in plant_ids}
    if plant_ids:
        rows = session.execute(
            select(
                HarvestPlant.plant_id,
                Harvest.id,
                Harvest.name,
                Harvest.harvest_type,
                HarvestPlant.wet_weight,
                Harvest.unit_of_weight_name,
                HarvestPlant.harvested_date,
            )
            .join(Harvest, Harvest.id == HarvestPlant.harvest_id)
            .where(
                HarvestPlant.plant_id.in_(sorted(set(plant_ids))),
                HarvestPlant.restored.is_(False),
            )
            .order_by(HarvestPlant.id)
        )
        for plant_id, harvest_id, name, kind, weight, unit, harvested in rows:
            found[plant_id].append(Cut(harvest_id, name, kind, weight, unit, harvested))
    return found


def plant_waste(
    session: Session, facility_id: int, labels: Sequence[str]
) -> dict[str, list[PlantWaste]]:
    """The waste records naming each plant tag (records of several plants name each)."""
    found: dict[str, list[PlantWaste]] = {label: [] for label in labels}
    if labels:
        rows = session.scalars(
            select(PlantWaste)
            .where(
                PlantWaste.facility_id == facility_id,
                or_(*(PlantWaste.plant_labels.contains(label) for label in sorted(set(labels)))),
            )
            .order_by(PlantWaste.id)
        )
        for row in rows:
            for label in (row.plant_labels or "").split(","):
                if label in found:
                    found[label].append(row)
    return found


_DRAWN = (
    Package.id,
    Package.label,
    Item.name,
    Package.original_quantity,
    Package.unit_of_measure_name,
    PackageSource.quantity,
    PackageSource.unit_of_measure_name,
    Package.packaged_date,
)


def _packages_drawn(session: Session, source: str, ids: Sequence[int]) -> dict[int, list[Drawn]]:
    found: dict[int, list[Drawn]] = {wanted: [] for wanted in ids}
    if ids:
        column = getattr(PackageSource, source)
        rows = session.execute(
            select(column, *_DRAWN)
            .join(Package, Package.id == PackageSource.package_id)
            .join(Item, Item.id == Package.item_id)
            .where(column.in_(sorted(set(ids))))
            .order_by(PackageSource.id)
        )
        for source_id, *drawn in rows:
            found[source_id].append(Drawn(*drawn))
    return found


def plant_packages(session: Session, plant_ids: Sequence[int]) -> dict[int, list[Drawn]]:
    """The packages made from each plant (clones of a mother plant, say)."""
    return _packages_drawn(session, "source_plant_id", plant_ids)


def harvest_packages(session: Session, harvest_ids: Sequence[int]) -> dict[int, list[Drawn]]:
    """The packages drawn from each harvest, with the weight each drew."""
    return _packages_drawn(session, "source_harvest_id", harvest_ids)


def harvest_waste(session: Session, harvest_ids: Sequence[int]) -> dict[int, list[HarvestWaste]]:
    """The waste records in force of each harvest, oldest first."""
    return _rows_by(session, HarvestWaste.harvest_id, harvest_ids, HarvestWaste.active.is_(True))
