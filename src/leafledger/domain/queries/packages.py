"""Packages, as both dialects read them, and the lists of what happened to them.

A package reads through `PackageRow`: its columns with the names of its location (and that
location's type) and sublocation, joined in the list statement itself. What a package has many
of, or shares with others, is read by `complete` for a whole page at once: the items of the
page (`queries.items.item_rows`, one statement) and the page's genealogy (one statement). A page
of packages costs the page and those two statements, whatever its size.

The genealogy of a package is what it was drawn from: the labels of the packages it was made
from directly, the processing jobs it was made by, and the names of the harvests at the root
of its lineage, however many packages and jobs lie between (a recursive walk up the package
sources and through each job to the packages it took in, in the same one statement).

The lists of packages: active (not finished, and not in transit), inactive (finished), on
hold, lab samples (with the results recorded for each, one statement more), in transit; and the
lists of other records about packages: adjustments, shipments that left the facility
(transferred), the source harvests of one package. In transit and transferred read the package
shipments that transfers record (services/transfers.py): a package is in transit from its
transfer's departure to its receipt; transferred lists the shipments of the facility's licensed
transfers once received (an external incoming transfer's shipments are the receiver's, not
something it shipped).

Unwindowed, each list's Total is the facility's kept count of it (services/package_counts.py),
so a page costs the same at a thousand packages and at a million.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CTE, Integer, exists, func, literal_column, or_, select
from sqlalchemy.orm import Mapped, Session, aliased

from leafledger.domain.models import (
    Facility,
    Harvest,
    Item,
    Location,
    Package,
    PackageAdjustment,
    PackageShipment,
    PackageSource,
    PlantWaste,
    ProcessingJobInput,
    Strain,
    Sublocation,
    Transfer,
    TransferDelivery,
    User,
)
from leafledger.domain.models.transfer import EXTERNAL
from leafledger.domain.queries.base import Listed, ReadModel, of_facility, owned, unarchived
from leafledger.domain.queries.items import ItemRow, item_rows
from leafledger.domain.queries.lab_tests import SampleResult, sample_results
from leafledger.domain.services import package_counts
from leafledger.domain.services.package_counts import package_count

IN_TRANSIT = "Shipped"  # the state of a package shipment not yet received

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
    external_id: Mapped[str | None]
    is_finished_good: Mapped[bool]
    contains_remediated_product: Mapped[bool]
    remediation_date: Mapped[date | None]
    product_requires_decontamination: Mapped[bool]
    contains_decontaminated_product: Mapped[bool]
    decontamination_date: Mapped[date | None]
    in_transit: Mapped[bool]
    last_modified: Mapped[datetime]
    location_name: Mapped[str | None]
    location_type_name: Mapped[str | None]
    sublocation_name: Mapped[str | None]


@dataclass(frozen=True)
class Genealogy:
    """What one package was drawn from, each named once: the harvests at the root of its
    lineage (nearest first, then in the order drawn), the packages it was made from and the
    processing jobs that made it."""

    harvest_names: tuple[str, ...] = ()
    package_labels: tuple[str, ...] = ()
    processing_job_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class PackageRecord:
    """A package as renderers take it: its row, its item and its sources."""

    package: PackageRow
    item: ItemRow | None
    sources: Genealogy


def _counted(listed: Listed, facility: Facility, list_name: str) -> Listed:
    """`listed` with its Total read from the facility's kept count of the list
    (services/package_counts.py) rather than counted; a window (`Listed.within`) or a further
    condition counts its narrowed rows again."""
    return replace(listed, total=package_count(facility.id, list_name))


def packages(facility: Facility, *, finished: bool) -> Listed:
    """The facility's packages not finished (active: and not in transit), or finished
    (inactive)."""
    if finished:
        done = PackageRow.finished_date.is_not(None)
        listed = unarchived(PackageRow, facility, done, complete=complete)
        return _counted(listed, facility, package_counts.INACTIVE)
    here = (PackageRow.finished_date.is_(None), PackageRow.in_transit.is_(False))
    listed = unarchived(PackageRow, facility, *here, complete=complete)
    return _counted(listed, facility, package_counts.ACTIVE)


def on_hold(facility: Facility) -> Listed:
    """The facility's packages on hold, finished or not."""
    held = PackageRow.is_on_hold.is_(True)
    listed = unarchived(PackageRow, facility, held, complete=complete)
    return _counted(listed, facility, package_counts.ON_HOLD)


@dataclass(frozen=True)
class LabSampleRecord:
    """A lab sample as renderers take it: the package, and the results recorded for it."""

    sample: PackageRecord
    result: SampleResult | None


def complete_samples(session: Session, samples: list[PackageRow]) -> list[LabSampleRecord]:
    """A page of lab samples with their items, sources and results (three statements)."""
    results = sample_results(session, [sample.id for sample in samples])
    return [
        LabSampleRecord(record, results.get(record.package.id))
        for record in complete(session, samples)
    ]


def lab_samples(facility: Facility) -> Listed:
    """The facility's lab samples (packages made for testing), finished or not."""
    sample = PackageRow.is_testing_sample.is_(True)
    listed = unarchived(PackageRow, facility, sample, complete=complete_samples)
    return _counted(listed, facility, package_counts.LAB_SAMPLES)


def in_transit(facility: Facility) -> Listed:
    """The facility's packages out on a shipment that departed and is not yet received."""
    shipped = exists().where(
        PackageShipment.package_id == PackageRow.id,
        of_facility(PackageShipment, facility),
        PackageShipment.state == IN_TRANSIT,
        PackageShipment.departed_at.is_not(None),
    )
    listed = unarchived(PackageRow, facility, shipped, complete=complete)
    return _counted(listed, facility, package_counts.IN_TRANSIT)


def from_plant_waste(waste: PlantWaste) -> Listed:
    """The packages made from a plant waste record. The ledger makes none yet (no endpoint
    packages plant waste, and a package source names no waste record), so there are none."""
    return Listed(())


_SOURCE_PACKAGE = aliased(Package, name="source_package")
_STEP = aliased(PackageSource, name="step")
_HOP = aliased(ProcessingJobInput, name="hop")


def lineage(package_ids: Sequence[int]) -> CTE:
    """Every source of the packages `package_ids`, up to the harvests at the roots: rows of
    (root, depth, ord, source_package_id, source_harvest_id, source_processing_job_id), depth 0
    for direct sources. A processing job leads on to the packages it took in, one level up.
    Sources are always older than what was made of them, and a job never takes in a package
    made from it (services/processing.py), so the walk ends."""
    direct = (
        select(
            PackageSource.package_id.label("root"),
            literal_column("0", Integer).label("depth"),
            PackageSource.id.label("ord"),
            PackageSource.source_package_id,
            PackageSource.source_harvest_id,
            PackageSource.source_processing_job_id,
        )
        .where(PackageSource.package_id.in_(package_ids))
        .cte("lineage", recursive=True)
    )
    # One step up from each row: the sources of its package, or the inputs of its job.
    further = (
        select(
            direct.c.root,
            (direct.c.depth + 1).label("depth"),
            func.coalesce(_STEP.id, _HOP.id),
            func.coalesce(_STEP.source_package_id, _HOP.package_id),
            _STEP.source_harvest_id,
            _STEP.source_processing_job_id,
        )
        .select_from(direct)
        .outerjoin(_STEP, _STEP.package_id == direct.c.source_package_id)
        .outerjoin(_HOP, _HOP.job_id == direct.c.source_processing_job_id)
        .where(or_(_STEP.id.is_not(None), _HOP.id.is_not(None)))
    )
    return direct.union_all(further)


def genealogies(session: Session, package_ids: Sequence[int]) -> dict[int, Genealogy]:
    """The root harvest names, direct source package labels and processing jobs of each
    package, in one statement."""
    wanted = sorted(set(package_ids))
    if not wanted:
        return {}
    sources = lineage(wanted)
    rows = session.execute(
        select(
            sources.c.root,
            sources.c.source_harvest_id,
            Harvest.name,
            _SOURCE_PACKAGE.label,
            (sources.c.depth == 0).label("direct"),
            sources.c.source_processing_job_id,
        )
        .select_from(sources)
        .outerjoin(Harvest, Harvest.id == sources.c.source_harvest_id)
        .outerjoin(
            _SOURCE_PACKAGE,
            (_SOURCE_PACKAGE.id == sources.c.source_package_id) & (sources.c.depth == 0),
        )
        .order_by(sources.c.root, sources.c.depth, sources.c.ord)
    )
    # Insertion-ordered dicts: the first draw from a source places it, later ones repeat it.
    harvests: dict[int, dict[int, str]] = {package_id: {} for package_id in wanted}
    labels: dict[int, dict[str, None]] = {package_id: {} for package_id in wanted}
    jobs: dict[int, dict[int, None]] = {package_id: {} for package_id in wanted}
    for package_id, harvest_id, harvest_name, package_label, direct, job_id in rows:
        if harvest_id is not None and harvest_name is not None:
            harvests[package_id].setdefault(harvest_id, harvest_name)
        if package_label is not None:
            labels[package_id].setdefault(package_label, None)
        if direct and job_id is not None:
            jobs[package_id].setdefault(job_id, None)
    return {
        package_id: Genealogy(
            tuple(harvests[package_id].values()),
            tuple(labels[package_id]),
            tuple(jobs[package_id]),
        )
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


# --- the source harvests of one package ------------------------------------------------------

_SOURCE_HARVESTS = (
    select(
        Harvest.id,
        Harvest.name,
        Harvest.harvest_start_date,
        Harvest.last_modified,
        Facility.license_number.label("facility_license_number"),
        Facility.name.label("facility_name"),
    )
    .join(Facility, Facility.id == Harvest.facility_id)
    .subquery("source_harvests")
)


class SourceHarvestRow(ReadModel):
    """A harvest a package comes from, with the facility that harvested it."""

    __table__ = _SOURCE_HARVESTS

    id: Mapped[int]
    name: Mapped[str]
    harvest_start_date: Mapped[date]
    last_modified: Mapped[datetime]
    facility_license_number: Mapped[str]
    facility_name: Mapped[str]


def source_harvests(package: Package) -> Listed:
    """The harvests at the roots of a package's lineage, oldest first."""
    roots = lineage([package.id])
    source = (
        select(SourceHarvestRow)
        .where(SourceHarvestRow.id.in_(select(roots.c.source_harvest_id)))
        .order_by(SourceHarvestRow.id)
    )
    return Listed(source, modified=SourceHarvestRow.last_modified)


# --- adjustments -----------------------------------------------------------------------------

_ADJUSTMENT_ROWS = (
    select(
        *PackageAdjustment.__table__.columns,
        Package.label.label("package_label"),
        Package.packaged_date,
        Item.name.label("item_name"),
        Item.category_name.label("item_category_name"),
        User.full_name.label("user_name"),
    )
    .select_from(PackageAdjustment)
    .join(Package, Package.id == PackageAdjustment.package_id)
    .join(Item, Item.id == Package.item_id)
    .outerjoin(User, User.id == PackageAdjustment.user_id)
    .subquery("adjustment_rows")
)


class AdjustmentRow(ReadModel):
    """An adjustment with its package's label and packaged date, its item, and who made it."""

    __table__ = _ADJUSTMENT_ROWS

    id: Mapped[int]
    facility_id: Mapped[int]
    package_id: Mapped[int]
    quantity: Mapped[Decimal]
    unit_of_measure_name: Mapped[str]
    reason_name: Mapped[str]
    note: Mapped[str | None]
    adjustment_date: Mapped[date]
    last_modified: Mapped[datetime]
    package_label: Mapped[str]
    packaged_date: Mapped[date]
    item_name: Mapped[str]
    item_category_name: Mapped[str]
    user_name: Mapped[str | None]


def adjustments(facility: Facility) -> Listed:
    """The facility's package adjustments, oldest first."""
    source = owned(AdjustmentRow, facility).order_by(AdjustmentRow.id)
    return Listed(source, modified=AdjustmentRow.last_modified)


# --- shipments -------------------------------------------------------------------------------

_SHIPMENT_ROWS = (
    select(
        *PackageShipment.__table__.columns,
        Package.label.label("package_label"),
        Package.external_id,
        Package.lab_testing_state,
        Item.name.label("item_name"),
        Item.category_name.label("item_category_name"),
        Strain.name.label("strain_name"),
        Transfer.kind.label("transfer_kind"),
    )
    .select_from(PackageShipment)
    .join(TransferDelivery, TransferDelivery.id == PackageShipment.delivery_id)
    .join(Transfer, Transfer.id == TransferDelivery.transfer_id)
    .join(Package, Package.id == PackageShipment.package_id)
    .join(Item, Item.id == Package.item_id)
    .outerjoin(Strain, Strain.id == Item.strain_id)
    .subquery("shipment_rows")
)


class ShipmentRow(ReadModel):
    """A package shipment with what the transferred list shows of its package and item."""

    __table__ = _SHIPMENT_ROWS

    id: Mapped[int]
    facility_id: Mapped[int]
    delivery_id: Mapped[int]
    package_id: Mapped[int]
    manifest_number: Mapped[str]
    recipient_license_number: Mapped[str]
    recipient_name: Mapped[str]
    shipped_quantity: Mapped[Decimal]
    shipped_unit: Mapped[str]
    gross_weight: Mapped[Decimal | None]
    gross_unit: Mapped[str | None]
    shipper_wholesale_price: Mapped[Decimal | None]
    received_quantity: Mapped[Decimal | None]
    received_unit: Mapped[str | None]
    shortage: Mapped[Decimal | None]
    receiver_wholesale_price: Mapped[Decimal | None]
    rejection_reason: Mapped[str | None]
    state: Mapped[str]
    departed_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    last_modified: Mapped[datetime]
    package_label: Mapped[str]
    external_id: Mapped[str | None]
    lab_testing_state: Mapped[str]
    item_name: Mapped[str]
    item_category_name: Mapped[str]
    strain_name: Mapped[str | None]
    transfer_kind: Mapped[str]


@dataclass(frozen=True)
class ShipmentRecord:
    """A shipment as renderers take it: its row and its package's genealogy."""

    shipment: ShipmentRow
    sources: Genealogy


def complete_shipments(session: Session, shipments: list[ShipmentRow]) -> list[ShipmentRecord]:
    """A page of shipments with their packages' genealogy (one statement for the page)."""
    sources = genealogies(session, [shipment.package_id for shipment in shipments])
    return [ShipmentRecord(shipment, sources[shipment.package_id]) for shipment in shipments]


def transferred(facility: Facility) -> Listed:
    """The packages the facility shipped that reached the end of their trip (accepted,
    rejected or returned), oldest shipment first."""
    source = (
        owned(ShipmentRow, facility)
        .where(ShipmentRow.state != IN_TRANSIT, ShipmentRow.transfer_kind != EXTERNAL)
        .order_by(ShipmentRow.id)
    )
    listed = Listed(source, modified=ShipmentRow.last_modified, complete=complete_shipments)
    return _counted(listed, facility, package_counts.TRANSFERRED)
