"""Harvests: flowering plants cut into a harvest batch, then drawn down by waste and packages.

The weights of a harvest are kept in its own unit of weight. Whatever is posted in another unit
is converted exactly (`domain/units.py`) before it touches the harvest, and the harvest's books
always balance:

    current weight = total wet weight - waste - packaged - restored

Nothing may draw more than the current weight, a finished harvest takes no new draws, and the
plants of a harvest can be restored only while nothing has been drawn from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import Conflict, NotFound, RuleViolation
from leafledger.domain.models import (
    Facility,
    Harvest,
    HarvestPlant,
    HarvestWaste,
    Location,
    Plant,
    Strain,
)
from leafledger.domain.reference import HARVEST_WASTE_TYPES, find_named
from leafledger.domain.services.audit import record, snapshot
from leafledger.domain.services.cultivation import active_plant_by_label
from leafledger.domain.services.lookups import facility_today, location_named, sublocation_named
from leafledger.domain.units import QuantityType, UnitOfMeasure, convert, get_unit

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


def amount(value: object, what: str, *, allow_zero: bool = False) -> Decimal:
    """A posted quantity: a finite, positive decimal of at most ten decimal places."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise RuleViolation(f"{what} must be a number.")
    number = Decimal(value)
    if not number.is_finite():
        raise RuleViolation(f"{what} must be a finite number.")
    if number < 0 or (number == 0 and not allow_zero):
        raise RuleViolation(f"{what} must be greater than zero, got {number}.")
    if number >= LARGEST:
        raise RuleViolation(f"{what} {number} is too large.")
    if number != number.quantize(PLACES, rounding=ROUND_HALF_EVEN):
        raise RuleViolation(f"{what} has more than ten decimal places.")
    return number


def weight_unit(name: object) -> UnitOfMeasure:
    """An active unit of weight, by name or abbreviation."""
    if not isinstance(name, str) or not name.strip():
        raise RuleViolation("A unit of weight is required.")
    unit = get_unit(name)
    if unit.quantity_type is not QuantityType.WEIGHT:
        raise RuleViolation(f"{unit.name} is not a unit of weight.")
    if not unit.active:
        raise RuleViolation(f"The unit {unit.name} is no longer accepted.")
    return unit


def in_unit(quantity: Decimal, unit: UnitOfMeasure | str, target: UnitOfMeasure | str) -> Decimal:
    """`quantity` of `unit` in `target`, as the ledger stores it."""
    return stored(convert(quantity, unit, target))


def check_date(facility: Facility, actual: date | None) -> date:
    """The date of an action: today at the facility when omitted; never in the future."""
    today = facility_today(facility)
    if actual is None:
        return today
    if actual > today:
        raise RuleViolation(f"The date {actual.isoformat()} is in the future.")
    return actual


# --- lookups ---------------------------------------------------------------------------------


def harvest_by_id(session: Session, facility: Facility, harvest_id: object) -> Harvest:
    """A harvest of this facility by id (bodies: a foreign id reads as unknown)."""
    if isinstance(harvest_id, bool) or not isinstance(harvest_id, int):
        raise RuleViolation("A harvest Id (a number) is required.")
    # Locked: waste and packages read the current weight, then lower it.
    harvest = (
        session.get(Harvest, harvest_id, with_for_update=True) if 0 < harvest_id < 2**63 else None
    )
    if harvest is None or harvest.facility_id != facility.id:
        raise NotFound(f"No harvest {harvest_id} at this facility.")
    return harvest


def harvest_named(session: Session, facility: Facility, name: object) -> Harvest:
    """The harvest of this facility with this name (the current one, not an archived one)."""
    if not isinstance(name, str) or not name.strip():
        raise RuleViolation("A harvest name is required.")
    harvest = session.scalars(
        select(Harvest)
        .where(
            Harvest.facility_id == facility.id,
            Harvest.name == name.strip(),
            Harvest.archived_date.is_(None),
        )
        .with_for_update()
    ).first()
    if harvest is None:
        raise NotFound(f"No harvest named {name.strip()!r} at this facility.")
    return harvest


def harvest_referred(
    session: Session, facility: Facility, harvest_id: object, name: object
) -> Harvest:
    """The harvest a body object names by Id, or else by name."""
    if harvest_id is not None:
        return harvest_by_id(session, facility, harvest_id)
    if name is not None:
        return harvest_named(session, facility, name)
    raise RuleViolation("Name the harvest by its Id or its name.")


def _plant_labelled(session: Session, facility: Facility, label: object) -> Plant:
    if not isinstance(label, str) or not label.strip():
        raise RuleViolation("A plant tag label is required.")
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


def _audit(
    session: Session,
    actor: Actor,
    entity: Harvest | Plant | HarvestPlant | HarvestWaste,
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


def _generated_name(session: Session, facility: Facility, base: str) -> tuple[str, Harvest | None]:
    """A generated harvest name, and the open harvest of that name to add to (if any)."""
    candidate, suffix = base, 1
    while True:
        existing = session.scalars(
            select(Harvest)
            .where(
                Harvest.facility_id == facility.id,
                Harvest.name == candidate,
                Harvest.archived_date.is_(None),
            )
            .with_for_update()
        ).first()
        if existing is None:
            return candidate, None
        if existing.finished_date is None:
            return candidate, existing
        suffix += 1
        candidate = f"{base}-{suffix}"


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
    existing: Harvest | None = None
    if cut.harvest_name is None or not cut.harvest_name.strip():
        letter = "H" if harvest_type == WHOLE_PLANT else "M"
        name, existing = _generated_name(
            session, facility, f"{actual.isoformat()}-{location.name[:170]}-{letter}"
        )
    else:
        name = cut.harvest_name.strip()
        if len(name) > 200:
            raise RuleViolation("A harvest name is at most 200 characters.")
        existing = session.scalars(
            select(Harvest)
            .where(
                Harvest.facility_id == facility.id,
                Harvest.name == name,
                Harvest.archived_date.is_(None),
            )
            .with_for_update()
        ).first()
    if existing is not None:
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
    session.add(harvest)
    _audit(session, actor, harvest, "create", None)
    return harvest


def harvest_plant(
    session: Session, actor: Actor, facility: Facility, cut: PlantCut, *, manicure: bool = False
) -> Harvest:
    """Cut one flowering plant into a harvest: whole (it leaves the active plants) or manicure
    (it keeps growing and may be manicured again). Returns the harvest."""
    if not facility.can("CanGrowPlants"):
        raise RuleViolation(f"Facility {facility.license_number} may not grow or harvest plants.")
    plant = active_plant_by_label(session, facility, cut.plant)
    if plant.growth_phase != "Flowering":
        raise RuleViolation(
            f"Plant {plant.label} is {plant.growth_phase}; only flowering plants are harvested."
        )
    if plant.is_on_hold:
        raise RuleViolation(f"Plant {plant.label} is on hold.")
    weight = amount(cut.weight, "Weight")
    unit = weight_unit(cut.unit_of_weight)
    actual = check_date(facility, cut.actual_date)
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
        raise RuleViolation(f"Weight {weight} {unit.name} is too small to record.")

    already = session.scalars(
        select(HarvestPlant.id).where(
            HarvestPlant.harvest_id == harvest.id,
            HarvestPlant.plant_id == plant.id,
            HarvestPlant.restored.is_(False),
        )
    ).first()
    before = snapshot(harvest)
    harvest.total_wet_weight = harvest.total_wet_weight + added
    harvest.current_weight = harvest.current_weight + added
    if already is None:
        harvest.plant_count += plant.plant_count  # a group tag stands for several plants
    _audit(session, actor, harvest, "add_plant", before)

    contribution = HarvestPlant(
        facility_id=facility.id,
        harvest_id=harvest.id,
        plant_id=plant.id,
        wet_weight=added,
        harvested_date=actual,
    )
    session.add(contribution)
    _audit(session, actor, contribution, "create", None)

    before = snapshot(plant)
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
    _audit(session, actor, plant, "manicure" if manicure else "harvest", before)
    return harvest


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
            ids.append(harvest_plant(session, actor, facility, cut, manicure=manicure).id)
        except RuleViolation as exc:
            raise exc.at_row(row) if exc.row is None else exc from None
        except (NotFound, Conflict) as exc:
            raise RuleViolation(exc.message, row=row) from None
    return ids


# --- drawing on a harvest ---------------------------------------------------------------------


def check_open(harvest: Harvest) -> None:
    if harvest.finished_date is not None:
        raise RuleViolation(f"The harvest {harvest.name!r} is finished; unfinish it first.")
    if harvest.is_on_hold:
        raise RuleViolation(f"The harvest {harvest.name!r} is on hold.")


def check_draw(harvest: Harvest, drawn: Decimal, what: str) -> None:
    """Refuse a draw (in the harvest's unit) that the harvest cannot give."""
    check_open(harvest)
    if drawn <= 0:
        raise RuleViolation(f"The {what} is too small to draw from harvest {harvest.name!r}.")
    if drawn > harvest.current_weight:
        raise RuleViolation(
            f"The {what} ({drawn} {harvest.unit_of_weight_name}) exceeds the current weight of "
            f"harvest {harvest.name!r} ({harvest.current_weight} {harvest.unit_of_weight_name})."
        )


def record_waste(
    session: Session,
    actor: Actor,
    facility: Facility,
    harvest: Harvest,
    *,
    waste_type: object,
    weight: object,
    unit_of_weight: object,
    actual_date: date | None = None,
) -> HarvestWaste:
    """Waste from a harvest: lowers its current weight, never below zero."""
    if not isinstance(waste_type, str) or not waste_type.strip():
        raise RuleViolation("A waste type is required.")
    kind = find_named(HARVEST_WASTE_TYPES, waste_type)
    if kind is None:
        names = ", ".join(t.name for t in HARVEST_WASTE_TYPES)
        raise RuleViolation(f"Unknown waste type {waste_type.strip()!r}; one of: {names}.")
    entered = amount(weight, "WasteWeight")
    unit = weight_unit(unit_of_weight)
    actual = check_date(facility, actual_date)
    if actual < harvest.harvest_start_date:
        raise RuleViolation("Waste cannot be recorded before the harvest started.")
    drawn = in_unit(entered, unit, harvest.unit_of_weight_name)
    check_draw(harvest, drawn, "waste weight")
    before = snapshot(harvest)
    harvest.current_weight = harvest.current_weight - drawn
    harvest.total_waste_weight = harvest.total_waste_weight + drawn
    _audit(session, actor, harvest, "waste", before)
    waste = HarvestWaste(
        facility_id=facility.id,
        harvest_id=harvest.id,
        waste_type_name=kind.name,
        weight=drawn,
        entered_weight=entered,
        entered_unit=unit.name,
        waste_date=actual,
    )
    session.add(waste)
    _audit(session, actor, waste, "create", None)
    return waste


def discontinue_waste(session: Session, actor: Actor, waste: HarvestWaste) -> HarvestWaste:
    """Take back a waste record: its weight returns to the harvest."""
    if not waste.active:
        raise RuleViolation(f"Waste record {waste.id} is discontinued already.")
    harvest = session.get(Harvest, waste.harvest_id, with_for_update=True)
    assert harvest is not None
    check_open(harvest)
    before = snapshot(harvest)
    harvest.current_weight = harvest.current_weight + waste.weight
    harvest.total_waste_weight = harvest.total_waste_weight - waste.weight
    _audit(session, actor, harvest, "waste_discontinued", before)
    before = snapshot(waste)
    waste.active = False
    _audit(session, actor, waste, "discontinue", before)
    return waste


def draw_for_package(
    session: Session, actor: Actor, harvest: Harvest, drawn: Decimal, *, first_draw: bool
) -> None:
    """Lower a harvest by `drawn` (its own unit) for a package; the caller checked the draw."""
    before = snapshot(harvest)
    harvest.current_weight = harvest.current_weight - drawn
    harvest.total_packaged_weight = harvest.total_packaged_weight + drawn
    if first_draw:
        harvest.package_count += 1
    _audit(session, actor, harvest, "package", before)


# --- lifecycle -------------------------------------------------------------------------------


def finish_harvest(
    session: Session, actor: Actor, facility: Facility, harvest: Harvest, actual_date: date | None
) -> Harvest:
    if harvest.finished_date is not None:
        raise RuleViolation(f"The harvest {harvest.name!r} is finished already.")
    actual = check_date(facility, actual_date)
    if actual < harvest.harvest_start_date:
        raise RuleViolation("A harvest cannot finish before it started.")
    before = snapshot(harvest)
    harvest.finished_date = actual
    _audit(session, actor, harvest, "finish", before)
    return harvest


def unfinish_harvest(session: Session, actor: Actor, harvest: Harvest) -> Harvest:
    if harvest.finished_date is None:
        raise RuleViolation(f"The harvest {harvest.name!r} is not finished.")
    before = snapshot(harvest)
    harvest.finished_date = None
    _audit(session, actor, harvest, "unfinish", before)
    return harvest


def move_harvest(
    session: Session,
    actor: Actor,
    facility: Facility,
    harvest: Harvest,
    *,
    drying_location: object,
    drying_sublocation: object = None,
    actual_date: date | None = None,
) -> Harvest:
    check_open(harvest)
    check_date(facility, actual_date)
    location = location_named(session, facility, drying_location, holding="harvests")
    sublocation = (
        sublocation_named(session, facility, drying_sublocation) if drying_sublocation else None
    )
    before = snapshot(harvest)
    harvest.drying_location_id = location.id
    harvest.drying_sublocation_id = None if sublocation is None else sublocation.id
    _audit(session, actor, harvest, "move", before)
    return harvest


def rename_harvest(
    session: Session, actor: Actor, facility: Facility, harvest: Harvest, new_name: object
) -> Harvest:
    if not isinstance(new_name, str) or not new_name.strip():
        raise RuleViolation("A new harvest name is required.")
    name = new_name.strip()
    if len(name) > 200:
        raise RuleViolation("A harvest name is at most 200 characters.")
    if name == harvest.name:
        return harvest
    taken = session.scalars(
        select(Harvest.id).where(
            Harvest.facility_id == facility.id,
            Harvest.name == name,
            Harvest.archived_date.is_(None),
        )
    ).first()
    if taken is not None:
        raise RuleViolation(f"Another harvest is named {name!r} already.")
    before = snapshot(harvest)
    harvest.name = name
    _audit(session, actor, harvest, "rename", before)
    return harvest


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


def restore_harvested_plants(
    session: Session, actor: Actor, facility: Facility, harvest: Harvest, labels: object
) -> Harvest:
    """Undo the harvesting of some plants: their wet weight leaves the harvest and whole-harvested
    plants grow again. Only while nothing has been drawn from the harvest."""
    if not isinstance(labels, list) or not labels:
        raise RuleViolation("PlantTags must list at least one plant tag.")
    check_open(harvest)
    if has_draws(session, harvest):
        raise RuleViolation(
            f"Waste or packages were taken from harvest {harvest.name!r}; "
            "its plants can no longer be restored."
        )
    for label in labels:
        plant = _plant_labelled(session, facility, label)
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
            before = snapshot(contribution)
            contribution.restored = True
            _audit(session, actor, contribution, "restore", before)
        before = snapshot(harvest)
        harvest.current_weight = harvest.current_weight - restored
        harvest.total_restored_weight = harvest.total_restored_weight + restored
        harvest.plant_count -= plant.plant_count
        _audit(session, actor, harvest, "restore_plant", before)

        before = snapshot(plant)
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
        _audit(session, actor, plant, "restore", before)
    return harvest


# --- reading ---------------------------------------------------------------------------------


def harvest_strains(session: Session, harvest: Harvest) -> list[Strain]:
    """The strains of the plants that went into a harvest (restored ones excepted), by name."""
    return list(
        session.scalars(
            select(Strain)
            .where(
                Strain.id.in_(
                    select(Plant.strain_id)
                    .join(HarvestPlant, HarvestPlant.plant_id == Plant.id)
                    .where(HarvestPlant.harvest_id == harvest.id, HarvestPlant.restored.is_(False))
                )
            )
            .order_by(Strain.name, Strain.id)
        )
    )
