"""Harvests: flowering plants cut into a harvest batch, then drawn down by waste and packages.

The weights of a harvest are kept in its own unit of weight. Whatever is posted in another unit
is converted exactly (`domain/units.py`) before it touches the harvest, and the harvest's books
always balance:

    current weight = total wet weight - waste - packaged - restored

Nothing may draw more than the current weight, a finished harvest takes no new draws, and the
plants of a harvest can be restored only while nothing has been drawn from it.

Bodies name harvests by id (or by name); those references are resolved here, the harvest
locked FOR UPDATE since draws read its current weight and then lower it. A harvest of another
facility reads as unknown, like a missing one: the object is refused, not the credentials.
Every service takes one command (or, to take back a waste record, the loaded record).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import Conflict, FieldPath, NotFound, RuleViolation
from leafledger.domain.models import (
    Facility,
    Harvest,
    HarvestPlant,
    HarvestWaste,
    Location,
    Package,
    PackageSource,
    Plant,
)
from leafledger.domain.models.base import fits
from leafledger.domain.reference import HARVEST_WASTE_TYPES, find_named
from leafledger.domain.request_state import request_state
from leafledger.domain.services.audit import (
    audited,
    changed,
    changed_in_memory,
    record_created,
    record_new,
)
from leafledger.domain.services.cultivation import active_plant_by_label
from leafledger.domain.services.lookups import (
    location_named,
    locked_in_id_order,
    not_future,
    sublocation_named,
)
from leafledger.domain.units import QuantityType, UnitOfMeasure, convert, find_unit

# Quantities are stored with ten decimal places (NUMERIC(28, 10) on PostgreSQL).
PLACES = Decimal("1e-10")
# Far above any real weight, well inside what the columns hold.
LARGEST = Decimal("1e15")

WHOLE_PLANT, PRODUCT = "WholePlant", "Product"


# --- quantities ------------------------------------------------------------------------------


def stored(value: Decimal) -> Decimal:
    """`value` as the ledger keeps it: at most ten decimal places (rounded half-even)."""
    exact = value.quantize(PLACES, rounding=ROUND_HALF_EVEN)
    return exact.normalize() if exact != exact.to_integral_value() else exact.quantize(Decimal(1))


def amount(value: object, field: str | FieldPath, *, allow_zero: bool = False) -> Decimal:
    """A posted quantity (the command's `field`): finite, positive, at most ten places."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise RuleViolation("{field} must be a number.", field=field)
    number = Decimal(value)
    if not number.is_finite():
        raise RuleViolation("{field} must be a finite number.", field=field)
    if number < 0 or (number == 0 and not allow_zero):
        raise RuleViolation(f"{{field}} must be greater than zero, got {number}.", field=field)
    if number >= LARGEST:
        raise RuleViolation(f"{{field}} {number} is too large.", field=field)
    if number != number.quantize(PLACES, rounding=ROUND_HALF_EVEN):
        raise RuleViolation("{field} has more than ten decimal places.", field=field)
    return number


def weight_unit(name: object, field: str | FieldPath = "unit_of_weight") -> UnitOfMeasure:
    """An active unit of weight, by name or abbreviation (the command's `field`)."""
    if not isinstance(name, str) or not name.strip():
        raise RuleViolation("A unit of weight is required.", field=field)
    unit = find_unit(name)
    if unit is None:
        raise RuleViolation(f"Unknown unit of measure {name!r}.", field=field)
    if unit.quantity_type is not QuantityType.WEIGHT:
        raise RuleViolation(f"{unit.name} is not a unit of weight.", field=field)
    if not unit.active:
        raise RuleViolation(f"The unit {unit.name} is no longer accepted.", field=field)
    return unit


def in_unit(quantity: Decimal, unit: UnitOfMeasure | str, target: UnitOfMeasure | str) -> Decimal:
    """`quantity` of `unit` in `target`, as the ledger stores it."""
    return stored(convert(quantity, unit, target))


def created(
    session: Session,
    actor: Actor,
    entity: Harvest | HarvestPlant | HarvestWaste | Package | PackageSource,
    *,
    flush: bool = True,
) -> None:
    """Add a new ledger row and record its creation; flushed now, since the rows made after it
    in the same request refer to its id. Without `flush`, the row waits for the request's
    next flush (rows made after it refer to it by relationship, not id)."""
    if flush:
        record_new(session, actor, entity, entity.facility_id)
        return
    session.add(entity)
    record_created(session, actor, entity, "create", entity.facility_id)


# The books a harvest keeps, and which way an entry in each moves its current weight.
Book = Literal[
    "total_wet_weight", "total_waste_weight", "total_packaged_weight", "total_restored_weight"
]
_CURRENT_MOVES: dict[Book, int] = {
    "total_wet_weight": 1,
    "total_waste_weight": -1,
    "total_packaged_weight": -1,
    "total_restored_weight": -1,
}


def _post(
    session: Session,
    actor: Actor,
    harvest: Harvest,
    action: str,
    book: Book,
    weight: Decimal,
    *,
    plants: int = 0,
    packages: int = 0,
) -> None:
    """Enter `weight` (in the harvest's unit; negative takes an entry back) in one of the
    harvest's books and move its current weight with it: every change goes through here, so
    current = wet - waste - packaged - restored always holds. Audited as `action`."""
    # Without a flush: the packages of a bulk request drawing on one harvest write it once.
    changed_in_memory(
        session,
        actor,
        harvest,
        action,
        harvest.facility_id,
        **{book: getattr(harvest, book) + weight},
        current_weight=harvest.current_weight + _CURRENT_MOVES[book] * weight,
        plant_count=harvest.plant_count + plants,
        package_count=harvest.package_count + packages,
    )


# --- lookups ---------------------------------------------------------------------------------


def harvest_by_id(session: Session, facility: Facility, harvest_id: int) -> Harvest:
    """A harvest of this facility by id, locked (bodies: a foreign id reads as unknown)."""
    held = request_state(session).locked_harvests.get(harvest_id)
    if held is not None and held.facility_id == facility.id:
        return held
    harvest = (
        session.get(Harvest, harvest_id, with_for_update=True)
        if fits(Harvest.id, harvest_id)
        else None
    )
    if harvest is None or harvest.facility_id != facility.id:
        raise NotFound(f"No harvest {harvest_id} at this facility.")
    return harvest


def lock_harvests(session: Session, facility: Facility, ids: Iterable[object]) -> None:
    """Lock the facility's harvests `ids` name (`lookups.locked_in_id_order`) and keep them
    for `harvest_by_id`. Ids that name no harvest of the facility are left to the object
    naming them."""
    wanted = sorted({i for i in ids if isinstance(i, int) and fits(Harvest.id, i)})
    found = locked_in_id_order(session, Harvest, Harvest.id, wanted, facility.id)
    request_state(session).locked_harvests.update({harvest.id: harvest for harvest in found})


def _current_named(session: Session, facility: Facility, name: str) -> Harvest | None:
    """The facility's harvest called `name` (not an archived one), locked."""
    return session.scalars(
        select(Harvest)
        .where(
            Harvest.facility_id == facility.id,
            Harvest.name == name,
            Harvest.archived_date.is_(None),
        )
        .with_for_update()
    ).first()


def harvest_named(session: Session, facility: Facility, name: str) -> Harvest:
    """The harvest of this facility with this name (the current one, not an archived one)."""
    if not name.strip():
        raise RuleViolation("A harvest name is required.")
    harvest = _current_named(session, facility, name.strip())
    if harvest is None:
        raise NotFound(f"No harvest named {name.strip()!r} at this facility.")
    return harvest


def harvest_referred(
    session: Session, facility: Facility, harvest_id: int | None, name: str | None
) -> Harvest:
    """The harvest a command names by id, or else by name."""
    if harvest_id is not None:
        return harvest_by_id(session, facility, harvest_id)
    if name is not None:
        return harvest_named(session, facility, name)
    raise RuleViolation("Name the harvest, by its id or by its name.")


def _plant_labelled(session: Session, facility: Facility, label: str, at: FieldPath) -> Plant:
    if not label.strip():
        raise RuleViolation("A plant tag label is required.", field=at)
    plant = session.scalars(select(Plant).where(Plant.label == label.strip())).first()
    if plant is None or plant.facility_id != facility.id:
        raise NotFound(f"No plant tagged {label.strip()} at this facility.")
    return plant


# --- harvesting plants ------------------------------------------------------------------------


@dataclass(frozen=True)
class PlantCut:
    """One plant to harvest (whole) or manicure, as a request names it."""

    plant: str
    weight: Decimal
    unit_of_weight: str
    drying_location: str
    drying_sublocation: str | None = None
    harvest_name: str | None = None
    patient_license_number: str | None = None
    actual_date: date | None = None


def _generated_name(session: Session, facility: Facility, base: str) -> tuple[str, Harvest | None]:
    """A generated harvest name, and the open harvest of that name to add to (if any)."""
    candidate, suffix = base, 1
    while True:
        existing = _current_named(session, facility, candidate)
        if existing is None:
            return candidate, None
        if existing.finished_date is None:
            return candidate, existing
        suffix += 1
        candidate = f"{base}-{suffix}"


def _clean_harvest_name(name: str, field: str) -> str:
    clean = name.strip()
    if not clean:
        raise RuleViolation("A harvest name is required.", field=field)
    if len(clean) > 200:
        raise RuleViolation("A harvest name is at most 200 characters.", field=field)
    return clean


def _refuse_other_harvest(existing: Harvest, harvest_type: str, location: Location) -> Harvest:
    """`existing`, if a plant of `harvest_type` drying at `location` may join it."""
    if existing.finished_date is not None:
        raise RuleViolation(f"The harvest {existing.name!r} is finished; it takes no plants.")
    if existing.harvest_type != harvest_type:
        raise RuleViolation(
            f"The harvest {existing.name!r} is a {existing.harvest_type} harvest, "
            f"not a {harvest_type} one."
        )
    if existing.drying_location_id != location.id:
        raise RuleViolation(
            f"The harvest {existing.name!r} dries in another location; move it first."
        )
    if existing.is_on_hold:
        raise RuleViolation(f"The harvest {existing.name!r} is on hold.")
    return existing


def _target_harvest(
    session: Session,
    actor: Actor,
    facility: Facility,
    cut: PlantCut,
    harvest_type: str,
    unit: UnitOfMeasure,
    location: Location,
    sublocation_id: int | None,
    actual: date,
) -> Harvest:
    """The open harvest the plant goes to; a new one when the name is new."""
    if cut.harvest_name is None or not cut.harvest_name.strip():
        letter = "H" if harvest_type == WHOLE_PLANT else "M"
        name, existing = _generated_name(
            session, facility, f"{actual.isoformat()}-{location.name[:170]}-{letter}"
        )
    else:
        name = _clean_harvest_name(cut.harvest_name, "harvest_name")
        existing = _current_named(session, facility, name)
    if existing is not None:
        return _refuse_other_harvest(existing, harvest_type, location)
    harvest = Harvest(
        facility_id=facility.id,
        name=name,
        harvest_type=harvest_type,
        drying_location_id=location.id,
        drying_sublocation_id=sublocation_id,
        patient_license_number=cut.patient_license_number or None,
        unit_of_weight_name=unit.name,
        total_wet_weight=Decimal(0),
        current_weight=Decimal(0),
        total_waste_weight=Decimal(0),
        total_packaged_weight=Decimal(0),
        total_restored_weight=Decimal(0),
        plant_count=0,
        package_count=0,
        harvest_start_date=actual,
    )
    created(session, actor, harvest)
    return harvest


def _cut_plant(
    session: Session, actor: Actor, facility: Facility, cut: PlantCut, *, manicure: bool
) -> Harvest:
    if not facility.can("CanGrowPlants"):
        raise RuleViolation(f"Facility {facility.license_number} may not grow or harvest plants.")
    plant = active_plant_by_label(session, facility, cut.plant)
    if plant.growth_phase != "Flowering":
        raise RuleViolation(
            f"Plant {plant.label} is {plant.growth_phase}; only flowering plants are harvested."
        )
    if plant.is_on_hold:
        raise RuleViolation(f"Plant {plant.label} is on hold.")
    weight = amount(cut.weight, "weight")
    unit = weight_unit(cut.unit_of_weight)
    actual = not_future(facility, cut.actual_date, "actual_date")
    location = location_named(session, facility, cut.drying_location, holding="harvests")
    sublocation = (
        sublocation_named(session, facility, cut.drying_sublocation)
        if cut.drying_sublocation
        else None
    )
    harvest_type = PRODUCT if manicure else WHOLE_PLANT
    harvest = _target_harvest(
        session,
        actor,
        facility,
        cut,
        harvest_type,
        unit,
        location,
        None if sublocation is None else sublocation.id,
        actual,
    )
    added = in_unit(weight, unit, harvest.unit_of_weight_name)
    if added <= 0:
        raise RuleViolation(
            f"{{field}} {weight} {unit.name} is too small to record.", field="weight"
        )

    already = session.scalars(
        select(HarvestPlant.id).where(
            HarvestPlant.harvest_id == harvest.id,
            HarvestPlant.plant_id == plant.id,
            HarvestPlant.restored.is_(False),
        )
    ).first()
    # A group tag stands for several plants; a manicured plant counts once.
    joined = plant.plant_count if already is None else 0
    _post(session, actor, harvest, "add_plant", "total_wet_weight", added, plants=joined)

    contribution = HarvestPlant(
        facility_id=facility.id,
        harvest_id=harvest.id,
        plant_id=plant.id,
        wet_weight=added,
        harvested_date=actual,
    )
    created(session, actor, contribution)

    done = audited(session, actor, plant, "manicure" if manicure else "harvest", plant.facility_id)
    plant.state = "Harvested" if manicure else "HarvestedFully"
    plant.harvested_date = actual
    plant.harvest_count += 1
    plant.last_harvest_id = harvest.id
    if plant.harvested_wet_weight is None or plant.harvested_unit_of_weight is None:
        plant.harvested_wet_weight = added
        plant.harvested_unit_of_weight = harvest.unit_of_weight_name
    else:
        plant.harvested_wet_weight = plant.harvested_wet_weight + in_unit(
            added, harvest.unit_of_weight_name, plant.harvested_unit_of_weight
        )
    done()
    return harvest


def harvest_plant(session: Session, actor: Actor, facility: Facility, cut: PlantCut) -> Harvest:
    """Cut one flowering plant into a harvest, whole: it leaves the active plants. Returns
    the harvest."""
    return _cut_plant(session, actor, facility, cut, manicure=False)


def manicure_plant(session: Session, actor: Actor, facility: Facility, cut: PlantCut) -> Harvest:
    """Manicure one flowering plant into a harvest: it keeps growing and may be manicured
    again. Returns the harvest."""
    return _cut_plant(session, actor, facility, cut, manicure=True)


def harvest_plants(
    session: Session,
    actor: Actor,
    facility: Facility,
    cuts: Sequence[PlantCut],
    *,
    manicure: bool = False,
) -> list[int]:
    """Harvest (or manicure) each plant in order; the harvest ids, one per plant.

    An error names the index of the plant that caused it; the caller's transaction is then
    rolled back as a whole.
    """
    ids: list[int] = []
    for row, cut in enumerate(cuts):
        try:
            ids.append(_cut_plant(session, actor, facility, cut, manicure=manicure).id)
        except RuleViolation as exc:
            raise exc.at_row(row) if exc.row is None else exc from None
        except (NotFound, Conflict) as exc:
            raise RuleViolation(exc.message, row=row) from None
    return ids


# --- drawing on a harvest ---------------------------------------------------------------------


def check_open(harvest: Harvest, field: str | FieldPath | None = None) -> None:
    """Refuse a change to a finished or held harvest (`field`: the reference to it)."""
    if harvest.finished_date is not None:
        raise RuleViolation(
            f"The harvest {harvest.name!r} is finished; unfinish it first.", field=field
        )
    if harvest.is_on_hold:
        raise RuleViolation(f"The harvest {harvest.name!r} is on hold.", field=field)


def check_draw(
    harvest: Harvest, drawn: Decimal, what: str, field: str | FieldPath | None = None
) -> None:
    """Refuse a draw (in the harvest's unit) that the harvest cannot give."""
    check_open(harvest, field)
    if drawn <= 0:
        raise RuleViolation(
            f"The {what} is too small to draw from harvest {harvest.name!r}.", field=field
        )
    if drawn > harvest.current_weight:
        raise RuleViolation(
            f"The {what} ({drawn} {harvest.unit_of_weight_name}) exceeds the current weight of "
            f"harvest {harvest.name!r} ({harvest.current_weight} {harvest.unit_of_weight_name}).",
            field=field,
        )


@dataclass(frozen=True)
class RecordWaste:
    """Waste weighed out of a harvest, in any unit of weight."""

    harvest_id: int
    waste_type: str
    weight: Decimal
    unit_of_weight: str
    actual_date: date | None = None


def record_waste(
    session: Session, actor: Actor, facility: Facility, command: RecordWaste
) -> HarvestWaste:
    """Waste from a harvest: lowers its current weight, never below zero."""
    harvest = harvest_by_id(session, facility, command.harvest_id)
    if not command.waste_type.strip():
        raise RuleViolation("A waste type is required.", field="waste_type")
    kind = find_named(HARVEST_WASTE_TYPES, command.waste_type)
    if kind is None:
        names = ", ".join(t.name for t in HARVEST_WASTE_TYPES)
        raise RuleViolation(
            f"Unknown waste type {command.waste_type.strip()!r}; one of: {names}.",
            field="waste_type",
        )
    entered = amount(command.weight, "weight")
    unit = weight_unit(command.unit_of_weight)
    actual = not_future(facility, command.actual_date, "actual_date")
    if actual < harvest.harvest_start_date:
        raise RuleViolation(
            "Waste cannot be recorded before the harvest started.", field="actual_date"
        )
    drawn = in_unit(entered, unit, harvest.unit_of_weight_name)
    check_draw(harvest, drawn, "waste weight")
    _post(session, actor, harvest, "waste", "total_waste_weight", drawn)
    waste = HarvestWaste(
        facility_id=facility.id,
        harvest_id=harvest.id,
        waste_type_name=kind.name,
        weight=drawn,
        entered_weight=entered,
        entered_unit=unit.name,
        waste_date=actual,
    )
    created(session, actor, waste)
    return waste


def discontinue_waste(
    session: Session, actor: Actor, facility: Facility, waste: HarvestWaste
) -> HarvestWaste:
    """Take back a waste record: its weight returns to the harvest."""
    if not waste.active:
        raise RuleViolation(f"Waste record {waste.id} is discontinued already.")
    harvest = harvest_by_id(session, facility, waste.harvest_id)
    check_open(harvest)
    _post(session, actor, harvest, "waste_discontinued", "total_waste_weight", -waste.weight)
    done = audited(session, actor, waste, "discontinue", waste.facility_id)
    waste.active = False
    done()
    return waste


def draw_for_package(
    session: Session, actor: Actor, harvest: Harvest, drawn: Decimal, *, first_draw: bool
) -> None:
    """Lower a harvest by `drawn` (its own unit) for a package; the caller checked the draw."""
    _post(
        session,
        actor,
        harvest,
        "package",
        "total_packaged_weight",
        drawn,
        packages=1 if first_draw else 0,
    )


# --- lifecycle -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FinishHarvest:
    harvest_id: int
    actual_date: date | None = None


@dataclass(frozen=True)
class UnfinishHarvest:
    harvest_id: int


@dataclass(frozen=True)
class MoveHarvest:
    """A harvest (by id, or else by name) moved to another drying location."""

    drying_location: str
    harvest_id: int | None = None
    harvest_name: str | None = None
    drying_sublocation: str | None = None
    actual_date: date | None = None


@dataclass(frozen=True)
class RenameHarvest:
    """A harvest (by id, or else by its current name) given a new name."""

    new_name: str
    harvest_id: int | None = None
    old_name: str | None = None


def finish_harvest(
    session: Session, actor: Actor, facility: Facility, command: FinishHarvest
) -> Harvest:
    harvest = harvest_by_id(session, facility, command.harvest_id)
    if harvest.finished_date is not None:
        raise RuleViolation(f"The harvest {harvest.name!r} is finished already.")
    actual = not_future(facility, command.actual_date, "actual_date")
    if actual < harvest.harvest_start_date:
        raise RuleViolation("A harvest cannot finish before it started.", field="actual_date")
    return _change(session, actor, harvest, "finish", finished_date=actual)


def unfinish_harvest(
    session: Session, actor: Actor, facility: Facility, command: UnfinishHarvest
) -> Harvest:
    harvest = harvest_by_id(session, facility, command.harvest_id)
    if harvest.finished_date is None:
        raise RuleViolation(f"The harvest {harvest.name!r} is not finished.")
    return _change(session, actor, harvest, "unfinish", finished_date=None)


def _change(
    session: Session, actor: Actor, harvest: Harvest, action: str, **values: object
) -> Harvest:
    """Set `values` on the harvest (none of its weights: see `_post`), audited as `action`."""
    changed(session, actor, harvest, action, harvest.facility_id, **values)
    return harvest


def move_harvest(
    session: Session, actor: Actor, facility: Facility, command: MoveHarvest
) -> Harvest:
    harvest = harvest_referred(session, facility, command.harvest_id, command.harvest_name)
    check_open(harvest)
    not_future(facility, command.actual_date, "actual_date")
    location = location_named(session, facility, command.drying_location, holding="harvests")
    sublocation = (
        sublocation_named(session, facility, command.drying_sublocation)
        if command.drying_sublocation
        else None
    )
    return _change(
        session,
        actor,
        harvest,
        "move",
        drying_location_id=location.id,
        drying_sublocation_id=None if sublocation is None else sublocation.id,
    )


def rename_harvest(
    session: Session, actor: Actor, facility: Facility, command: RenameHarvest
) -> Harvest:
    harvest = harvest_referred(session, facility, command.harvest_id, command.old_name)
    name = _clean_harvest_name(command.new_name, "new_name")
    if name == harvest.name:
        return harvest
    if _current_named(session, facility, name) is not None:
        raise RuleViolation(f"Another harvest is named {name!r} already.", field="new_name")
    return _change(session, actor, harvest, "rename", name=name)


def has_draws(session: Session, harvest: Harvest) -> bool:
    """Whether anything was taken from the harvest (active waste or any package)."""
    if harvest.package_count > 0 or harvest.total_packaged_weight > 0:
        return True
    waste = session.scalars(
        select(HarvestWaste.id).where(
            HarvestWaste.harvest_id == harvest.id, HarvestWaste.active.is_(True)
        )
    ).first()
    return waste is not None


@dataclass(frozen=True)
class RestorePlants:
    """Plants of a harvest, by tag label, whose harvesting is undone."""

    harvest_id: int
    plant_tags: Sequence[str]


def restore_harvested_plants(
    session: Session, actor: Actor, facility: Facility, command: RestorePlants
) -> Harvest:
    """Undo the harvesting of some plants: their wet weight leaves the harvest and whole-harvested
    plants grow again. Only while nothing has been drawn from the harvest."""
    harvest = harvest_by_id(session, facility, command.harvest_id)
    if not command.plant_tags:
        raise RuleViolation("{field} must list at least one plant tag.", field="plant_tags")
    check_open(harvest)
    if has_draws(session, harvest):
        raise RuleViolation(
            f"Waste or packages were taken from harvest {harvest.name!r}; "
            "its plants can no longer be restored."
        )
    for index, label in enumerate(command.plant_tags):
        plant = _plant_labelled(session, facility, label, ("plant_tags", index))
        _restore_plant(session, actor, harvest, plant)
    return harvest


def _restore_plant(session: Session, actor: Actor, harvest: Harvest, plant: Plant) -> None:
    contributions = list(
        session.scalars(
            select(HarvestPlant).where(
                HarvestPlant.harvest_id == harvest.id,
                HarvestPlant.plant_id == plant.id,
                HarvestPlant.restored.is_(False),
            )
        )
    )
    if not contributions:
        raise RuleViolation(f"Plant {plant.label} is not part of harvest {harvest.name!r}.")
    restored = sum((c.wet_weight for c in contributions), Decimal(0))
    for contribution in contributions:
        done = audited(session, actor, contribution, "restore", contribution.facility_id)
        contribution.restored = True
        done()
    _post(
        session,
        actor,
        harvest,
        "restore_plant",
        "total_restored_weight",
        restored,
        plants=-plant.plant_count,
    )

    done = audited(session, actor, plant, "restore", plant.facility_id)
    plant.harvest_count = max(plant.harvest_count - len(contributions), 0)
    if plant.harvested_wet_weight is not None and plant.harvested_unit_of_weight is not None:
        left = plant.harvested_wet_weight - in_unit(
            restored, harvest.unit_of_weight_name, plant.harvested_unit_of_weight
        )
        plant.harvested_wet_weight = left if left > 0 else None
    if plant.harvest_count == 0:
        plant.state = "Tracked"
        plant.harvested_date = None
        plant.harvested_wet_weight = None
        plant.harvested_unit_of_weight = None
        plant.last_harvest_id = None
    elif plant.state == "HarvestedFully":
        plant.state = "Harvested"
    done()
