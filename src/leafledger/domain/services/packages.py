"""Packages made from harvests and from plant batches, and the genealogy that links them.

A package from harvests takes its quantity from its ingredients: each ingredient draws a weight
from one harvest. The draw is converted into the harvest's unit (and recorded so, as a
PackageSource), and into the package's unit for the package quantity. The draws are checked all
together before anything changes, so a package never takes more than a harvest holds.

A package from a plant batch takes N of the batch's untracked plants (never more than it holds)
into an immature-plant package counted in Each: they leave the batch (`packaged_count`).

A package from a mother plant (POST /plantbatches/v2/packages/frommotherplant) is N clones cut
from the mother plant of a clone batch, named through that batch. The clones were never plants
of the batch: the batch keeps every plant it holds, and the package's source is the mother
plant (and the batch it is named through).

An opening balance package (the sandbox's POST /sandbox/v2/packages/create) is stock that enters
the ledger with no source in it: its genealogy is one PackageSource whose origin is
"OpeningBalance". The sandbox endpoint makes them at any facility: the facility types'
CanCreateOpeningBalancePackages flag (off in every preset) is for a state's regular opening
balance path, which this sandbox helper is not.

Each service takes one command; its faults name the command's fields (`field=`), which each
dialect spells in its own words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import FieldPath, NotFound, RuleViolation
from leafledger.domain.models import (
    Facility,
    Harvest,
    Item,
    Location,
    Package,
    PackageSource,
    PlantBatch,
    Sublocation,
)
from leafledger.domain.models.base import IsTrue, fits
from leafledger.domain.reference import ITEM_CATEGORIES, ItemCategory, find_name, find_named
from leafledger.domain.services.audit import audited
from leafledger.domain.services.cultivation import batch_by_id, batch_named, require_grower
from leafledger.domain.services.harvests import (
    amount,
    check_draw,
    created,
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
    not_future,
    sublocation_named,
)
from leafledger.domain.services.tags import available_tags
from leafledger.domain.units import QuantityType, get_unit

# Plants in one package from a batch or a mother plant (a package is counted in Each).
MAX_PLANTS = 100_000


@dataclass(frozen=True)
class Ingredient:
    """A weight drawn from one harvest, named by id or by name."""

    weight: Decimal
    unit_of_weight: str
    harvest_id: int | None = None
    harvest_name: str | None = None


@dataclass(frozen=True, kw_only=True)
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


@dataclass(frozen=True, kw_only=True)
class HarvestPackage(PackageDetails):
    """A package of harvested product, weighed in `unit_of_weight`, drawn from harvests."""

    unit_of_weight: str
    ingredients: Sequence[Ingredient] = ()


@dataclass(frozen=True, kw_only=True)
class BatchPackage(PackageDetails):
    """A package of `count` plants, from a plant batch named by id or else by name."""

    count: int
    plant_batch_id: int | None = None
    plant_batch_name: str | None = None


def category_of(item: Item) -> ItemCategory | None:
    return find_named(ITEM_CATEGORIES, item.category_name)


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


def _check_dates(details: PackageDetails, packaged: date) -> None:
    for field, when in (
        ("expiration_date", details.expiration_date),
        ("sell_by_date", details.sell_by_date),
        ("use_by_date", details.use_by_date),
    ):
        if when is not None and when < packaged:
            raise RuleViolation(
                f"{{field}} {when.isoformat()} is before the packaged date.", field=field
            )


def _package_type(item: Item) -> str:
    """Plants are packaged as immature plants; anything else is product."""
    category = category_of(item)
    return "ImmaturePlant" if category is not None and category.is_plant else "Product"


def _new_package(
    session: Session,
    actor: Actor,
    facility: Facility,
    details: PackageDetails,
    item: Item,
    *,
    quantity: Decimal,
    unit: str,
    default_location: int | None,
    packaged: date,
    is_testing_sample: bool = False,
) -> Package:
    """A new package of `item` under the details' tag (claimed now), kept where the details
    say or else at `default_location` when that location may hold packages."""
    _check_dates(details, packaged)
    batch_number = (details.production_batch_number or "").strip() or None
    if details.is_production_batch and batch_number is None:
        raise RuleViolation("A production batch needs {field}.", field="production_batch_number")
    location_id, sublocation_id = _place(session, facility, details, default_location)
    tag = claim_tag(session, actor, facility, details.tag, "Package")
    package = Package(
        facility_id=facility.id,
        label=tag.label,
        tag_id=tag.id,
        item_id=item.id,
        package_type=_package_type(item),
        quantity=quantity,
        original_quantity=quantity,
        unit_of_measure_name=unit,
        location_id=location_id,
        sublocation_id=sublocation_id,
        patient_license_number=(details.patient_license_number or None),
        note=(details.note or None),
        packaged_date=packaged,
        expiration_date=details.expiration_date,
        sell_by_date=details.sell_by_date,
        use_by_date=details.use_by_date,
        is_production_batch=details.is_production_batch,
        production_batch_number=batch_number if details.is_production_batch else None,
        is_testing_sample=is_testing_sample,
        is_trade_sample=details.is_trade_sample,
        is_donation=details.is_donation,
        product_requires_remediation=details.product_requires_remediation,
        initial_lab_testing_state="NotSubmitted",
        lab_testing_state="NotSubmitted",
        lab_testing_state_date=packaged,
    )
    created(session, actor, package)
    return package


def _source(
    session: Session,
    actor: Actor,
    package: Package,
    quantity: Decimal,
    unit: str,
    **source: int | str | None,
) -> PackageSource:
    row = PackageSource(
        facility_id=package.facility_id,
        package_id=package.id,
        quantity=quantity,
        unit_of_measure_name=unit,
        **source,
    )
    created(session, actor, row)
    return row


# --- from harvests ---------------------------------------------------------------------------


def _weighed_item(session: Session, facility: Facility, name: str) -> Item:
    """The item of a package from harvests: weighed, and not a plant item."""
    item = item_named(session, facility, name)
    category = category_of(item)
    if item.quantity_type != QuantityType.WEIGHT.value:
        raise RuleViolation(
            f"The item {item.name!r} is {item.quantity_type}; a package from a harvest is weighed."
        )
    if category is not None and category.is_plant:
        raise RuleViolation(f"The item {item.name!r} is a plant item; harvests give no plants.")
    return item


def _drawn_harvest(
    session: Session, facility: Facility, ingredient: Ingredient, at: FieldPath
) -> Harvest:
    """The harvest an ingredient names; a harvest it cannot name is that ingredient's fault."""
    try:
        return harvest_referred(session, facility, ingredient.harvest_id, ingredient.harvest_name)
    except (RuleViolation, NotFound) as exc:
        raise RuleViolation(exc.message, field=at) from None


def _draws(
    session: Session, facility: Facility, command: HarvestPackage, packaged: date
) -> tuple[list[tuple[Harvest, Decimal]], Decimal]:
    """Every draw of the package, checked together: (harvest, weight in the harvest's unit),
    and the package quantity in its own unit. Nothing changes here."""
    unit = weight_unit(command.unit_of_weight)
    if not command.ingredients:
        raise RuleViolation("{field} must name at least one harvest.", field="ingredients")
    draws: list[tuple[Harvest, Decimal]] = []
    totals: dict[int, Decimal] = {}
    quantity = Decimal(0)
    for index, ingredient in enumerate(command.ingredients):
        at: FieldPath = ("ingredients", index)
        harvest = _drawn_harvest(session, facility, ingredient, at)
        weight = amount(ingredient.weight, (*at, "weight"))
        ingredient_unit = weight_unit(ingredient.unit_of_weight, (*at, "unit_of_weight"))
        if packaged < harvest.harvest_start_date:
            raise RuleViolation(f"The package date precedes harvest {harvest.name!r}.", field=at)
        drawn = in_unit(weight, ingredient_unit, harvest.unit_of_weight_name)
        totals[harvest.id] = totals.get(harvest.id, Decimal(0)) + drawn
        check_draw(harvest, totals[harvest.id], "weight drawn", at)
        draws.append((harvest, drawn))
        quantity += in_unit(weight, ingredient_unit, unit)
    quantity = stored(quantity)
    if quantity <= 0:
        raise RuleViolation("The package quantity must be greater than zero.")
    return draws, quantity


def _package_harvests(
    session: Session,
    actor: Actor,
    facility: Facility,
    command: HarvestPackage,
    *,
    testing: bool,
) -> Package:
    item = _weighed_item(session, facility, command.item)
    packaged = not_future(facility, command.actual_date, "actual_date")
    draws, quantity = _draws(session, facility, command, packaged)
    package = _new_package(
        session,
        actor,
        facility,
        command,
        item,
        quantity=quantity,
        unit=weight_unit(command.unit_of_weight).name,
        default_location=draws[0][0].drying_location_id,
        packaged=packaged,
        is_testing_sample=testing,
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


def create_package_from_harvests(
    session: Session, actor: Actor, facility: Facility, command: HarvestPackage
) -> Package:
    """A new package of harvested product, drawn from one or more harvests.

    Every draw is converted exactly into its harvest's unit; all draws are checked against the
    harvests' current weights before any of them changes, so a refused package changes nothing.
    """
    return _package_harvests(session, actor, facility, command, testing=False)


def create_testing_package_from_harvests(
    session: Session, actor: Actor, facility: Facility, command: HarvestPackage
) -> Package:
    """The same, as a sample for lab testing."""
    return _package_harvests(session, actor, facility, command, testing=True)


# --- from plant batches ----------------------------------------------------------------------


def _batch(session: Session, facility: Facility, command: BatchPackage) -> PlantBatch:
    """The active, unheld batch a command names by id, or else by name."""
    if command.plant_batch_id is not None:
        if not fits(PlantBatch.id, command.plant_batch_id):
            raise NotFound(f"No plant batch {command.plant_batch_id} at this facility.")
        batch = batch_by_id(session, facility, command.plant_batch_id)
    else:
        batch = batch_named(session, facility, command.plant_batch_name)
    if not batch.active:
        raise RuleViolation(f"The plant batch {batch.name!r} is no longer active.")
    if batch.is_on_hold:
        raise RuleViolation(f"The plant batch {batch.name!r} is on hold.")
    return batch


def _count(count: int) -> int:
    if count <= 0:
        raise RuleViolation(f"{{field}} must be greater than zero, got {count}.", field="count")
    if count > MAX_PLANTS:
        raise RuleViolation(f"{{field}} must be at most {MAX_PLANTS}, got {count}.", field="count")
    return count


def _plant_item(session: Session, facility: Facility, name: str, batch: PlantBatch) -> Item:
    """The item of a package of plants: a plant item counted in Each, of the batch's strain."""
    item = item_named(session, facility, name)
    category = category_of(item)
    if item.quantity_type != QuantityType.COUNT.value or category is None or not category.is_plant:
        raise RuleViolation(
            f"The item {item.name!r} is not a plant item counted in Each; "
            "plants are packaged as a plant item."
        )
    if item.strain_id is not None and item.strain_id != batch.strain_id:
        raise RuleViolation(f"The item {item.name!r} is of another strain than the batch.")
    return item


def _package_plants(
    session: Session,
    actor: Actor,
    facility: Facility,
    command: BatchPackage,
    batch: PlantBatch,
    count: int,
    *,
    mother: int | None,
) -> Package:
    """A package of `count` plants named through `batch`, with its source (the batch, and the
    mother plant the clones were cut from, if they were)."""
    item = _plant_item(session, facility, command.item, batch)
    packaged = not_future(facility, command.actual_date, "actual_date")
    if packaged < batch.planted_date:
        raise RuleViolation(
            "A package cannot be made before its batch was planted.", field="actual_date"
        )
    each = get_unit("Each").name
    package = _new_package(
        session,
        actor,
        facility,
        command,
        item,
        quantity=Decimal(count),
        unit=each,
        default_location=batch.location_id,
        packaged=packaged,
    )
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


def create_package_from_plant_batch(
    session: Session, actor: Actor, facility: Facility, command: BatchPackage
) -> Package:
    """A package of N untracked plants of a batch: they leave it (never more than it holds)."""
    require_grower(facility)
    batch = _batch(session, facility, command)
    count = _count(command.count)
    if count > batch.untracked_count:
        raise RuleViolation(
            f"Plant batch {batch.name!r} holds {batch.untracked_count} untracked plants; "
            f"{count} cannot be packaged."
        )
    package = _package_plants(session, actor, facility, command, batch, count, mother=None)
    done = audited(session, actor, batch, "package", batch.facility_id)
    batch.untracked_count -= count
    batch.packaged_count += count
    done()
    return package


def create_package_from_mother_plant(
    session: Session, actor: Actor, facility: Facility, command: BatchPackage
) -> Package:
    """A package of N clones cut from the mother plant of a batch.

    The clones are new plants, not plants of the batch: the batch keeps its untracked plants
    (a later growth phase change may still tag all of them), and the package records the mother
    plant as its source.
    """
    require_grower(facility)
    batch = _batch(session, facility, command)
    if batch.source_plant_id is None:
        raise RuleViolation(f"The plant batch {batch.name!r} was not taken from a mother plant.")
    count = _count(command.count)
    return _package_plants(
        session, actor, facility, command, batch, count, mother=batch.source_plant_id
    )


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
            raise RuleViolation(
                f"A filter value needs {{field}} ({', '.join(ITEM_FILTERS)}).", field="filter_by"
            )
        query = query.where(Item.quantity_type == QuantityType.WEIGHT.value)
        wanted = "weight-based"
    else:
        kind = find_name(ITEM_FILTERS, request.filter_by)
        if kind is None:
            known = ", ".join(ITEM_FILTERS)
            raise RuleViolation(
                f"{{field}} {request.filter_by!r} is unknown; use one of {known}.",
                field="filter_by",
            )
        if not value:
            raise RuleViolation("{field} is required with a filter.", field="filter_value")
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
        raise RuleViolation(
            f"{{field}} must be from 1 to {MAX_OPENING_PACKAGES}, got {count}.", field="count"
        )
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
        package = _new_package(
            session,
            actor,
            facility,
            PackageDetails(tag=available.label, item=item.name),
            item,
            quantity=OPENING_QUANTITY,
            unit=item.unit_of_measure_name,
            default_location=location_id,
            packaged=today,
        )
        _source(
            session,
            actor,
            package,
            OPENING_QUANTITY,
            item.unit_of_measure_name,
            origin=OPENING_BALANCE,
        )
        made.append(package)
    return made
