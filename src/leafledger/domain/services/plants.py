"""Plants: individually tagged, growing forward from vegetative to flowering.

Rules: growth phases only move forward (Vegetative -> Flowering; Mother only where the facility
type tracks mother plants as a phase); a plant is moved only to a location that may hold plants;
a re-tag claims the new tag and retires the old one; the strain changes only where the facility
type allows it; destroying a plant records its waste (method, reason, weight and unit). Harvest
and manicure live with the harvests.

Each operation takes one command, naming the plant by id or, failing that, by label. Every
change is audited; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain import reference
from leafledger.domain.actor import Actor
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import Facility, Location, Plant, Tag
from leafledger.domain.models.additive import PlantAdditive
from leafledger.domain.models.plant import PlantWaste
from leafledger.domain.services.audit import audited
from leafledger.domain.services.cultivation import (
    ACTIVE_STATES,
    Additive,
    Applied,
    StrainNamed,
    Waste,
    WasteTerms,
    active_plant,
    active_plant_by_label,
    additive_details,
    applied_template,
    change_strain_of,
    move_to,
    place,
    require_grower,
    required_place,
    save_additives,
    save_waste,
    tagged_phase,
)
from leafledger.domain.services.lookups import claim_tag, not_future, retire_tag

# Where each phase may go next; phases never move backwards.
NEXT_PHASES: dict[str, tuple[str, ...]] = {
    "Vegetative": ("Flowering", "Mother"),
    "Mother": ("Flowering",),
    "Flowering": (),
}


def _retag(session: Session, actor: Actor, facility: Facility, plant: Plant, new_tag: str) -> None:
    tag = claim_tag(session, actor, facility, new_tag, "Plant")
    old = session.get(Tag, plant.tag_id)
    if old is not None:
        retire_tag(session, actor, old)
    plant.tag_id = tag.id
    plant.label = tag.label


def _changeable(
    session: Session, facility: Facility, plant_id: int | None, label: str | None
) -> Plant:
    require_grower(facility)
    return active_plant(session, facility, plant_id, label)


# --- growth phase, place, tag, strain ------------------------------------------------------


@dataclass(frozen=True)
class PhaseChange:
    plant_id: int | None
    label: str | None
    growth_phase: str
    new_tag: str | None = None
    location: str | None = None
    sublocation: str | None = None
    growth_date: date | None = None


def change_growth_phase(
    session: Session, actor: Actor, facility: Facility, change: PhaseChange
) -> Plant:
    """Move a plant forward in its growth (Vegetative -> Flowering, or Mother where allowed)."""
    plant = _changeable(session, facility, change.plant_id, change.label)
    phase = tagged_phase(facility, change.growth_phase)
    if phase not in NEXT_PHASES.get(plant.growth_phase, ()):
        raise RuleViolation(
            f"Plant {plant.label} is {plant.growth_phase}; it cannot change to {phase} "
            "(growth phases only move forward).",
            field="growth_phase",
        )
    location, sub = place(session, facility, change.location, change.sublocation, "plants")
    when = not_future(facility, change.growth_date, "growth_date")
    if plant.vegetative_date is not None and when < plant.vegetative_date:
        raise RuleViolation(
            f"The growth date is before plant {plant.label} was vegetative.", field="growth_date"
        )
    done = audited(session, actor, plant, "change_growth_phase", facility.id)
    if change.new_tag:
        _retag(session, actor, facility, plant, change.new_tag)
    plant.growth_phase = phase
    if phase == "Flowering":
        plant.flowering_date = when
    else:
        plant.mother_plant_date = when
    if location is not None:
        plant.location_id = location.id
        plant.sublocation_id = None if sub is None else sub.id
    done()
    return plant


@dataclass(frozen=True)
class PlantMove:
    plant_id: int | None
    label: str | None
    location: str
    sublocation: str | None = None
    actual_date: date | None = None


def move(session: Session, actor: Actor, facility: Facility, command: PlantMove) -> Plant:
    plant = _changeable(session, facility, command.plant_id, command.label)
    where = required_place(session, facility, command.location, command.sublocation, "plants")
    not_future(facility, command.actual_date, "actual_date")
    move_to(session, actor, facility, plant, where)
    return plant


@dataclass(frozen=True)
class TagReplacement:
    plant_id: int | None
    label: str | None
    new_tag: str
    replace_date: date | None = None


def replace_tag(
    session: Session, actor: Actor, facility: Facility, command: TagReplacement
) -> Plant:
    """Put a new tag on a plant: the new tag is used, the old one retired."""
    plant = _changeable(session, facility, command.plant_id, command.label)
    if not command.new_tag:
        raise RuleViolation("A new tag is required.", field="new_tag")
    not_future(facility, command.replace_date, "replace_date")
    done = audited(session, actor, plant, "replace_tag", facility.id)
    _retag(session, actor, facility, plant, command.new_tag)
    done()
    return plant


@dataclass(frozen=True, kw_only=True)
class StrainChange(StrainNamed):
    plant_id: int | None = None
    label: str | None = None


def change_strain(
    session: Session, actor: Actor, facility: Facility, command: StrainChange
) -> Plant:
    require_grower(facility)
    if not facility.can("CanUpdatePlantStrains"):
        raise RuleViolation(
            f"Facility {facility.license_number} ({facility.license_type}) may not change "
            "the strain of plants."
        )
    plant = active_plant(session, facility, command.plant_id, command.label)
    change_strain_of(session, actor, facility, plant, command)
    return plant


# --- destruction and waste -----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PlantDestruction(Waste):
    """A plant to destroy and the waste its destruction leaves."""

    plant_id: int | None = None
    label: str | None = None
    actual_date: date | None = None


def destroy(session: Session, actor: Actor, facility: Facility, command: PlantDestruction) -> Plant:
    """Destroy a plant: it leaves the active lists, its waste is recorded."""
    plant = _changeable(session, facility, command.plant_id, command.label)
    reason, method = command.check(reference.PLANT_WASTE_REASONS)
    when = not_future(facility, command.actual_date, "actual_date")
    if when < plant.planted_date:
        raise RuleViolation(
            f"The date is before plant {plant.label} was planted.", field="actual_date"
        )
    done = audited(session, actor, plant, "destroy", facility.id)
    plant.state = "Destroyed"
    plant.destroyed_date = when
    plant.destroyed_note = command.note or None
    plant.destroyed_by_user_id = actor.user_id
    done()
    if method is not None and command.weight:
        _waste(session, actor, facility, command, (reason, method, when), None, [plant])
    return plant


def _waste(
    session: Session,
    actor: Actor,
    facility: Facility,
    waste: Waste,
    terms: WasteTerms,
    location: Location | None,
    plants: Sequence[Plant],
) -> PlantWaste:
    """The waste record of `plants` (their first one's location unless one is named)."""
    location_id = None if location is None else location.id
    if location is None and plants:
        location_id = plants[0].location_id
    return save_waste(
        session,
        actor,
        facility,
        waste,
        terms,
        location_id=location_id,
        plant_labels=",".join(p.label for p in plants) or None,
        plant_count=sum(plant.plant_count for plant in plants),
    )


@dataclass(frozen=True, kw_only=True)
class PlantWasteRecord(Waste):
    """Waste gathered from the plants named, or from a location."""

    location: str | None = None
    labels: Sequence[str] = ()
    waste_date: date | None = None


def record_waste(
    session: Session, actor: Actor, facility: Facility, command: PlantWasteRecord
) -> PlantWaste:
    """Waste gathered from plants (trim, leaves) or from a location; no plant is destroyed."""
    require_grower(facility)
    method = command.recorded()
    plants = [active_plant_by_label(session, facility, label) for label in command.labels]
    if len({p.id for p in plants}) != len(plants):
        raise RuleViolation("A plant is named twice.", field="labels")
    found, _ = place(session, facility, command.location, None, "plants")
    if found is None and not plants:
        raise RuleViolation("Name the plants or the location the waste comes from.")
    when = not_future(facility, command.waste_date, "waste_date")
    terms = (command.reason or None, method, when)
    return _waste(session, actor, facility, command, terms, found, plants)


# --- additives -----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PlantsAdditive(Additive):
    """An additive applied to the plants named by their labels."""

    labels: Sequence[str]


@dataclass(frozen=True, kw_only=True)
class LocationAdditive(Additive):
    """An additive applied to every active plant at a location (or one of its sublocations)."""

    location: str
    sublocation: str | None = None


def add_additive(
    session: Session, actor: Actor, facility: Facility, command: PlantsAdditive
) -> PlantAdditive:
    """Record an additive applied to the named plants; answers the record of the first."""
    applied = _what_applied(session, facility, command)
    if not command.labels:
        raise RuleViolation("Name at least one plant.", field="labels")
    plants = [active_plant_by_label(session, facility, label) for label in command.labels]
    return _applied(session, actor, facility, command, applied, plants)


def add_additive_by_location(
    session: Session, actor: Actor, facility: Facility, command: LocationAdditive
) -> PlantAdditive:
    """Record an additive applied to every active plant at a location; answers the record of
    the first."""
    applied = _what_applied(session, facility, command)
    found, sub = required_place(session, facility, command.location, command.sublocation, "plants")
    query = select(Plant).where(
        Plant.facility_id == facility.id,
        Plant.location_id == found.id,
        Plant.state.in_(ACTIVE_STATES),
    )
    if sub is not None:
        query = query.where(Plant.sublocation_id == sub.id)
    plants = list(session.scalars(query.order_by(Plant.id)))
    if not plants:
        raise RuleViolation(f"No active plants at {found.name!r}.")
    return _applied(session, actor, facility, command, applied, plants)


def _what_applied(session: Session, facility: Facility, additive: Additive) -> Applied:
    require_grower(facility)
    template = applied_template(session, facility, additive)
    return template, additive_details(template, additive)


def _applied(
    session: Session,
    actor: Actor,
    facility: Facility,
    additive: Additive,
    applied: Applied,
    plants: Sequence[Plant],
) -> PlantAdditive:
    """One additive record per plant, audited; answers the first."""
    when = not_future(facility, additive.actual_date, "actual_date")
    return save_additives(session, actor, facility, applied, when, plants)[0]
