"""Packages, as both dialects read them.

A package reads through `PackageRow`: its columns with the names of its location (and that
location's type) and sublocation, joined in the list statement itself. What a package has many
of, or shares with others, is read by `complete` for a whole page at once: the items of the
page (`queries.items.item_rows`, one statement) and the page's genealogy, the names of the
harvests and the labels of the packages each was drawn from (one statement). A page of
packages costs the page and those two statements, whatever its size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Mapped, Session, aliased

from leafledger.domain.models import (
    Facility,
    Harvest,
    Location,
    Package,
    PackageSource,
    PlantWaste,
    Sublocation,
)
from leafledger.domain.queries.base import Listed, ReadModel, unarchived
from leafledger.domain.queries.items import ItemRow, item_rows

_PACKAGE_ROWS = (
    select(
        *Package.__table__.columns,
        Location.name.label("location_name"),
        Location.location_type_name,
        Sublocation.name.label("sublocation_name"),
    )
    .select_from(Package)
    .outerjoin(Location, Location.id == Package.location_id)
    .outerjoin(Sublocation, Sublocation.id == Package.sublocation_id)
    .subquery("package_rows")
)


class PackageRow(ReadModel):
    __table__ = _PACKAGE_ROWS

    id: Mapped[int]
    facility_id: Mapped[int]
    label: Mapped[str]
    item_id: Mapped[int]
    package_type: Mapped[str]
    quantity: Mapped[Decimal]
    original_quantity: Mapped[Decimal]
    unit_of_measure_name: Mapped[str]
    location_id: Mapped[int | None]
    sublocation_id: Mapped[int | None]
    patient_license_number: Mapped[str | None]
    note: Mapped[str | None]
    packaged_date: Mapped[date]
    expiration_date: Mapped[date | None]
    sell_by_date: Mapped[date | None]
    use_by_date: Mapped[date | None]
    is_production_batch: Mapped[bool]
    production_batch_number: Mapped[str | None]
    is_testing_sample: Mapped[bool]
    is_trade_sample: Mapped[bool]
    is_donation: Mapped[bool]
    product_requires_remediation: Mapped[bool]
    initial_lab_testing_state: Mapped[str]
    lab_testing_state: Mapped[str]
    lab_testing_state_date: Mapped[date | None]
    is_on_hold: Mapped[bool]
    finished_date: Mapped[date | None]
    archived_date: Mapped[date | None]
    last_modified: Mapped[datetime]
    location_name: Mapped[str | None]
    location_type_name: Mapped[str | None]
    sublocation_name: Mapped[str | None]


@dataclass(frozen=True)
class Genealogy:
    """What one package was drawn from, in the order first drawn (each named once)."""

    harvest_names: tuple[str, ...] = ()
    package_labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class PackageRecord:
    """A package as renderers take it: its row, its item and its sources."""

    package: PackageRow
    item: ItemRow | None
    sources: Genealogy


def packages(facility: Facility, *, finished: bool) -> Listed:
    """The facility's packages not finished (active), or finished (inactive)."""
    done = PackageRow.finished_date.is_not(None) if finished else PackageRow.finished_date.is_(None)
    return unarchived(PackageRow, facility, done, complete=complete)


def from_plant_waste(waste: PlantWaste) -> Listed:
    """The packages made from a plant waste record. The ledger makes none yet (no endpoint
    packages plant waste, and a package source names no waste record), so there are none."""
    return Listed(())


_SOURCE_PACKAGE = aliased(Package, name="source_package")


def genealogies(session: Session, package_ids: Sequence[int]) -> dict[int, Genealogy]:
    """The source harvest names and source package labels of each package, in one statement."""
    wanted = sorted(set(package_ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(
            PackageSource.package_id,
            PackageSource.source_harvest_id,
            Harvest.name,
            _SOURCE_PACKAGE.label,
        )
        .select_from(PackageSource)
        .outerjoin(Harvest, Harvest.id == PackageSource.source_harvest_id)
        .outerjoin(_SOURCE_PACKAGE, _SOURCE_PACKAGE.id == PackageSource.source_package_id)
        .where(PackageSource.package_id.in_(wanted))
        .order_by(PackageSource.id)
    )
    # Insertion-ordered dicts: the first draw from a source places it, later ones repeat it.
    harvests: dict[int, dict[int, str]] = {package_id: {} for package_id in wanted}
    labels: dict[int, dict[str, None]] = {package_id: {} for package_id in wanted}
    for package_id, harvest_id, harvest_name, package_label in rows:
        if harvest_id is not None and harvest_name is not None:
            harvests[package_id].setdefault(harvest_id, harvest_name)
        if package_label is not None:
            labels[package_id].setdefault(package_label, None)
    return {
        package_id: Genealogy(tuple(harvests[package_id].values()), tuple(labels[package_id]))
        for package_id in wanted
    }


def complete(session: Session, packages: list[PackageRow]) -> list[PackageRecord]:
    """A page of packages with their items and sources (two statements for the page)."""
    items = item_rows(session, {package.item_id for package in packages})
    sources = genealogies(session, [package.id for package in packages])
    return [
        PackageRecord(package, items.get(package.item_id), sources[package.id])
        for package in packages
    ]
