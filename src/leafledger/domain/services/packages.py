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

A package from packages (POST /packages/v2/, and /testing for a lab sample) draws each of its
ingredients from a source package, in any unit of the source's quantity type: the draw is
converted into the source's unit, checked against what the source holds (all ingredients of
the package together), taken from it in the same transaction and recorded, with the drawn
quantity, as a PackageSource. The new package's own quantity is stated apart (16 oz of buds
from two 8 oz packages; 200 edibles from 100 g of concentrate). Only a facility whose type may
create derived packages makes them (CanCreateDerivedPackages); a lab sample also needs
CanSubmitPackagesForTesting. A package of plants is made from packages of plants, a product
from products; a lab sample is never a source (it goes to the lab). What the sources' lab
results were follows the new package when it is the same kind of product: if every source is
in one lab testing state and of the new item's category, the new package starts in that state
(a failed product stays failed when repackaged); otherwise it starts NotSubmitted. A source
that requires remediation (or decontamination) passes the requirement on. A lab sample starts
SubmittedForTesting, and so do its sources that were not submitted yet; a package that takes
its sources' state carries the released lab results that gave it (see lab_tests.py).

A package from a plant (POST /plants/v2/plantbatch/packages) is N clones or seeds taken from
a tagged plant; its source is the plant (and the plant's batch). Facility types need
CanCreateImmaturePlantPackagesFromPlants for it.

Every new package claims its tag (used once) and may carry the trade sample, donation and
finished good flags only where the facility's type allows them (CanCreateTradeSamplePackages,
CanDonatePackages, CanTrackFinishedGoods), and ask for remediation only where it may request
it (CanRequestProductRemediation).

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
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

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
from leafledger.domain.reference import (
    ITEM_CATEGORIES,
    PLANT_BATCH_TYPES,
    find_name,
    find_named,
)
from leafledger.domain.services.audit import audited
from leafledger.domain.services.cultivation import (
    active_plant_by_label,
    batch_by_id,
    batch_named,
    require_grower,
)
from leafledger.domain.services.harvests import (
    amount,
    check_draw,
    created,
    draw_for_package,
    harvest_referred,
    in_unit,
    lock_harvests,
    stored,
    weight_unit,
)
from leafledger.domain.services.lab_tests import (
    SUBMITTED,
    inherit_results,
    inherited_state,
    submit_sources,
)
from leafledger.domain.services.lookups import (
    claim_tag,
    facility_today,
    held_row,
    item_named,
    location_named,
    lock_tags,
    not_future,
    sublocation_named,
)
from leafledger.domain.services.package_stock import (
    category_of,
    check_holds,
    check_shelf_life,
    drawn_package,
    holds_plants,
    in_package_unit,
    lab_test_batches,
    lock_labelled,
    move_quantity,
    package_type_of,
    require_capability,
    unit_for,
)
from leafledger.domain.services.tags import available_tags
from leafledger.domain.units import QuantityType, UnitOfMeasure, find_unit, get_unit

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
    item: str | None = None
    location: str | None = None
    sublocation: str | None = None
    patient_license_number: str | None = None
    note: str | None = None
    is_production_batch: bool = False
    production_batch_number: str | None = None
    is_trade_sample: bool = False
    is_donation: bool = False
    is_finished_good: bool = False
    product_requires_remediation: bool = False
    actual_date: date | None = None
    expiration_date: date | None = None
    sell_by_date: date | None = None
    use_by_date: date | None = None
    lab_test_batches: Sequence[str] | None = None


@dataclass(frozen=True, kw_only=True)
class HarvestPackage(PackageDetails):
    """A package of harvested product, weighed in `unit_of_weight`, drawn from harvests. It
    holds what it draws; a `quantity`, when stated, must be that."""

    unit_of_weight: str
    ingredients: Sequence[Ingredient] = ()
    quantity: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class BatchPackage(PackageDetails):
    """A package of `count` plants, from a plant batch named by id or else by name."""

    count: int
    plant_batch_id: int | None = None
    plant_batch_name: str | None = None


def _place(
    session: Session, facility: Facility, details: PackageDetails, default: int | None
) -> tuple[int | None, int | None]:
    """The location (and sublocation) of a new package: as named, or else `default`."""
    if details.location:
        location = location_named(session, facility, details.location, holding="packages")
        location_id: int | None = location.id
    else:
        found = held_row(session, Location, default) if default is not None else None
        location_id = (
            found.id if found is not None and found.for_packages and found.active else None
        )
    sublocation: Sublocation | None = None
    if details.sublocation:
        sublocation = sublocation_named(session, facility, details.sublocation)
    return location_id, None if sublocation is None else sublocation.id


# A flag a new package may carry (a PackageDetails field), the capability of the facility's
# type it needs, and what that lets the facility do (for messages).
FLAG_CAPABILITIES = (
    ("is_trade_sample", "CanCreateTradeSamplePackages", "create trade samples"),
    ("is_donation", "CanDonatePackages", "donate packages"),
    ("is_finished_good", "CanTrackFinishedGoods", "track finished goods"),
    ("product_requires_remediation", "CanRequestProductRemediation", "request remediation"),
)


def _check_flags(facility: Facility, details: PackageDetails) -> None:
    for field, capability, doing in FLAG_CAPABILITIES:
        if getattr(details, field):
            require_capability(facility, capability, doing)


@dataclass(frozen=True)
class Inherited:
    """What a new package takes over from its sources rather than from the request."""

    lab_testing_state: str = "NotSubmitted"
    requires_remediation: bool = False
    requires_decontamination: bool = False


def new_package(
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
    inherited: Inherited = Inherited(),
    in_transit: bool = False,
    external_id: str | None = None,
    flush: bool = True,
) -> Package:
    """A new package of `item` under the details' tag (claimed now), kept where the details
    say or else at `default_location` when that location may hold packages. A package that
    arrives from outside the ledger (an external incoming transfer, services/transfers.py) is
    made `in_transit` until it is received, with the shipper's `external_id`. Without
    `flush`, the package is left for the request's next flush (it has no id until then)."""
    _check_flags(facility, details)
    check_shelf_life(
        packaged,
        expiration_date=details.expiration_date,
        sell_by_date=details.sell_by_date,
        use_by_date=details.use_by_date,
    )
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
        package_type=package_type_of(item),
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
        is_finished_good=details.is_finished_good,
        product_requires_remediation=(
            details.product_requires_remediation or inherited.requires_remediation
        ),
        product_requires_decontamination=inherited.requires_decontamination,
        initial_lab_testing_state=inherited.lab_testing_state,
        lab_testing_state=inherited.lab_testing_state,
        lab_testing_state_date=packaged,
        required_lab_test_batches=lab_test_batches(facility, item, details.lab_test_batches),
        in_transit=in_transit,
        external_id=external_id,
    )
    created(session, actor, package, flush=flush)
    return package


def _source(
    session: Session,
    actor: Actor,
    package: Package,
    quantity: Decimal,
    unit: str,
    flush: bool = True,
    **source: int | str | None,
) -> PackageSource:
    """A source row of `package`; without `flush`, left (like the package, which may not
    have its id yet) for the request's next flush."""
    row = PackageSource(
        facility_id=package.facility_id,
        package=package,
        quantity=quantity,
        unit_of_measure_name=unit,
        **source,
    )
    created(session, actor, row, flush=flush)
    return row


# --- from harvests ---------------------------------------------------------------------------


def _weighed_item(session: Session, facility: Facility, name: str | None) -> Item:
    """The item of a package from harvests: weighed, and not a plant item."""
    item = item_named(session, facility, name)
    if item.quantity_type != QuantityType.WEIGHT.value:
        raise RuleViolation(
            f"The item {item.name!r} is {item.quantity_type}; a package from a harvest is weighed."
        )
    if holds_plants(item):
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
    if command.quantity is not None and stored(amount(command.quantity, "quantity")) != quantity:
        raise RuleViolation(
            f"A package from harvests holds what it draws, {quantity} "
            f"{weight_unit(command.unit_of_weight).name}; {{field}} says {command.quantity}.",
            field="quantity",
        )
    package = new_package(
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
        inherited=Inherited(SUBMITTED) if testing else Inherited(),
        flush=False,
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
            flush=False,
            source_harvest_id=harvest.id,
        )
    return package


def lock_harvest_packages(session: Session, facility: Facility, commands: Sequence[Any]) -> None:
    """Before the packages of one request are made from harvests (the bulk factory's
    `prepare`): lock every harvest they name by id, then every tag they claim, as each
    object locks its harvests before it claims its tag."""
    lock_harvests(session, facility, _ingredients_named(commands, "harvest_id"))
    lock_tags(session, [getattr(command, "tag", None) for command in commands])


def _ingredients_named(commands: Sequence[Any], name: str) -> list[object]:
    """What the ingredients of every command name by `name` (a prepare step reads the
    commands before they are checked, so anything may be missing)."""
    return [
        getattr(ingredient, name, None)
        for command in commands
        for ingredient in getattr(command, "ingredients", None) or ()
    ]


def create_package_from_harvests(
    session: Session, actor: Actor, facility: Facility, command: HarvestPackage
) -> Package:
    """A new package of harvested product, drawn from one or more harvests.

    Every draw is converted exactly into its harvest's unit; all draws are checked against the
    harvests' current weights before any of them changes, so a refused package changes nothing.
    The package is left for the request's next flush, which gives it its id.
    """
    return _package_harvests(session, actor, facility, command, testing=False)


def create_testing_package_from_harvests(
    session: Session, actor: Actor, facility: Facility, command: HarvestPackage
) -> Package:
    """The same, as a sample for lab testing."""
    return _package_harvests(session, actor, facility, command, testing=True)


# --- from packages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PackageIngredient:
    """A quantity drawn from one source package, named by its label."""

    package: str
    quantity: Decimal
    unit_of_measure: str


@dataclass(frozen=True, kw_only=True)
class DerivedPackage(PackageDetails):
    """A package of `quantity` `unit_of_measure` made from other packages; with
    `use_same_item`, of the sources' own item."""

    quantity: Decimal
    unit_of_measure: str
    use_same_item: bool = False
    ingredients: Sequence[PackageIngredient] = ()


@dataclass(frozen=True)
class Draw:
    """What one ingredient takes from its source, in the source's unit."""

    source: Package
    quantity: Decimal


def _drawn_package(
    session: Session, facility: Facility, ingredient: PackageIngredient, at: FieldPath
) -> Package:
    """The package an ingredient draws on, if it may give; a package the ingredient cannot
    name or draw on is that ingredient's fault."""
    return drawn_package(session, facility, ingredient.package, at, "package", "packages")


def _package_draws(session: Session, facility: Facility, command: DerivedPackage) -> list[Draw]:
    """Every draw of the package, checked together: no source gives more than it holds,
    however many ingredients name it. Nothing changes here."""
    if not command.ingredients:
        raise RuleViolation("{field} must name at least one package.", field="ingredients")
    draws: list[Draw] = []
    totals: dict[int, Decimal] = {}
    for index, ingredient in enumerate(command.ingredients):
        at: FieldPath = ("ingredients", index)
        source = _drawn_package(session, facility, ingredient, at)
        unit = unit_for(source, ingredient.unit_of_measure, (*at, "unit_of_measure"))
        drawn = in_package_unit(source, ingredient.quantity, unit, (*at, "quantity"))
        totals[source.id] = totals.get(source.id, Decimal(0)) + drawn
        check_holds(source, totals[source.id], at)
        draws.append(Draw(source, drawn))
    return draws


def _derived_item(
    session: Session, facility: Facility, command: DerivedPackage, sources: list[Package]
) -> Item:
    """The item named, or with `use_same_item` the one item every source holds."""
    if not command.use_same_item:
        return item_named(session, facility, command.item)
    held = {source.item_id for source in sources}
    found = session.get(Item, held.pop()) if len(held) == 1 else None
    if found is None:
        raise RuleViolation(
            "The source packages hold different items; name the item of the new package.",
            field="use_same_item",
        )
    if command.item and item_named(session, facility, command.item).id != found.id:
        raise RuleViolation(
            f"The source packages hold {found.name!r}, not {command.item!r}.", field="item"
        )
    if not found.active:
        raise RuleViolation(f"The item {found.name!r} is archived and cannot be used.")
    return found


def _measured_in(item: Item, name: object) -> UnitOfMeasure:
    """The unit a new package of `item` is kept in: an active unit of the item's type."""
    unit = find_unit(name) if isinstance(name, str) else None
    if unit is None:
        raise RuleViolation(f"Unknown unit of measure {name!r}.", field="unit_of_measure")
    if unit.quantity_type.value != item.quantity_type or not unit.active:
        raise RuleViolation(
            f"The item {item.name!r} is {item.quantity_type}; {unit.name} cannot measure it.",
            field="unit_of_measure",
        )
    return unit


def _check_sources_fit(item: Item, sources: list[Package], packaged: date) -> None:
    """A package of plants is made from plants, a product from products, and not before its
    sources were packaged."""
    kind = package_type_of(item)
    for index, source in enumerate(sources):
        if source.package_type != kind:
            raise RuleViolation(
                f"Package {source.label} holds {source.package_type}; a {kind} package is made "
                f"from {kind} packages only.",
                field=("ingredients", index),
            )
        if packaged < source.packaged_date:
            raise RuleViolation(
                f"The package date precedes the packaging of {source.label}.",
                field="actual_date",
            )


def _inherited(session: Session, item: Item, sources: list[Package]) -> Inherited:
    """What the new package takes over from its sources (see the module docstring)."""
    return Inherited(
        lab_testing_state=inherited_state(
            [source.lab_testing_state for source in sources],
            [_category_name(session, source) for source in sources],
            item.category_name,
        ),
        requires_remediation=any(s.product_requires_remediation for s in sources),
        requires_decontamination=any(s.product_requires_decontamination for s in sources),
    )


def _category_name(session: Session, package: Package) -> str | None:
    item = session.get(Item, package.item_id)
    return None if item is None else item.category_name


def _derive(
    session: Session,
    actor: Actor,
    facility: Facility,
    command: DerivedPackage,
    *,
    testing: bool,
) -> Package:
    require_capability(facility, "CanCreateDerivedPackages", "create packages from packages")
    draws = _package_draws(session, facility, command)
    sources = [draw.source for draw in draws]
    item = _derived_item(session, facility, command, sources)
    unit = _measured_in(item, command.unit_of_measure)
    quantity = stored(amount(command.quantity, "quantity"))
    packaged = not_future(facility, command.actual_date, "actual_date")
    _check_sources_fit(item, sources, packaged)
    inherited = _inherited(session, item, sources)
    package = new_package(
        session,
        actor,
        facility,
        command,
        item,
        quantity=quantity,
        unit=unit.name,
        default_location=sources[0].location_id,
        packaged=packaged,
        is_testing_sample=testing,
        inherited=replace(inherited, lab_testing_state=SUBMITTED) if testing else inherited,
        flush=False,
    )
    for draw in draws:
        move_quantity(session, actor, draw.source, -draw.quantity, "draw")
        _source(
            session,
            actor,
            package,
            draw.quantity,
            draw.source.unit_of_measure_name,
            flush=False,
            source_package_id=draw.source.id,
        )
    if testing:
        submit_sources(session, actor, sources)
    else:
        inherit_results(session, actor, package, sources)
    return package


def lock_derived(session: Session, facility: Facility, commands: Sequence[Any]) -> None:
    """Before the packages of one request are made from packages (the bulk factory's
    `prepare`): lock every source they draw on, then every tag they claim, two statements
    in all rather than two per object. Sources come first, as each object locks its sources
    before it claims its tag."""
    lock_labelled(session, facility, _ingredients_named(commands, "package"))
    lock_tags(session, [getattr(command, "tag", None) for command in commands])


def create_package_from_packages(
    session: Session, actor: Actor, facility: Facility, command: DerivedPackage
) -> Package:
    """A new package drawn from one or more packages of the facility.

    Every draw is converted exactly into its source's unit and all of them are checked
    before any source changes, so a refused package changes nothing; the sources are lowered
    in the same transaction that makes the package. The package and its sources are left for
    the request's next flush (a bulk request's objects are then inserted together), which
    gives the package its id.
    """
    return _derive(session, actor, facility, command, testing=False)


def create_testing_package_from_packages(
    session: Session, actor: Actor, facility: Facility, command: DerivedPackage
) -> Package:
    """The same, as a sample for lab testing."""
    require_capability(facility, "CanSubmitPackagesForTesting", "submit packages for testing")
    return _derive(session, actor, facility, command, testing=True)


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


def _plant_item(
    session: Session, facility: Facility, name: str | None, strain_id: int, *, seeds: bool
) -> Item:
    """The item of a package of plants: a plant item counted in Each (or, for `seeds`, a
    seeds item), of the plants' strain when the item names one."""
    item = item_named(session, facility, name)
    category = category_of(item)
    propagates = category is not None and (
        category.is_plant or (seeds and category.product_category_type == "Seeds")
    )
    if item.quantity_type != QuantityType.COUNT.value or not propagates:
        kind = "a plant or seeds item" if seeds else "a plant item"
        raise RuleViolation(
            f"The item {item.name!r} is not {kind} counted in Each; plants are packaged as {kind}."
        )
    if item.strain_id is not None and item.strain_id != strain_id:
        raise RuleViolation(f"The item {item.name!r} is of another strain than the plants.")
    return item


@dataclass(frozen=True)
class PlantOrigin:
    """Where the plants of a package come from: their strain, when and where the plants they
    were taken from grow (`what` names those in messages), and the source ids recorded."""

    what: str
    strain_id: int
    planted: date
    location_id: int | None
    source_plant_batch_id: int | None = None
    source_plant_id: int | None = None


def _package_plants(
    session: Session,
    actor: Actor,
    facility: Facility,
    command: PackageDetails,
    origin: PlantOrigin,
    count: int,
    *,
    seeds: bool = False,
) -> Package:
    """A package of `count` plants (or seeds) from `origin`, with its source."""
    item = _plant_item(session, facility, command.item, origin.strain_id, seeds=seeds)
    packaged = not_future(facility, command.actual_date, "actual_date")
    if packaged < origin.planted:
        raise RuleViolation(
            f"A package cannot be made before {origin.what} was planted.", field="actual_date"
        )
    each = get_unit("Each").name
    package = new_package(
        session,
        actor,
        facility,
        command,
        item,
        quantity=Decimal(count),
        unit=each,
        default_location=origin.location_id,
        packaged=packaged,
    )
    _source(
        session,
        actor,
        package,
        Decimal(count),
        each,
        source_plant_batch_id=origin.source_plant_batch_id,
        source_plant_id=origin.source_plant_id,
    )
    return package


def _batch_origin(batch: PlantBatch, mother: int | None) -> PlantOrigin:
    """Plants named through `batch` (and the mother plant clones were cut from, if they were)."""
    return PlantOrigin(
        "its batch",
        batch.strain_id,
        batch.planted_date,
        batch.location_id,
        source_plant_batch_id=batch.id,
        source_plant_id=mother,
    )


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
    origin = _batch_origin(batch, mother=None)
    package = _package_plants(session, actor, facility, command, origin, count)
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
    origin = _batch_origin(batch, mother=batch.source_plant_id)
    return _package_plants(session, actor, facility, command, origin, count)


# --- from a tagged plant ---------------------------------------------------------------------

BATCH_TYPES = tuple(t.name for t in PLANT_BATCH_TYPES)


@dataclass(frozen=True, kw_only=True)
class PlantPackage(PackageDetails):
    """A package of `count` clones or seeds (`batch_type`) taken from a tagged plant."""

    plant_label: str
    batch_type: str
    count: int


def create_package_from_plant(
    session: Session, actor: Actor, facility: Facility, command: PlantPackage
) -> Package:
    """A package of N clones or seeds taken from one of the facility's active plants.

    The plant keeps growing (and counting) as it was: clones and seeds are new plants. The
    package records the plant, and the plant's batch, as its source.
    """
    require_grower(facility)
    require_capability(
        facility,
        "CanCreateImmaturePlantPackagesFromPlants",
        "package immature plants taken from plants",
    )
    plant = active_plant_by_label(session, facility, command.plant_label)
    if plant.is_on_hold:
        raise RuleViolation(f"Plant {plant.label} is on hold.", field="plant_label")
    batch_type = find_name(BATCH_TYPES, command.batch_type or "")
    if batch_type is None:
        raise RuleViolation(
            f"Plant batch type {command.batch_type!r} is unknown; use one of "
            f"{', '.join(BATCH_TYPES)}.",
            field="batch_type",
        )
    origin = PlantOrigin(
        f"plant {plant.label}",
        plant.strain_id,
        plant.planted_date,
        plant.location_id,
        source_plant_batch_id=plant.plant_batch_id,
        source_plant_id=plant.id,
    )
    count = _count(command.count)
    return _package_plants(
        session, actor, facility, command, origin, count, seeds=batch_type == "Seed"
    )


# --- opening balances (sandbox) --------------------------------------------------------------

OPENING_BALANCE = "OpeningBalance"  # PackageSource.origin of an opening balance
OPENING_QUANTITY = Decimal(100)  # what each opening balance package holds, in its item's unit
MAX_OPENING_PACKAGES = 100
# Sandbox stock is sellable at once: it starts as tested and passed (the package gate).
OPENING_INHERITED = Inherited(lab_testing_state="TestPassed")
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
        raise RuleViolation(
            f"No active item of this facility matches ({wanted}); make such an item first."
        )
    return items


def create_opening_balance_packages(
    session: Session, actor: Actor, facility: Facility, request: OpeningBalance
) -> list[Package]:
    """`count` packages of stock the ledger has no source for, from the facility's own tags.

    Tags are the oldest available package tags; items are taken in turn (by id) from those the
    request allows. Each package holds OPENING_QUANTITY of its item's unit, sits at the first
    active location that may hold packages, and records an opening balance as its genealogy.
    Its lab testing state is TestPassed, so that sandbox stock may be sold or transferred
    at once.
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
        package = new_package(
            session,
            actor,
            facility,
            PackageDetails(tag=available.label, item=item.name),
            item,
            quantity=OPENING_QUANTITY,
            unit=item.unit_of_measure_name,
            default_location=location_id,
            packaged=today,
            inherited=OPENING_INHERITED,
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
