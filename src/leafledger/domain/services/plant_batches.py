"""Plant batches: plantings of seeds or clones, counted until their plants are tagged.

A batch's plants are counted, not tagged: `untracked_count` of them are still in the batch.
Plants leave the batch by being tagged (growth phase change -> `tracked_count`), destroyed
(`destroyed_count`), packaged (`packaged_count`) or split off into another batch; an adjustment
corrects the untracked count. A batch with no untracked plants left is inactive, and its name
may then be used again.

Each operation takes one command. Every change is audited; nothing here commits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from leafledger.domain import reference
from leafledger.domain.actor import Actor
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import (
    Facility,
    Item,
    Location,
    Package,
    Plant,
    PlantBatch,
    Sublocation,
)
from leafledger.domain.models.additive import PlantAdditive
from leafledger.domain.models.base import IsTrue
from leafledger.domain.models.plant import PlantWaste
from leafledger.domain.request_state import NamesReadAhead, request_state
from leafledger.domain.services.audit import audited, record, record_created, record_new, snapshot
from leafledger.domain.services.cultivation import (
    Additive,
    StrainNamed,
    Waste,
    WasteTerms,
    active_batch,
    active_plant_by_label,
    add_split,
    additive_details,
    adjustment_reason,
    applied_template,
    change_strain_of,
    clean_name,
    counted,
    move_to,
    place,
    require_grower,
    required_place,
    save_additives,
    save_waste,
    tagged_phase,
)
from leafledger.domain.services.lookups import claim_tag, not_future, strain_named
from leafledger.domain.services.package_stock import (
    category_of,
    check_drawable,
    check_holds,
    in_package_unit,
    move_quantity,
    not_before_packaging,
    package_labelled,
    unit_for,
)

BATCH_TYPES = tuple(t.name for t in reference.PLANT_BATCH_TYPES)


# --- names ---------------------------------------------------------------------------------

_NAMES_TAKEN = select(PlantBatch.name).where(
    PlantBatch.facility_id == bindparam("facility_id"),
    PlantBatch.name.in_(bindparam("names", expanding=True)),
    IsTrue(PlantBatch.active),
)


def read_names_ahead(session: Session, facility: Facility, plantings: Sequence[Planting]) -> None:
    """Find out in one query which names of `plantings` active batches of the facility already
    carry, so that the name check of each planting in a bulk request needs no query of its own."""
    wanted = {p.name.strip() for p in plantings if isinstance(p.name, str) and p.name.strip()}
    if not wanted:
        return
    taken = set(
        session.scalars(_NAMES_TAKEN, {"facility_id": facility.id, "names": sorted(wanted)})
    )
    request_state(session).batch_names = NamesReadAhead(facility.id, wanted, taken)


def _name_is_free(session: Session, facility: Facility, name: str, field: str) -> None:
    read = request_state(session).batch_names
    if read is not None and read.facility_id == facility.id and name in read.asked:
        taken = name in read.taken
    else:
        taken = _name_taken_now(session, facility, name)
    if taken:
        raise RuleViolation(f"An active plant batch is already named {name!r}.", field=field)


def _name_taken_now(session: Session, facility: Facility, name: str) -> bool:
    # Batches made earlier in this request may not be flushed yet: look at those first.
    for pending in session.new:
        if isinstance(pending, PlantBatch) and (
            pending.facility_id,
            pending.name,
            pending.active,
        ) == (facility.id, name, True):
            return True
    # No autoflush: it would write those batches one statement at a time.
    with session.no_autoflush:
        found = session.scalar(
            select(PlantBatch.id).where(
                PlantBatch.facility_id == facility.id,
                PlantBatch.name == name,
                IsTrue(PlantBatch.active),
            )
        )
    return found is not None


def _name_now_taken(session: Session, facility: Facility, name: str) -> None:
    """Note a name this request gave to a new active batch."""
    read = request_state(session).batch_names
    if read is not None and read.facility_id == facility.id:
        read.asked.add(name)
        read.taken.add(name)


def _changeable(
    session: Session, facility: Facility, name: str | None, batch_id: int | None = None
) -> PlantBatch:
    """The active batch a change names (by id, or else by name), at a facility that grows."""
    require_grower(facility)
    return active_batch(session, facility, batch_id, name)


def _settle(batch: PlantBatch) -> None:
    """A batch stays active while it still holds untracked plants."""
    batch.active = batch.untracked_count > 0


def _taking(batch: PlantBatch, count: int, doing: str) -> int:
    """`count` plants taken out of a batch, which never gives more than it holds."""
    if count > batch.untracked_count:
        raise RuleViolation(
            f"Plant batch {batch.name!r} holds {batch.untracked_count} untracked plants; "
            f"cannot {doing} {count}.",
            field="count",
        )
    return count


# --- plantings and splits ------------------------------------------------------------------


@dataclass(frozen=True)
class Planting:
    name: str
    batch_type: str
    count: int
    strain: str
    location: str | None = None
    sublocation: str | None = None
    patient_license_number: str | None = None
    planted_date: date | None = None


def _batch_type(value: str) -> str:
    batch_type = reference.find_name(BATCH_TYPES, value)
    if batch_type is None:
        raise RuleViolation(
            f"Plant batch type {value!r} is unknown; use one of {', '.join(BATCH_TYPES)}.",
            field="batch_type",
        )
    return batch_type


def _new_batch_terms(
    planting: Planting | PlantingFromPlant | PlantingFromPackage,
) -> tuple[str, str, int]:
    """What every planting states of its new batch, checked: name, batch type, plant count."""
    return (
        clean_name(planting.name, "plant batch name", "name"),
        _batch_type(planting.batch_type),
        counted(planting.count),
    )


def _new_batch(
    facility: Facility,
    name: str,
    batch_type: str,
    strain_id: int,
    where: tuple[Location | None, Sublocation | None],
    count: int,
    planted: date,
    patient_license_number: str | None,
    **sources: int | None,
) -> PlantBatch:
    """A new active batch of `count` untracked plants (`sources`: where its plants came from)."""
    location, sub = where
    return PlantBatch(
        facility_id=facility.id,
        name=name,
        batch_type=batch_type,
        strain_id=strain_id,
        location_id=None if location is None else location.id,
        sublocation_id=None if sub is None else sub.id,
        patient_license_number=patient_license_number or None,
        untracked_count=count,
        tracked_count=0,
        packaged_count=0,
        destroyed_count=0,
        planted_date=planted,
        active=True,
        **sources,
    )


def plant(session: Session, actor: Actor, facility: Facility, planting: Planting) -> PlantBatch:
    """A new batch of `count` seeds or clones of a strain, planted at a location.

    The batch is added to the session, not flushed: it has its id after the next flush."""
    require_grower(facility)
    name, batch_type, count = _new_batch_terms(planting)
    strain = strain_named(session, facility, planting.strain)
    location, sub = place(
        session, facility, planting.location, planting.sublocation, "plant batches"
    )
    _name_is_free(session, facility, name, "name")
    batch = _new_batch(
        facility,
        name,
        batch_type,
        strain.id,
        (location, sub),
        count,
        not_future(facility, planting.planted_date, "planted_date"),
        planting.patient_license_number,
    )
    # Not flushed here: the request's new batches are inserted together (see bulk).
    session.add(batch)
    _name_now_taken(session, facility, name)
    record_created(session, actor, batch, "plant", facility.id)
    return batch


@dataclass(frozen=True)
class PlantingFromPlant:
    """Seeds or clones taken from a tagged plant, planted as a new batch."""

    plant_label: str
    name: str
    batch_type: str
    count: int
    strain: str | None = None
    location: str | None = None
    sublocation: str | None = None
    patient_license_number: str | None = None
    planted_date: date | None = None


def plant_from_plant(
    session: Session, actor: Actor, facility: Facility, planting: PlantingFromPlant
) -> PlantBatch:
    """A new batch of seeds or clones taken from one of the facility's active plants.

    The planting rules are those of `plant`; besides, the source plant must be active here, the
    batch cannot be planted before the source plant was, and clones are of the source plant's
    strain (seeds may name another strain: a cross). The batch records its source plant.
    """
    require_grower(facility)
    source = active_plant_by_label(session, facility, planting.plant_label)
    name, batch_type, count = _new_batch_terms(planting)
    strain_id = source.strain_id
    if planting.strain:
        strain_id = strain_named(session, facility, planting.strain).id
        if batch_type == "Clone" and strain_id != source.strain_id:
            raise RuleViolation(
                f"Clones of plant {source.label} are of its own strain; "
                f"{planting.strain.strip()!r} is another.",
                field="strain",
            )
    location, sub = place(
        session, facility, planting.location, planting.sublocation, "plant batches"
    )
    when = not_future(facility, planting.planted_date, "planted_date")
    if when < source.planted_date:
        raise RuleViolation(
            f"The date is before plant {source.label} was planted.", field="planted_date"
        )
    _name_is_free(session, facility, name, "name")
    batch = _new_batch(
        facility,
        name,
        batch_type,
        strain_id,
        (location, sub),
        count,
        when,
        planting.patient_license_number,
        source_plant_id=source.id,
    )
    record_new(session, actor, batch, facility.id, action="plant_from_plant")
    return batch


@dataclass(frozen=True)
class PlantingFromPackage:
    """Seeds or clones taken out of a package and planted as a new batch. The quantity taken
    from the package is `package_adjustment_amount` of its unit; when not given, the plant
    count, for a package counted in Each."""

    package_label: str
    name: str
    batch_type: str
    count: int
    strain: str
    location: str | None = None
    sublocation: str | None = None
    patient_license_number: str | None = None
    planted_date: date | None = None
    unpackaged_date: date | None = None
    package_adjustment_amount: Decimal | None = None
    package_adjustment_unit: str | None = None


def _planted_package(session: Session, facility: Facility, label: str) -> tuple[Package, Item]:
    """A package plantings may be taken from: one that may give, of plants or seeds."""
    package = package_labelled(session, facility, label, "package_label")
    check_drawable(package, "package_label")
    item = session.get(Item, package.item_id)
    category = None if item is None else category_of(item)
    if (
        item is None
        or category is None
        or not (category.is_plant or category.product_category_type == "Seeds")
        or package.is_testing_sample
    ):
        raise RuleViolation(
            f"Package {package.label} holds no plants or seeds to plant.", field="package_label"
        )
    return package, item


def _planting_draw(package: Package, planting: PlantingFromPackage, count: int) -> Decimal:
    """What a planting takes from its package, in the package's unit."""
    if planting.package_adjustment_amount is None:
        if package.unit_of_measure_name != "Each":
            raise RuleViolation(
                f"Package {package.label} is kept in {package.unit_of_measure_name}; "
                "{field} is required.",
                field="package_adjustment_amount",
            )
        drawn = Decimal(count)
    else:
        unit = unit_for(package, planting.package_adjustment_unit, "package_adjustment_unit")
        drawn = in_package_unit(
            package, planting.package_adjustment_amount, unit, "package_adjustment_amount"
        )
    check_holds(package, drawn, "package_adjustment_amount")
    return drawn


def plant_from_package(
    session: Session, actor: Actor, facility: Facility, planting: PlantingFromPackage
) -> PlantBatch:
    """A new batch of seeds or clones taken out of one of the facility's packages.

    The planting rules are those of `plant`; besides, the package must be able to give (not
    finished, discontinued or on hold) and hold plants or seeds, what it gives is taken from it
    in the same transaction (never more than it holds), clones are of the package item's strain,
    and neither date falls before the package was packaged. The batch records its package.
    """
    require_grower(facility)
    package, item = _planted_package(session, facility, planting.package_label)
    name, batch_type, count = _new_batch_terms(planting)
    strain = strain_named(session, facility, planting.strain)
    if batch_type == "Clone" and item.strain_id not in (None, strain.id):
        raise RuleViolation(
            f"Clones from package {package.label} are of its item's strain; "
            f"{planting.strain.strip()!r} is another.",
            field="strain",
        )
    where = place(session, facility, planting.location, planting.sublocation, "plant batches")
    planted = not_before_packaging(facility, package, planting.planted_date, "planted_date")
    not_before_packaging(facility, package, planting.unpackaged_date, "unpackaged_date")
    drawn = _planting_draw(package, planting, count)
    _name_is_free(session, facility, name, "name")
    move_quantity(session, actor, package, -drawn, "plant")
    batch = _new_batch(
        facility,
        name,
        batch_type,
        strain.id,
        where,
        count,
        planted,
        planting.patient_license_number,
        source_package_id=package.id,
    )
    session.add(batch)
    session.flush()
    _name_now_taken(session, facility, name)
    drawn_from = {"package_id": package.id, "quantity": str(drawn)}
    after = {**snapshot(batch), "drawn_from": {**drawn_from, "unit": package.unit_of_measure_name}}
    record(
        session,
        actor,
        entity=batch,
        action="plant_from_package",
        facility_id=facility.id,
        after=after,
    )
    return batch


@dataclass(frozen=True)
class Split:
    batch: str
    group_name: str
    count: int
    location: str | None = None
    sublocation: str | None = None
    strain: str | None = None
    patient_license_number: str | None = None
    actual_date: date | None = None


def split(session: Session, actor: Actor, facility: Facility, order: Split) -> PlantBatch:
    """Move `count` untracked plants of a batch into a new batch (never more than it holds)."""
    source = _changeable(session, facility, order.batch)
    count = _taking(source, counted(order.count), "split off")
    name = clean_name(order.group_name, "new plant batch name", "group_name")
    strain_id = source.strain_id
    if order.strain:
        strain_id = strain_named(session, facility, order.strain).id
    location, sub = place(session, facility, order.location, order.sublocation, "plant batches")
    when = not_future(facility, order.actual_date, "actual_date")
    done = audited(session, actor, source, "split", facility.id)
    source.untracked_count -= count
    _settle(source)
    done()
    _name_is_free(session, facility, name, "group_name")
    batch = _new_batch(
        facility,
        name,
        source.batch_type,
        strain_id,
        (location, sub),
        count,
        max(when, source.planted_date),
        order.patient_license_number or source.patient_license_number,
        source_package_id=source.source_package_id,
        source_plant_id=source.source_plant_id,
    )
    if location is None:  # a split without a new place stays where its source is
        batch.location_id, batch.sublocation_id = source.location_id, source.sublocation_id
    add_split(session, actor, batch, source, "split_from_plant_batch_id")
    return batch


# --- counts: adjust, destroy, waste --------------------------------------------------------


@dataclass(frozen=True)
class Adjustment:
    batch_name: str
    quantity: int
    reason: str
    note: str | None = None
    actual_date: date | None = None


def adjust(session: Session, actor: Actor, facility: Facility, command: Adjustment) -> PlantBatch:
    """Correct a batch's untracked count by `quantity` (+/-), for a listed reason."""
    batch = _changeable(session, facility, command.batch_name)
    quantity = command.quantity
    if quantity == 0:
        raise RuleViolation("An adjustment quantity of 0 changes nothing.", field="quantity")
    adjustment_reason(command.reason, command.note)
    not_future(facility, command.actual_date, "actual_date")
    if batch.untracked_count + quantity < 0:
        raise RuleViolation(
            f"Plant batch {batch.name!r} holds {batch.untracked_count} untracked plants; "
            f"an adjustment of {quantity} would leave fewer than none.",
            field="quantity",
        )
    done = audited(session, actor, batch, "adjust", facility.id)
    batch.untracked_count += quantity
    _settle(batch)
    done()
    return batch


@dataclass(frozen=True, kw_only=True)
class BatchDestruction(Waste):
    """Untracked plants of a batch to destroy and the waste their destruction leaves."""

    batch_name: str
    count: int
    actual_date: date | None = None


def destroy(
    session: Session, actor: Actor, facility: Facility, command: BatchDestruction
) -> PlantBatch:
    """Destroy `count` untracked plants of a batch, recording the waste."""
    batch = _changeable(session, facility, command.batch_name)
    count = _taking(batch, counted(command.count), "destroy")
    reason, method = command.check(reference.PLANT_BATCH_WASTE_REASONS)
    when = not_future(facility, command.actual_date, "actual_date")
    done = audited(session, actor, batch, "destroy", facility.id)
    batch.untracked_count -= count
    batch.destroyed_count += count
    _settle(batch)
    done()
    if method is not None and command.weight:
        _batch_waste(session, actor, facility, command, (reason, method, when), batch, count)
    return batch


def _batch_waste(
    session: Session,
    actor: Actor,
    facility: Facility,
    waste: Waste,
    terms: WasteTerms,
    batch: PlantBatch,
    count: int,
) -> PlantWaste:
    return save_waste(
        session,
        actor,
        facility,
        waste,
        terms,
        location_id=batch.location_id,
        plant_batch_id=batch.id,
        plant_count=count,
    )


@dataclass(frozen=True, kw_only=True)
class BatchWasteRecord(Waste):
    """Waste of a batch's plants (clippings, failed starts...) that destroys none of them."""

    batch_name: str
    waste_date: date | None = None


def record_waste(
    session: Session, actor: Actor, facility: Facility, command: BatchWasteRecord
) -> PlantWaste:
    """Waste of a batch's plants that destroys none of them."""
    batch = _changeable(session, facility, command.batch_name)
    method = command.recorded()
    when = not_future(facility, command.waste_date, "waste_date")
    terms = (command.reason or None, method, when)
    return _batch_waste(session, actor, facility, command, terms, batch, 0)


# --- place, name, strain -------------------------------------------------------------------


@dataclass(frozen=True)
class BatchMove:
    batch_name: str
    location: str
    sublocation: str | None = None
    move_date: date | None = None


def move(session: Session, actor: Actor, facility: Facility, command: BatchMove) -> PlantBatch:
    batch = _changeable(session, facility, command.batch_name)
    where = required_place(
        session, facility, command.location, command.sublocation, "plant batches"
    )
    not_future(facility, command.move_date, "move_date")
    move_to(session, actor, facility, batch, where)
    return batch


@dataclass(frozen=True)
class BatchRename:
    batch_id: int | None
    name: str | None
    new_name: str


def rename(session: Session, actor: Actor, facility: Facility, command: BatchRename) -> PlantBatch:
    batch = _changeable(session, facility, command.name, command.batch_id)
    cleaned = clean_name(command.new_name, "new plant batch name", "new_name")
    if cleaned != batch.name:
        _name_is_free(session, facility, cleaned, "new_name")
    done = audited(session, actor, batch, "rename", facility.id)
    batch.name = cleaned
    done()
    return batch


@dataclass(frozen=True, kw_only=True)
class BatchStrainChange(StrainNamed):
    batch_id: int | None = None
    name: str | None = None


def change_strain(
    session: Session, actor: Actor, facility: Facility, command: BatchStrainChange
) -> PlantBatch:
    batch = _changeable(session, facility, command.name, command.batch_id)
    change_strain_of(session, actor, facility, batch, command)
    return batch


# --- additives -----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class BatchAdditive(Additive):
    """An additive applied to the untracked plants of a batch."""

    batch_name: str


def add_additive(
    session: Session, actor: Actor, facility: Facility, command: BatchAdditive
) -> PlantAdditive:
    """Record an additive applied to the untracked plants of a batch."""
    batch = _changeable(session, facility, command.batch_name)
    template = applied_template(session, facility, command)
    when = not_future(facility, command.actual_date, "actual_date")
    applied = (template, additive_details(template, command))
    return save_additives(session, actor, facility, applied, when, [batch])[0]


# --- growth phase: counted plants become tagged plants -------------------------------------

_TRAILING_DIGITS = re.compile(r"^(.*?)(\d+)$")


def consecutive_labels(start: str, count: int) -> Iterator[str]:
    """`start` and the labels after it: the trailing number counts up, keeping its width."""
    match = _TRAILING_DIGITS.match(start)
    if match is None:
        raise RuleViolation(
            f"Starting tag {start!r} does not end in a number.", field="starting_tag"
        )
    prefix, digits = match[1], match[2]
    first = int(digits)
    if len(str(first + count - 1)) > len(digits):
        raise RuleViolation(
            f"Starting tag {start!r} has fewer than {count} tags after it.", field="starting_tag"
        )
    for n in range(first, first + count):
        yield f"{prefix}{n:0{len(digits)}d}"


@dataclass(frozen=True)
class GrowthPhaseChange:
    batch: str
    count: int
    starting_tag: str
    growth_phase: str
    location: str | None = None
    sublocation: str | None = None
    growth_date: date | None = None
    patient_license_number: str | None = None


def _kept_place_holds_plants(session: Session, batch: PlantBatch) -> None:
    if batch.location_id is None:
        return
    kept = session.get(Location, batch.location_id)
    if kept is None or not kept.for_plants:
        raise RuleViolation(
            "The batch's location cannot hold plants; name a new location.", field="location"
        )


def change_growth_phase(
    session: Session, actor: Actor, facility: Facility, change: GrowthPhaseChange
) -> PlantBatch:
    """Tag `count` untracked plants of a batch from the starting tag, into a growth phase.

    The new plants are added to the session; the batch is answered (its counts changed)."""
    batch = _changeable(session, facility, change.batch)
    count = _taking(batch, counted(change.count), "tag")
    phase = tagged_phase(facility, change.growth_phase)
    if not change.starting_tag:
        raise RuleViolation("A starting tag is required.", field="starting_tag")
    location, sub = place(session, facility, change.location, change.sublocation, "plants")
    if location is None:
        _kept_place_holds_plants(session, batch)
    when = not_future(facility, change.growth_date, "growth_date")
    if when < batch.planted_date:
        raise RuleViolation("The growth date is before the batch was planted.", field="growth_date")
    tags = [
        claim_tag(session, actor, facility, label, "Plant")
        for label in consecutive_labels(change.starting_tag.strip(), count)
    ]
    plants = [
        Plant(
            facility_id=facility.id,
            label=tag.label,
            tag_id=tag.id,
            plant_batch_id=batch.id,
            strain_id=batch.strain_id,
            location_id=batch.location_id if location is None else location.id,
            sublocation_id=batch.sublocation_id if location is None else (sub and sub.id),
            patient_license_number=change.patient_license_number or batch.patient_license_number,
            growth_phase=phase,
            state="Tracked",
            planted_date=batch.planted_date,
            vegetative_date=when,
            flowering_date=when if phase == "Flowering" else None,
            mother_plant_date=when if phase == "Mother" else None,
            harvest_count=0,
            is_on_hold=False,
        )
        for tag in tags
    ]
    session.add_all(plants)
    done = audited(session, actor, batch, "change_growth_phase", facility.id)
    batch.untracked_count -= count
    batch.tracked_count += count
    _settle(batch)
    done()
    for made in plants:  # flushed by done(): recorded now, with their ids
        record_created(session, actor, made, "create", facility.id)
    return batch
