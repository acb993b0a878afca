"""Packages made from harvests and from plant batches, and the genealogy that links them.

A package from harvests takes its quantity from its ingredients: each ingredient draws a weight
from one harvest. The draw is converted into the harvest's unit (and recorded so, as a
PackageSource), and into the package's unit for the package quantity. The draws are checked all
together before anything changes, so a package never takes more than a harvest holds.

A package from a plant batch takes N of the batch's untracked plants (never more than it holds)
into an immature-plant package counted in Each.

An opening balance package (the sandbox's POST /sandbox/v2/packages/create) is stock that enters
the ledger with no source in it: its genealogy is one PackageSource whose origin is
"OpeningBalance". The sandbox endpoint makes them at any facility: the facility types'
CanCreateOpeningBalancePackages flag (off in every preset) is for a state's regular opening
balance path, which this sandbox helper is not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import NotFound, RuleViolation
from leafledger.domain.models import (
    Facility,
    Harvest,
    Item,
    Location,
    Package,
    PackageSource,
    PlantBatch,
    Sublocation,
    Tag,
)
from leafledger.domain.models.base import IsTrue
from leafledger.domain.reference import ITEM_CATEGORIES, ItemCategory, find_name, find_named
from leafledger.domain.services.audit import record, snapshot
from leafledger.domain.services.cultivation import batch_by_id, batch_named, require_grower
from leafledger.domain.services.harvests import (
    amount,
    check_date,
    check_draw,
    draw_for_package,
    harvest_referred,
    in_unit,
    stored,
    weight_unit,
)
from leafledger.domain.services.lookups import (
    claim_tag,
    facility_today,
    item_named,
    location_named,
    sublocation_named,
)
from leafledger.domain.services.tags import available_tags
from leafledger.domain.units import QuantityType, get_unit


@dataclass(frozen=True)
class Ingredient:
    """A weight drawn from one harvest, named by id or by name."""

    weight: Decimal
    unit_of_weight: str
    harvest_id: int | None = None
    harvest_name: str | None = None


@dataclass(frozen=True)
class PackageDetails:
    """What every new package states, whatever it is made from."""

    tag: str
    item: str
    location: str | None = None
    sublocation: str | None = None
    patient_license_number: str | None = None
    note: str | None = None
    is_production_batch: bool = False
    production_batch_number: str | None = None
    is_trade_sample: bool = False
    is_donation: bool = False
    product_requires_remediation: bool = False
    actual_date: date | None = None
    expiration_date: date | None = None
    sell_by_date: date | None = None
    use_by_date: date | None = None


@dataclass(frozen=True)
class HarvestPackage:
    details: PackageDetails
    unit_of_weight: str
    ingredients: Sequence[Ingredient] = field(default_factory=tuple)
    is_testing_sample: bool = False


@dataclass(frozen=True)
class BatchPackage:
    details: PackageDetails
    count: object
    plant_batch_id: int | None = None
    plant_batch_name: str | None = None
    from_mother_plant: bool = False


def category_of(item: Item) -> ItemCategory | None:
    return find_named(ITEM_CATEGORIES, item.category_name)


def _audit(
    session: Session,
    actor: Actor,
    entity: Package | PackageSource | PlantBatch,
    action: str,
    before: dict[str, object] | None,
) -> None:
    session.flush()
    record(
        session,
        actor,
        entity=entity,
        action=action,
        facility_id=entity.facility_id,
        before=before,
        after=snapshot(entity),
    )


def _place(
    session: Session, facility: Facility, details: PackageDetails, default: int | None
) -> tuple[int | None, int | None]:
    """The location (and sublocation) of a new package: as named, or else `default`."""
    if details.location:
        location = location_named(session, facility, details.location, holding="packages")
        location_id: int | None = location.id
    else:
        found = session.get(Location, default) if default is not None else None
        location_id = (
            found.id if found is not None and found.for_packages and found.active else None
        )
    sublocation: Sublocation | None = None
    if details.sublocation:
        sublocation = sublocation_named(session, facility, details.sublocation)
    return location_id, None if sublocation is None else sublocation.id


def _new_package(
    session: Session,
    actor: Actor,
    facility: Facility,
    details: PackageDetails,
    tag: Tag,
    item: Item,
    *,
    quantity: Decimal,
    unit: str,
    package_type: str,
    location: tuple[int | None, int | None],
    packaged: date,
    is_testing_sample: bool = False,
) -> Package:
    for what, when in (
        ("ExpirationDate", details.expiration_date),
        ("SellByDate", details.sell_by_date),
        ("UseByDate", details.use_by_date),
    ):
        if when is not None and when < packaged:
            raise RuleViolation(f"{what} {when.isoformat()} is before the packaged date.")
    if details.is_production_batch and not (details.production_batch_number or "").strip():
        raise RuleViolation("A production batch needs a ProductionBatchNumber.")
    package = Package(
        facility_id=facility.id,
        label=tag.label,
        tag_id=tag.id,
        item_id=item.id,
        package_type=package_type,
        quantity=quantity,
        original_quantity=quantity,
        unit_of_measure_name=unit,
        location_id=location[0],
        sublocation_id=location[1],
        patient_license_number=(details.patient_license_number or None),
        note=(details.note or None),
        packaged_date=packaged,
        expiration_date=details.expiration_date,
        sell_by_date=details.sell_by_date,
        use_by_date=details.use_by_date,
        is_production_batch=details.is_production_batch,
        production_batch_number=(
            (details.production_batch_number or "").strip() or None
            if details.is_production_batch
            else None
        ),
        is_testing_sample=is_testing_sample,
        is_trade_sample=details.is_trade_sample,
        is_donation=details.is_donation,
        product_requires_remediation=details.product_requires_remediation,
        initial_lab_testing_state="NotSubmitted",
        lab_testing_state="NotSubmitted",
        lab_testing_state_date=packaged,
    )
    session.add(package)
    _audit(session, actor, package, "create", None)
    return package


def _source(
    session: Session,
    actor: Actor,
    package: Package,
    quantity: Decimal,
    unit: str,
    **source: int | None,
) -> PackageSource:
    row = PackageSource(
        facility_id=package.facility_id,
        package_id=package.id,
        quantity=quantity,
        unit_of_measure_name=unit,
        **source,
    )
    session.add(row)
    _audit(session, actor, row, "create", None)
    return row


# --- from harvests ---------------------------------------------------------------------------


def create_package_from_harvests(
    session: Session, actor: Actor, facility: Facility, request: HarvestPackage
) -> Package:
    """A new package of harvested product, drawn from one or more harvests.

    Every draw is converted exactly into its harvest's unit; all draws are checked against the
    harvests' current weights before any of them changes, so a refused package changes nothing.
    """
    details = request.details
    unit = weight_unit(request.unit_of_weight)
    item = item_named(session, facility, details.item)
    category = category_of(item)
    if item.quantity_type != QuantityType.WEIGHT.value:
        raise RuleViolation(
            f"The item {item.name!r} is {item.quantity_type}; a package from a harvest is weighed."
        )
    if category is not None and category.is_plant:
        raise RuleViolation(f"The item {item.name!r} is a plant item; harvests give no plants.")
    if not request.ingredients:
        raise RuleViolation("Ingredients must name at least one harvest.")
    packaged = check_date(facility, details.actual_date)

    # Work out every draw first: (harvest, weight in its unit), and the package quantity.
    draws: list[tuple[Harvest, Decimal]] = []
    totals: dict[int, Decimal] = {}
    quantity = Decimal(0)
    for index, ingredient in enumerate(request.ingredients):
        where = f"Ingredient {index + 1}"
        try:
            harvest = harvest_referred(
                session, facility, ingredient.harvest_id, ingredient.harvest_name
            )
            weight = amount(ingredient.weight, "Weight")
            ingredient_unit = weight_unit(ingredient.unit_of_weight)
        except (RuleViolation, NotFound) as exc:
            raise RuleViolation(f"{where}: {exc.message}") from None
        if packaged < harvest.harvest_start_date:
            raise RuleViolation(f"{where}: the package date precedes harvest {harvest.name!r}.")
        drawn = in_unit(weight, ingredient_unit, harvest.unit_of_weight_name)
        totals[harvest.id] = totals.get(harvest.id, Decimal(0)) + drawn
        try:
            check_draw(harvest, totals[harvest.id], "weight drawn")
        except RuleViolation as exc:
            raise RuleViolation(f"{where}: {exc.message}") from None
        draws.append((harvest, drawn))
        quantity += in_unit(weight, ingredient_unit, unit)
    quantity = stored(quantity)
    if quantity <= 0:
        raise RuleViolation("The package quantity must be greater than zero.")

    tag = claim_tag(session, actor, facility, details.tag, "Package")
    first = draws[0][0]
    package = _new_package(
        session,
        actor,
        facility,
        details,
        tag,
        item,
        quantity=quantity,
        unit=unit.name,
        package_type="Product",
        location=_place(session, facility, details, first.drying_location_id),
        packaged=packaged,
        is_testing_sample=request.is_testing_sample,
    )
    seen: set[int] = set()
    for harvest, drawn in draws:
        draw_for_package(session, actor, harvest, drawn, first_draw=harvest.id not in seen)
        seen.add(harvest.id)
        _source(
            session,
            actor,
            package,
            drawn,
            harvest.unit_of_weight_name,
            source_harvest_id=harvest.id,
        )
    return package


# --- from plant batches ----------------------------------------------------------------------


def _batch(session: Session, facility: Facility, batch_id: object, name: object) -> PlantBatch:
    if batch_id is not None:
        if isinstance(batch_id, bool) or not isinstance(batch_id, int) or not 0 < batch_id < 2**63:
            raise RuleViolation("A plant batch Id must be a positive number.")
        return batch_by_id(session, facility, batch_id)
    return batch_named(session, facility, name)


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise RuleViolation("Count must be a whole number.")
    if isinstance(value, Decimal) and (not value.is_finite() or value != int(value)):
        raise RuleViolation("Count must be a whole number.")
    count = int(value)
    if count <= 0:
        raise RuleViolation(f"Count must be greater than zero, got {count}.")
    return count


def create_package_from_plant_batch(
    session: Session, actor: Actor, facility: Facility, request: BatchPackage
) -> Package:
    """A package of N untracked plants of a batch (never more than the batch holds)."""
    require_grower(facility)
    details = request.details
    batch = _batch(session, facility, request.plant_batch_id, request.plant_batch_name)
    if not batch.active:
        raise RuleViolation(f"The plant batch {batch.name!r} is no longer active.")
    if batch.is_on_hold:
        raise RuleViolation(f"The plant batch {batch.name!r} is on hold.")
    count = _count(request.count)
    if count > batch.untracked_count:
        raise RuleViolation(
            f"Plant batch {batch.name!r} holds {batch.untracked_count} untracked plants; "
            f"{count} cannot be packaged."
        )
    mother: int | None = None
    if request.from_mother_plant:
        if batch.source_plant_id is None:
            raise RuleViolation(
                f"The plant batch {batch.name!r} was not taken from a mother plant."
            )
        mother = batch.source_plant_id
    item = item_named(session, facility, details.item)
    category = category_of(item)
    if item.quantity_type != QuantityType.COUNT.value or category is None or not category.is_plant:
        raise RuleViolation(
            f"The item {item.name!r} is not a plant item counted in Each; "
            "plants are packaged as a plant item."
        )
    if item.strain_id is not None and item.strain_id != batch.strain_id:
        raise RuleViolation(f"The item {item.name!r} is of another strain than the batch.")
    packaged = check_date(facility, details.actual_date)
    if packaged < batch.planted_date:
        raise RuleViolation("A package cannot be made before its batch was planted.")
    tag = claim_tag(session, actor, facility, details.tag, "Package")
    each = get_unit("Each").name
    package = _new_package(
        session,
        actor,
        facility,
        details,
        tag,
        item,
        quantity=Decimal(count),
        unit=each,
        package_type="ImmaturePlant",
        location=_place(session, facility, details, batch.location_id),
        packaged=packaged,
    )
    before = snapshot(batch)
    batch.untracked_count -= count
    batch.packaged_count += count
    _audit(session, actor, batch, "package", before)
    _source(
        session,
        actor,
        package,
        Decimal(count),
        each,
        source_plant_batch_id=batch.id,
        source_plant_id=mother,
    )
    return package


# --- opening balances (sandbox) --------------------------------------------------------------

OPENING_BALANCE = "OpeningBalance"  # PackageSource.origin of an opening balance
OPENING_QUANTITY = Decimal(100)  # what each opening balance package holds, in its item's unit
MAX_OPENING_PACKAGES = 100
ITEM_FILTERS = ("Name", "Category", "UnitOfMeasure")


@dataclass(frozen=True)
class OpeningBalance:
    """How many opening balance packages to make, and which items they may be of."""

    count: int = 10
    filter_by: str | None = None
    filter_value: str | None = None


def _opening_items(session: Session, facility: Facility, request: OpeningBalance) -> list[Item]:
    """The facility's active items the request allows: weight-based ones unless filtered."""
    query = select(Item).where(Item.facility_id == facility.id, Item.active.is_(True))
    value = (request.filter_value or "").strip()
    if request.filter_by is None:
        if value:
            raise RuleViolation("FilterValue needs FilterBy (Name, Category or UnitOfMeasure).")
        query = query.where(Item.quantity_type == QuantityType.WEIGHT.value)
        wanted = "weight-based"
    else:
        kind = find_name(ITEM_FILTERS, request.filter_by)
        if kind is None:
            raise RuleViolation(
                f"FilterBy {request.filter_by!r} is unknown; use one of {', '.join(ITEM_FILTERS)}."
            )
        if not value:
            raise RuleViolation("FilterValue is required with FilterBy.")
        if kind == "Name":
            query = query.where(Item.name == value)
        elif kind == "Category":
            category = find_named(ITEM_CATEGORIES, value)
            query = query.where(
                Item.category_name == (value if category is None else category.name)
            )
        else:
            query = query.where(Item.unit_of_measure_name == get_unit(value).name)
        wanted = f"{kind} {value!r}"
    items = list(session.scalars(query.order_by(Item.id)))
    if not items:
        raise RuleViolation(f"No active item of this facility matches ({wanted}).")
    return items


def create_opening_balance_packages(
    session: Session, actor: Actor, facility: Facility, request: OpeningBalance
) -> list[Package]:
    """`count` packages of stock the ledger has no source for, from the facility's own tags.

    Tags are the oldest available package tags; items are taken in turn (by id) from those the
    request allows. Each package holds OPENING_QUANTITY of its item's unit, sits at the first
    active location that may hold packages, and records an opening balance as its genealogy.
    Either every package is made or, with too few tags or no item, none.
    """
    count = request.count
    if isinstance(count, bool) or not 1 <= count <= MAX_OPENING_PACKAGES:
        raise RuleViolation(f"Count must be from 1 to {MAX_OPENING_PACKAGES}, got {count}.")
    items = _opening_items(session, facility, request)
    tags = list(session.scalars(available_tags(facility, "Package").limit(count)))
    if len(tags) < count:
        raise RuleViolation(
            f"The facility has {len(tags)} available package tag(s); {count} package(s) need "
            "as many (issue tags with POST /sandbox/v2/facility/tags)."
        )
    location_id = session.scalar(
        select(Location.id)
        .where(
            Location.facility_id == facility.id,
            IsTrue(Location.active),
            Location.for_packages.is_(True),
        )
        .order_by(Location.id)
        .limit(1)
    )
    today = facility_today(facility)
    made = []
    for index, available in enumerate(tags):
        item = items[index % len(items)]
        tag = claim_tag(session, actor, facility, available.label, "Package")
        category = category_of(item)
        package = _new_package(
            session,
            actor,
            facility,
            PackageDetails(tag=tag.label, item=item.name),
            tag,
            item,
            quantity=OPENING_QUANTITY,
            unit=item.unit_of_measure_name,
            package_type="ImmaturePlant"
            if category is not None and category.is_plant
            else "Product",
            location=(location_id, None),
            packaged=today,
        )
        origin = PackageSource(
            facility_id=facility.id,
            package_id=package.id,
            quantity=OPENING_QUANTITY,
            unit_of_measure_name=item.unit_of_measure_name,
            origin=OPENING_BALANCE,
        )
        session.add(origin)
        _audit(session, actor, origin, "create", None)
        made.append(package)
    return made


# --- reading ---------------------------------------------------------------------------------


def source_harvests(session: Session, package: Package) -> list[Harvest]:
    """The harvests a package was drawn from, in the order first drawn."""
    ids = list(
        session.scalars(
            select(PackageSource.source_harvest_id)
            .where(
                PackageSource.package_id == package.id,
                PackageSource.source_harvest_id.is_not(None),
            )
            .order_by(PackageSource.id)
        )
    )
    unique = list(dict.fromkeys(i for i in ids if i is not None))
    found = {h.id: h for h in session.scalars(select(Harvest).where(Harvest.id.in_(unique)))}
    return [found[i] for i in unique if i in found]


def source_package_labels(session: Session, package: Package) -> list[str]:
    return list(
        dict.fromkeys(
            session.scalars(
                select(Package.label)
                .join(PackageSource, PackageSource.source_package_id == Package.id)
                .where(PackageSource.package_id == package.id)
                .order_by(PackageSource.id)
            )
        )
    )
