"""Plants: individually tagged, growing forward from vegetative to flowering.

Rules: growth phases only move forward (Vegetative -> Flowering; Mother only where the facility
type tracks mother plants as a phase); a plant is moved only to a location that may hold plants;
a re-tag claims the new tag and retires the old one; the strain changes only where the facility
type allows it; destroying a plant records its waste (method, reason, weight and unit). Harvest
and manicure live with the harvests.

Every change is audited; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain import reference
from leafledger.domain.actor import Actor
from leafledger.domain.errors import NotFound, RuleViolation
from leafledger.domain.models import Facility, Location, Plant, Tag
from leafledger.domain.models.additive import PlantAdditive
from leafledger.domain.models.plant import PlantWaste
from leafledger.domain.services.audit import audited, record, snapshot
from leafledger.domain.services.lookups import claim_tag, retire_tag
from leafledger.domain.services.plant_batches import (
    Waste,
    additive_details,
    not_future,
    place,
    require_grower,
    save_waste,
    strain_by_ref,
    tagged_phase,
    template_named,
    waste_method,
)

# A plant is active while it grows: tracked, or partially harvested (manicured). A plant group
# merged into another (services/plant_groups.py) is no longer active.
ACTIVE_STATES = ("Tracked", "Harvested")
INACTIVE_STATES = ("Destroyed", "HarvestedFully", "Merged")
# Where each phase may go next; phases never move backwards.
NEXT_PHASES: dict[str, tuple[str, ...]] = {
    "Vegetative": ("Flowering", "Mother"),
    "Mother": ("Flowering",),
    "Flowering": (),
}


def _active(plant: Plant) -> Plant:
    if plant.state not in ACTIVE_STATES:
        raise RuleViolation(f"Plant {plant.label} is {plant.state.lower()}, no longer active.")
    return plant


def active_plant_by_label(session: Session, facility: Facility, label: Any) -> Plant:
    """The facility's active plant tagged `label` (tracked or partially harvested)."""
    if not isinstance(label, str) or not label.strip():
        raise RuleViolation("A plant label is required.")
    found = session.scalars(
        select(Plant).where(Plant.label == label.strip()).limit(1).with_for_update()
    ).first()
    if found is None or found.facility_id != facility.id:
        raise NotFound(f"No plant tagged {label.strip()} at this facility.")
    return _active(found)


def active_plant(
    session: Session, facility: Facility, plant_id: int | None, label: str | None
) -> Plant:
    """The active plant named by id or, failing that, by label."""
    if plant_id is not None:
        found = session.get(Plant, plant_id, with_for_update=True)
        if found is None or found.facility_id != facility.id:
            raise NotFound(f"No plant {plant_id} at this facility.")
        return _active(found)
    if not label:
        raise RuleViolation("Name the plant by Id or by Label.")
    return active_plant_by_label(session, facility, label)


def _audited(session: Session, actor: Actor, plant: Plant, action: str) -> Callable[[], None]:
    return audited(session, actor, plant, action, plant.facility_id)


def _retag(session: Session, actor: Actor, facility: Facility, plant: Plant, new_tag: str) -> None:
    tag = claim_tag(session, actor, facility, new_tag, "Plant")
    old = session.get(Tag, plant.tag_id)
    if old is not None:
        retire_tag(session, actor, old)
    plant.tag_id = tag.id
    plant.label = tag.label


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
    require_grower(facility)
    plant = active_plant(session, facility, change.plant_id, change.label)
    phase = tagged_phase(facility, change.growth_phase)
    if phase not in NEXT_PHASES.get(plant.growth_phase, ()):
        raise RuleViolation(
            f"Plant {plant.label} is {plant.growth_phase}; it cannot change to {phase} "
            "(growth phases only move forward)."
        )
    location, sub = place(session, facility, change.location, change.sublocation, "plants")
    when = not_future(facility, change.growth_date)
    if plant.vegetative_date is not None and when < plant.vegetative_date:
        raise RuleViolation(f"The growth date is before plant {plant.label} was vegetative.")
    done = _audited(session, actor, plant, "change_growth_phase")
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


def move(
    session: Session,
    actor: Actor,
    facility: Facility,
    *,
    plant_id: int | None,
    label: str | None,
    location: str | None,
    sublocation: str | None,
    actual_date: date | None,
) -> Plant:
    require_grower(facility)
    plant = active_plant(session, facility, plant_id, label)
    if not location:
        raise RuleViolation("A location is required.")
    found, sub = place(session, facility, location, sublocation, "plants")
    not_future(facility, actual_date)
    done = _audited(session, actor, plant, "move")
    plant.location_id = None if found is None else found.id
    plant.sublocation_id = None if sub is None else sub.id
    done()
    return plant


def replace_tag(
    session: Session,
    actor: Actor,
    facility: Facility,
    *,
    plant_id: int | None,
    label: str | None,
    new_tag: str | None,
    replace_date: date | None,
) -> Plant:
    """Put a new tag on a plant: the new tag is used, the old one retired."""
    require_grower(facility)
    plant = active_plant(session, facility, plant_id, label)
    if not new_tag:
        raise RuleViolation("A new tag is required.")
    not_future(facility, replace_date)
    done = _audited(session, actor, plant, "replace_tag")
    _retag(session, actor, facility, plant, new_tag)
    done()
    return plant


def change_strain(
    session: Session,
    actor: Actor,
    facility: Facility,
    *,
    plant_id: int | None,
    label: str | None,
    strain_id: int | None,
    strain_name: str | None,
) -> Plant:
    require_grower(facility)
    if not facility.can("CanUpdatePlantStrains"):
        raise RuleViolation(
            f"Facility {facility.license_number} ({facility.license_type}) may not change "
            "the strain of plants."
        )
    plant = active_plant(session, facility, plant_id, label)
    strain = strain_by_ref(session, facility, strain_id, strain_name)
    done = _audited(session, actor, plant, "change_strain")
    plant.strain_id = strain.id
    done()
    return plant


# --- destruction and waste -----------------------------------------------------------------


def destroy(
    session: Session,
    actor: Actor,
    facility: Facility,
    *,
    plant_id: int | None,
    label: str | None,
    waste: Waste,
    actual_date: date | None,
) -> Plant:
    """Destroy a plant: it leaves the active lists, its waste is recorded."""
    require_grower(facility)
    plant = active_plant(session, facility, plant_id, label)
    reason, method = waste.check(reference.PLANT_WASTE_REASONS)
    when = not_future(facility, actual_date)
    if when < plant.planted_date:
        raise RuleViolation(f"The date is before plant {plant.label} was planted.")
    done = _audited(session, actor, plant, "destroy")
    plant.state = "Destroyed"
    plant.destroyed_date = when
    plant.destroyed_note = waste.note or None
    plant.destroyed_by_user_id = actor.user_id
    done()
    if method is not None and waste.weight:
        _waste(session, actor, facility, waste, reason, method, when, None, [plant])
    return plant


def _waste(
    session: Session,
    actor: Actor,
    facility: Facility,
    waste: Waste,
    reason: str | None,
    method: str,
    when: date,
    location: Location | None,
    plants: Sequence[Plant],
) -> PlantWaste:
    location_id = None if location is None else location.id
    if location is None and plants:
        location_id = plants[0].location_id
    return save_waste(
        session,
        actor,
        facility,
        waste,
        reason,
        method,
        when,
        location_id=location_id,
        plant_labels=",".join(p.label for p in plants) or None,
        plant_count=sum(plant.plant_count for plant in plants),
    )


def record_waste(
    session: Session,
    actor: Actor,
    facility: Facility,
    *,
    waste: Waste,
    location: str | None,
    labels: Sequence[str],
    waste_date: date | None,
) -> PlantWaste:
    """Waste gathered from plants (trim, leaves) or from a location; no plant is destroyed."""
    require_grower(facility)
    method = waste_method(waste.method)
    if waste.weight is None or not waste.weight.is_finite() or waste.weight <= 0:
        raise RuleViolation("The waste weight must be more than zero.")
    plants = [active_plant_by_label(session, facility, label) for label in labels]
    if len({p.id for p in plants}) != len(plants):
        raise RuleViolation("A plant is named twice.")
    found, _ = place(session, facility, location, None, "plants")
    if found is None and not plants:
        raise RuleViolation("Name the plants or the location the waste comes from.")
    when = not_future(facility, waste_date)
    return _waste(
        session, actor, facility, waste, waste.reason or None, method, when, found, plants
    )


# --- additives -----------------------------------------------------------------------------


def add_additive(
    session: Session,
    actor: Actor,
    facility: Facility,
    *,
    labels: Sequence[str] | None,
    location: str | None,
    sublocation: str | None,
    template_name: str | None,
    details: dict[str, Any],
    actual_date: date | None,
) -> list[PlantAdditive]:
    """Record an additive applied to the named plants, or to every active plant at a location."""
    require_grower(facility)
    template = None if template_name is None else template_named(session, facility, template_name)
    applied = additive_details(template, details)
    if labels is not None:
        if not labels:
            raise RuleViolation("Name at least one plant.")
        plants = [active_plant_by_label(session, facility, label) for label in labels]
    else:
        found, sub = place(session, facility, location, sublocation, "plants")
        if found is None:
            raise RuleViolation("A location is required.")
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
    when = not_future(facility, actual_date)
    rows = [
        PlantAdditive(
            facility_id=facility.id,
            plant_id=plant.id,
            plant_batch_id=plant.plant_batch_id,
            plant_count=plant.plant_count,
            template_id=None if template is None else template.id,
            applied_date=when,
            details=applied,
        )
        for plant in plants
    ]
    session.add_all(rows)
    session.flush()
    for row in rows:
        record(
            session,
            actor,
            entity=row,
            action="create",
            facility_id=facility.id,
            after=snapshot(row),
        )
    return rows


def plant_by_id(session: Session, facility: Facility, plant_id: int) -> Plant:
    found = session.get(Plant, plant_id)
    if found is None or found.facility_id != facility.id:
        raise NotFound(f"No plant {plant_id} at this facility.")
    return found
