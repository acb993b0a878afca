"""Packages as the Trace dialect reads them (Trace lots), and the lists its `entity_state`
parameter selects beyond the package lists of `packages.py`.

A lot reads through `LotRecord`: its package row, its item and what it was drawn from directly
(each source and the quantity it gave, `Drawn`); its history is read with the page's, as every
Trace object's is (`history.standing_histories` with `history.PACKAGES`). The items and the
sources of a page are one statement each, whatever its size.

The extra lists: discontinued packages, the packages no longer in the facility's stock
(finished, discontinued, or shipped to a recipient who accepted them), the packages in one lab
testing state, the packages something was drawn from (another package or a planting), and the
packages whose shipment ended one way (accepted, rejected, returned).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session, aliased

from leafledger.domain.models import (
    Facility,
    Harvest,
    Item,
    Package,
    PackageShipment,
    PackageSource,
    Plant,
    PlantBatch,
)
from leafledger.domain.queries.base import Listed, owned
from leafledger.domain.queries.items import ItemRow, item_rows
from leafledger.domain.queries.packages import PackageRow

# What a package was drawn from, as `Drawn.kind` names it.
FROM_PACKAGE, FROM_HARVEST, FROM_PLANT_BATCH, FROM_PLANT = "package", "harvest", "batch", "plant"


@dataclass(frozen=True)
class Drawn:
    """One direct source of a package and what it gave, in the source's unit (plants: a
    count). `name` is the source's label (packages, plants) or name (harvests, batches);
    `category` is a source package's item category."""

    kind: str
    source_id: int
    name: str | None
    quantity: Decimal
    unit_of_measure_name: str
    category: str | None = None


@dataclass(frozen=True)
class LotRecord:
    package: PackageRow
    item: ItemRow | None
    drawn: tuple[Drawn, ...]

    @property
    def id(self) -> int:
        return self.package.id


_SOURCE = aliased(Package, name="source_lot")
_SOURCE_ITEM = aliased(Item, name="source_item")


def drawn_from(session: Session, package_ids: list[int]) -> dict[int, tuple[Drawn, ...]]:
    """The direct sources of each package, in the order drawn, in one statement. An opening
    balance has none."""
    found: dict[int, list[Drawn]] = {package_id: [] for package_id in package_ids}
    if not package_ids:
        return {}
    rows = session.execute(
        select(
            PackageSource.package_id,
            PackageSource.quantity,
            PackageSource.unit_of_measure_name,
            PackageSource.source_package_id,
            _SOURCE.label,
            _SOURCE_ITEM.category_name,
            PackageSource.source_harvest_id,
            Harvest.name,
            PackageSource.source_plant_id,
            Plant.label,
            PackageSource.source_plant_batch_id,
            PlantBatch.name,
        )
        .outerjoin(_SOURCE, _SOURCE.id == PackageSource.source_package_id)
        .outerjoin(_SOURCE_ITEM, _SOURCE_ITEM.id == _SOURCE.item_id)
        .outerjoin(Harvest, Harvest.id == PackageSource.source_harvest_id)
        .outerjoin(Plant, Plant.id == PackageSource.source_plant_id)
        .outerjoin(PlantBatch, PlantBatch.id == PackageSource.source_plant_batch_id)
        .where(PackageSource.package_id.in_(sorted(set(package_ids))))
        .order_by(PackageSource.package_id, PackageSource.id)
    )
    for (
        package_id,
        quantity,
        unit,
        package_source,
        label,
        category,
        harvest_id,
        harvest_name,
        plant_id,
        plant_label,
        batch_id,
        batch_name,
    ) in rows:
        # A clone package names its mother plant and the batch it was taken through: the
        # plant is the source.
        if package_source is not None:
            drawn = Drawn(FROM_PACKAGE, package_source, label, quantity, unit, category)
        elif harvest_id is not None:
            drawn = Drawn(FROM_HARVEST, harvest_id, harvest_name, quantity, unit)
        elif plant_id is not None:
            drawn = Drawn(FROM_PLANT, plant_id, plant_label, quantity, unit)
        elif batch_id is not None:
            drawn = Drawn(FROM_PLANT_BATCH, batch_id, batch_name, quantity, unit)
        else:
            continue
        found[package_id].append(drawn)
    return {package_id: tuple(sources) for package_id, sources in found.items()}


def complete(session: Session, packages: list[PackageRow]) -> list[LotRecord]:
    """A page of packages as lots: items and sources, one statement each."""
    items = item_rows(session, {package.item_id for package in packages})
    drawn = drawn_from(session, [package.id for package in packages])
    return [
        LotRecord(package, items.get(package.item_id), drawn[package.id]) for package in packages
    ]


# --- lists -----------------------------------------------------------------------------------


def as_lots(listed: Listed) -> Listed:
    """A list of packages (`packages.py`) read as lots."""
    return replace(listed, complete=complete)


def _listed(facility: Facility, *conditions: ColumnElement[bool]) -> Listed:
    source = owned(PackageRow, facility).where(*conditions).order_by(PackageRow.id)
    return Listed(source, modified=PackageRow.last_modified, complete=complete)


def _shipped(state: str) -> ColumnElement[bool]:
    """The condition: the package went on a shipment that is (or ended) `state`."""
    return exists().where(
        PackageShipment.package_id == PackageRow.id, PackageShipment.state == state
    )


def _ended() -> ColumnElement[bool]:
    return or_(PackageRow.finished_date.is_not(None), PackageRow.archived_date.is_not(None))


def discontinued(facility: Facility) -> Listed:
    """The facility's discontinued packages (taken out of the ledger's lists as mistakes)."""
    return _listed(facility, PackageRow.archived_date.is_not(None))


def ended(facility: Facility) -> Listed:
    """The facility's packages that are finished or discontinued."""
    return _listed(facility, _ended())


def out_of_stock(facility: Facility) -> Listed:
    """The facility's packages it holds no more: finished, discontinued, or accepted by the
    recipient of a shipment."""
    return _listed(facility, or_(_ended(), _shipped("Accepted")))


def in_lab_testing_state(facility: Facility, state: str) -> Listed:
    """The facility's packages (but discontinued ones) in the lab testing state `state`."""
    return _listed(
        facility, PackageRow.archived_date.is_(None), PackageRow.lab_testing_state == state
    )


def drawn_on(facility: Facility) -> Listed:
    """The facility's packages something was made from: another package, or a planting."""
    into_package = exists().where(PackageSource.source_package_id == PackageRow.id)
    planted = exists().where(PlantBatch.source_package_id == PackageRow.id)
    return _listed(facility, or_(into_package, planted))


def shipment_ended(facility: Facility, state: str) -> Listed:
    """The facility's packages on a shipment that ended `state` (Accepted, Rejected,
    Returned)."""
    return _listed(facility, _shipped(state))
