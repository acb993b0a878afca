"""What the cultivation services share: who may grow, dates, places, counts, the lookups of
plants and plant batches, and the waste and additive records of plants and batches.

plants.py, plant_batches.py, plant_groups.py and plant_batch_tags.py build on this module and
never on one another, and so do the harvest and package services where they name a plant or a
batch. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain import reference
from leafledger.domain.actor import Actor
from leafledger.domain.errors import NotFound, RuleViolation
from leafledger.domain.models import Facility, Location, Plant, PlantBatch, Strain, Sublocation
from leafledger.domain.models.additive import AdditivesTemplate, PlantAdditive
from leafledger.domain.models.base import IsTrue, fits
from leafledger.domain.models.plant import PlantWaste
from leafledger.domain.services.additives import Ingredient
from leafledger.domain.services.audit import (
    audited,
    record,
    record_created,
    record_new,
    snapshot,
)
from leafledger.domain.services.lookups import (
    location_named,
    strain_named,
    sublocation_named,
)
from leafledger.domain.units import QuantityType, get_unit

# A plant is active while it grows: tracked, or partially harvested (manicured). A plant group
# merged into another (plant_groups.py) is no longer active.
ACTIVE_STATES = ("Tracked", "Harvested")
INACTIVE_STATES = ("Destroyed", "HarvestedFully", "Merged")
# The phases a plant may be in once tagged (Mother needs a capability flag).
TAGGED_PHASES = ("Vegetative", "Flowering", "Mother")
MAX_COUNT = 100_000  # plants in one planting, split or growth phase change
NAME_LENGTH = 200


# --- capability, dates, counts, names -------------------------------------------------------


def require_grower(facility: Facility) -> None:
    """Only a facility whose type may grow plants may plant or change plants."""
    if not facility.can("CanGrowPlants"):
        raise RuleViolation(
            f"Facility {facility.license_number} ({facility.license_type}) may not grow plants."
        )


def counted(value: int, field: str = "count") -> int:
    """A number of plants one change concerns: from 1 to MAX_COUNT."""
    if value < 1:
        raise RuleViolation(f"{{field}} must be at least 1, got {value}.", field=field)
    if value > MAX_COUNT:
        raise RuleViolation(f"{{field}} must be at most {MAX_COUNT}, got {value}.", field=field)
    return value


def clean_name(name: Any, what: str, field: str) -> str:
    """A plant batch name as the ledger keeps it: trimmed, not empty, not too long."""
    if not isinstance(name, str) or not name.strip():
        raise RuleViolation(f"A {what} is required.", field=field)
    cleaned = name.strip()
    if len(cleaned) > NAME_LENGTH:
        raise RuleViolation(f"The {what} is longer than {NAME_LENGTH} characters.", field=field)
    return cleaned


def tagged_phase(facility: Facility, phase: str | None) -> str:
    """A phase a tagged plant may be in at this facility."""
    found = reference.find_name(TAGGED_PHASES, phase or "")
    if found is None:
        raise RuleViolation(
            f"Growth phase {phase!r} is unknown; use Vegetative or Flowering.", field="growth_phase"
        )
    if found == "Mother" and not facility.can("CanTrackMotherPlantsAsGrowthPhase"):
        raise RuleViolation(
            f"Facility {facility.license_number} ({facility.license_type}) does not track "
            "mother plants as a growth phase."
        )
    return found


def adjustment_reason(
    name: str | None,
    note: str | None,
    reasons: tuple[reference.Reason, ...] = reference.PACKAGE_ADJUSTMENT_REASONS,
) -> reference.Reason:
    """A listed reason for adjusting a count or a quantity, with the note it may require.

    Packages, plant batches and plants are adjusted for the same reasons (Metrc lists one set,
    GET /packages/v2/adjust/reasons); other records may list their own (`reasons`)."""
    found = reference.find_named(reasons, name or "")
    if found is None:
        raise RuleViolation(f"Adjustment reason {name!r} is unknown.", field="reason")
    if found.requires_note and not (note or "").strip():
        raise RuleViolation(f"The adjustment reason {found.name!r} requires a note.", field="note")
    return found


# --- places, strains, splits ----------------------------------------------------------------


def place(
    session: Session,
    facility: Facility,
    location: str | None,
    sublocation: str | None,
    holding: str,
) -> tuple[Location | None, Sublocation | None]:
    """A location that may hold `holding` (optional) and a sublocation (only with a location)."""
    found = None if not location else location_named(session, facility, location, holding=holding)
    if sublocation and found is None:
        raise RuleViolation("A sublocation needs a location.", field="sublocation")
    sub = sublocation_named(session, facility, sublocation) if sublocation else None
    return found, sub


def required_place(
    session: Session,
    facility: Facility,
    location: str | None,
    sublocation: str | None,
    holding: str,
) -> tuple[Location, Sublocation | None]:
    """The place a move or a change names; a location is required."""
    if not location:
        raise RuleViolation("{field} is required.", field="location")
    found = location_named(session, facility, location, holding=holding)
    sub = sublocation_named(session, facility, sublocation) if sublocation else None
    return found, sub


def strain_by_ref(
    session: Session, facility: Facility, strain_id: int | None, strain_name: str | None
) -> Strain:
    """The facility's active strain with this id or, failing that, this name."""
    if strain_id is not None:
        found = session.get(Strain, strain_id) if fits(Strain.id, strain_id) else None
        if found is None or found.facility_id != facility.id:
            raise NotFound(f"No strain {strain_id} at this facility.")
        if not found.active:
            raise RuleViolation(f"The strain {found.name!r} is archived and cannot be used.")
        return found
    return strain_named(session, facility, strain_name)


def move_to(
    session: Session,
    actor: Actor,
    facility: Facility,
    row: Plant | PlantBatch,
    where: tuple[Location, Sublocation | None],
) -> None:
    """Put a plant or a batch at a place (audited as a move)."""
    location, sub = where
    done = audited(session, actor, row, "move", facility.id)
    row.location_id = location.id
    row.sublocation_id = None if sub is None else sub.id
    done()


@dataclass(frozen=True, kw_only=True)
class StrainNamed:
    """A strain named by id or, failing that, by name."""

    strain_id: int | None = None
    strain_name: str | None = None


def change_strain_of(
    session: Session, actor: Actor, facility: Facility, row: Plant | PlantBatch, named: StrainNamed
) -> None:
    """Give a plant or a batch the strain `named` (audited as a strain change)."""
    found = strain_by_ref(session, facility, named.strain_id, named.strain_name)
    done = audited(session, actor, row, "change_strain", facility.id)
    row.strain_id = found.id
    done()


def add_split(
    session: Session, actor: Actor, made: Plant | PlantBatch, source: Plant | PlantBatch, key: str
) -> None:
    """Add `made`, made from part of `source`, flush it for its id and record its creation;
    the event names the source by `key`."""
    session.add(made)
    session.flush()
    after = {**snapshot(made), key: source.id}
    record(
        session, actor, entity=made, action="split_from", facility_id=made.facility_id, after=after
    )


# --- plants and plant batches ---------------------------------------------------------------


def _active(plant: Plant) -> Plant:
    if plant.state not in ACTIVE_STATES:
        raise RuleViolation(f"Plant {plant.label} is {plant.state.lower()}, no longer active.")
    return plant


def active_plant_by_label(session: Session, facility: Facility, label: Any) -> Plant:
    """The facility's active plant tagged `label` (tracked or partially harvested), locked."""
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
    """The active plant named by id or, failing that, by label, locked."""
    if plant_id is None:
        return active_plant_by_label(session, facility, label)
    found = session.get(Plant, plant_id, with_for_update=True) if fits(Plant.id, plant_id) else None
    if found is None or found.facility_id != facility.id:
        raise NotFound(f"No plant {plant_id} at this facility.")
    return _active(found)


def batch_named(session: Session, facility: Facility, name: Any) -> PlantBatch:
    """The facility's active plant batch called `name`, locked."""
    if not isinstance(name, str) or not name.strip():
        raise RuleViolation("A plant batch name is required.")
    found = session.scalars(
        select(PlantBatch)
        .where(
            PlantBatch.facility_id == facility.id,
            PlantBatch.name == name.strip(),
            IsTrue(PlantBatch.active),
        )
        .limit(1)
        .with_for_update()
    ).first()
    if found is None:
        raise NotFound(f"No active plant batch named {name.strip()!r} at this facility.")
    return found


def batch_by_id(session: Session, facility: Facility, batch_id: int) -> PlantBatch:
    """The facility's plant batch with this id (any state), for updates that name it by id."""
    found = session.get(PlantBatch, batch_id) if fits(PlantBatch.id, batch_id) else None
    if found is None or found.facility_id != facility.id:
        raise NotFound(f"No plant batch {batch_id} at this facility.")
    return found


def active_batch(
    session: Session, facility: Facility, batch_id: int | None, name: str | None
) -> PlantBatch:
    """The active batch named by id or, failing that, by name."""
    if batch_id is None:
        return batch_named(session, facility, name)
    batch = batch_by_id(session, facility, batch_id)
    if not batch.active:
        raise RuleViolation(f"Plant batch {batch.name!r} is inactive.")
    return batch


# --- waste ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Waste:
    """Waste weight, method and reason, as a destruction or a waste record states them; what
    the reason requires is checked by `check`."""

    method: str | None = None
    material_mixed: str | None = None
    reason: str | None = None
    note: str | None = None
    weight: Decimal | None = None
    unit: str | None = None

    def check(self, reasons: tuple[reference.Reason, ...]) -> tuple[str | None, str | None]:
        """(reason name, method name) in their listed spelling, or a RuleViolation."""
        found = reference.find_named(reasons, self.reason or "")
        if found is None:
            names = ", ".join(r.name for r in reasons)
            raise RuleViolation(
                f"Waste reason {self.reason!r} is unknown; use one of {names}.", field="reason"
            )
        if found.requires_note and not self.note:
            raise RuleViolation(f"The waste reason {found.name!r} requires a note.", field="note")
        weight = self.weight or Decimal(0)
        if not weight.is_finite() or weight < 0:
            raise RuleViolation("{field} must be zero or more.", field="weight")
        if found.requires_waste_weight and weight <= 0:
            raise RuleViolation(
                f"The waste reason {found.name!r} requires a waste weight.", field="weight"
            )
        method: str | None = None
        if weight > 0 or self.method:
            method = waste_method(self.method)
        if weight > 0:
            waste_unit(self.unit)
        return found.name, method

    def recorded(self) -> str:
        """The method of waste recorded on its own (no destruction): a weight is required."""
        method = waste_method(self.method)
        weight = self.weight
        if weight is None or not weight.is_finite() or weight <= 0:
            raise RuleViolation("{field} must be more than zero.", field="weight")
        return method


def waste_method(name: str | None) -> str:
    found = reference.find_named(reference.WASTE_METHODS, name or "")
    if found is None or not found.for_plants:
        usable = ", ".join(m.name for m in reference.WASTE_METHODS if m.for_plants)
        raise RuleViolation(
            f"Waste method {name!r} is not a plant waste method; use {usable}.", field="method"
        )
    return found.name


def waste_unit(name: str | None) -> str:
    if not name:
        raise RuleViolation("A waste weight needs its unit of measure.", field="unit")
    unit = get_unit(name)
    if unit.quantity_type is not QuantityType.WEIGHT or not unit.active:
        raise RuleViolation(f"{unit.name} is not a unit of weight.", field="unit")
    return unit.name


# What a waste record states besides its weight: (reason, method, waste date).
WasteTerms = tuple[str | None, str, date]


def save_waste(
    session: Session,
    actor: Actor,
    facility: Facility,
    waste: Waste,
    terms: WasteTerms,
    **concerning: Any,
) -> PlantWaste:
    """A plant waste record (`concerning`: its location, batch or plants, and their count)."""
    reason, method, when = terms
    row = PlantWaste(
        facility_id=facility.id,
        waste_method_name=method,
        waste_material_mixed=waste.material_mixed or None,
        waste_reason_name=reason,
        note=waste.note or None,
        weight=waste.weight or Decimal(0),
        unit_of_measure_name=waste_unit(waste.unit),
        waste_date=when,
        **concerning,
    )
    record_new(session, actor, row, facility.id)
    return row


# --- additives ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Additive:
    """What was applied to plants; a template, when named, fills in what is not given."""

    additive_type: str | None = None
    product_trade_name: str | None = None
    epa_registration_number: str | None = None
    product_supplier: str | None = None
    application_device: str | None = None
    total_amount_applied: Decimal | None = None
    total_amount_unit_of_measure: str | None = None
    active_ingredients: Sequence[Ingredient] | None = None
    template_name: str | None = None
    rate: str | None = None
    volume: str | None = None
    actual_date: date | None = None


def template_named(session: Session, facility: Facility, name: Any) -> AdditivesTemplate:
    if not isinstance(name, str) or not name.strip():
        raise RuleViolation("An additives template name is required.", field="template_name")
    found = session.scalars(
        select(AdditivesTemplate)
        .where(
            AdditivesTemplate.facility_id == facility.id,
            AdditivesTemplate.name == name.strip(),
        )
        .order_by(AdditivesTemplate.active.desc(), AdditivesTemplate.id.desc())
        .limit(1)
    ).first()
    if found is None:
        raise NotFound(f"No additives template named {name.strip()!r} at this facility.")
    if not found.active:
        raise RuleViolation(f"The additives template {found.name!r} is archived.")
    return found


def applied_template(
    session: Session, facility: Facility, additive: Additive
) -> AdditivesTemplate | None:
    """The template an additive names, if it names one."""
    if additive.template_name is None:
        return None
    return template_named(session, facility, additive.template_name)


def _posted_details(additive: Additive) -> dict[str, Any]:
    """What the request states about the additive, JSON-safe."""
    ingredients = None
    if additive.active_ingredients is not None:
        ingredients = [
            {"name": i.name, "percentage": None if i.percentage is None else str(i.percentage)}
            for i in additive.active_ingredients
        ]
    amount = additive.total_amount_applied
    if amount is not None and (not amount.is_finite() or amount < 0):
        raise RuleViolation("{field} must be zero or more.", field="total_amount_applied")
    return {
        "additive_type": additive.additive_type,
        "product_trade_name": additive.product_trade_name,
        "epa_registration_number": additive.epa_registration_number,
        "product_supplier": additive.product_supplier,
        "application_device": additive.application_device,
        "total_amount_applied": None if amount is None else str(amount),
        "total_amount_unit_of_measure": additive.total_amount_unit_of_measure,
        "active_ingredients": ingredients,
        "rate": additive.rate,
        "volume": additive.volume,
    }


def additive_details(template: AdditivesTemplate | None, additive: Additive) -> dict[str, Any]:
    """What was applied, as the ledger keeps it: the posted details, completed from the
    template when one is named."""
    details = _posted_details(additive)
    if template is None:
        kind = reference.find_name(
            reference.PLANT_ADDITIVE_TYPES, details.get("additive_type") or ""
        )
        if kind is None:
            names = ", ".join(reference.PLANT_ADDITIVE_TYPES)
            raise RuleViolation(
                f"Additive type {details.get('additive_type')!r}: use {names}.",
                field="additive_type",
            )
        return {**details, "additive_type": kind}
    return {
        "additive_type": template.additive_type,
        "product_trade_name": template.product_trade_name,
        "epa_registration_number": template.epa_registration_number,
        "product_supplier": template.product_supplier,
        "application_device": template.application_device,
        "rei_quantity_description": template.rei_quantity_description,
        "rei_time_description": template.rei_time_description,
        "note": template.note,
        "active_ingredients": template.active_ingredients,
        **{k: v for k, v in details.items() if v is not None},
    }


# A template, when the additive names one, and the details of what was applied.
Applied = tuple[AdditivesTemplate | None, dict[str, Any]]


def save_additives(
    session: Session,
    actor: Actor,
    facility: Facility,
    applied: Applied,
    when: date,
    given_to: Sequence[Plant | PlantBatch],
) -> list[PlantAdditive]:
    """One additive record for each plant, or each batch's untracked plants, `given_to`
    (inserted together), each audited."""
    template, details = applied
    rows = [
        PlantAdditive(
            facility_id=facility.id,
            template_id=None if template is None else template.id,
            applied_date=when,
            details=details,
            **_additive_target(target),
        )
        for target in given_to
    ]
    session.add_all(rows)
    session.flush()
    for row in rows:
        record_created(session, actor, row, "create", facility.id)
    return rows


def _additive_target(target: Plant | PlantBatch) -> dict[str, int | None]:
    """The plants an additive record concerns: a plant (or group), or a batch's untracked."""
    if isinstance(target, PlantBatch):
        return {
            "plant_id": None,
            "plant_batch_id": target.id,
            "plant_count": target.untracked_count,
        }
    return {
        "plant_id": target.id,
        "plant_batch_id": target.plant_batch_id,
        "plant_count": target.plant_count,
    }
