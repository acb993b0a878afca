"""Plant batches: plantings of seeds or clones, counted until their plants are tagged.

A batch's plants are counted, not tagged: `untracked_count` of them are still in the batch.
Plants leave the batch by being tagged (growth phase change -> `tracked_count`), destroyed
(`destroyed_count`), packaged (`packaged_count`) or split off into another batch; an adjustment
corrects the untracked count. A batch with no untracked plants left is inactive, and its name
may then be used again.

Every change is audited; nothing here commits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from leafledger.domain import reference
from leafledger.domain.actor import Actor
from leafledger.domain.errors import NotFound, RuleViolation
from leafledger.domain.models import Facility, Location, Plant, PlantBatch, Strain, Sublocation
from leafledger.domain.models.additive import AdditivesTemplate, PlantAdditive
from leafledger.domain.models.base import IsTrue
from leafledger.domain.models.plant import PlantWaste
from leafledger.domain.request_state import NamesReadAhead, request_state
from leafledger.domain.services.audit import audited, record, record_created, snapshot
from leafledger.domain.services.lookups import (
    claim_tag,
    facility_today,
    location_named,
    strain_named,
    sublocation_named,
)
from leafledger.domain.units import QuantityType, get_unit

BATCH_TYPES = tuple(t.name for t in reference.PLANT_BATCH_TYPES)
# The phases a batch's plants may enter when they are tagged (Mother needs a capability flag).
TAGGED_PHASES = ("Vegetative", "Flowering", "Mother")
MAX_COUNT = 100_000  # plants in one planting or one growth phase change


# --- capability and lookups ----------------------------------------------------------------


def require_grower(facility: Facility) -> None:
    """Only a facility whose type may grow plants may plant or change plants."""
    if not facility.can("CanGrowPlants"):
        raise RuleViolation(
            f"Facility {facility.license_number} ({facility.license_type}) may not grow plants."
        )


def batch_named(session: Session, facility: Facility, name: Any) -> PlantBatch:
    """The facility's active plant batch called `name`."""
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
    found = session.get(PlantBatch, batch_id)
    if found is None or found.facility_id != facility.id:
        raise NotFound(f"No plant batch {batch_id} at this facility.")
    return found


_NAMES_TAKEN = select(PlantBatch.name).where(
    PlantBatch.facility_id == bindparam("facility_id"),
    PlantBatch.name.in_(bindparam("names", expanding=True)),
    IsTrue(PlantBatch.active),
)


def read_names_ahead(session: Session, facility: Facility, names: Iterable[Any]) -> None:
    """Find out in one query which of `names` active batches of the facility already carry,
    so that the name check of each planting in a bulk request needs no query of its own."""
    wanted = {name.strip() for name in names if isinstance(name, str) and name.strip()}
    if not wanted:
        return
    taken = set(
        session.scalars(_NAMES_TAKEN, {"facility_id": facility.id, "names": sorted(wanted)})
    )
    request_state(session).batch_names = NamesReadAhead(facility.id, wanted, taken)


def _name_is_free(session: Session, facility: Facility, name: str) -> None:
    read = request_state(session).batch_names
    if read is not None and read.facility_id == facility.id and name in read.asked:
        taken = name in read.taken
    else:
        taken = _name_taken_now(session, facility, name)
    if taken:
        raise RuleViolation(f"An active plant batch is already named {name!r}.")


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


def _clean_name(name: Any, what: str = "plant batch name") -> str:
    if not isinstance(name, str) or not name.strip():
        raise RuleViolation(f"A {what} is required.")
    cleaned = name.strip()
    if len(cleaned) > 200:
        raise RuleViolation(f"The {what} is longer than 200 characters.")
    return cleaned


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
        raise RuleViolation("A sublocation needs a location.")
    sub = sublocation_named(session, facility, sublocation) if sublocation else None
    return found, sub


def _count(value: int, what: str = "Count") -> int:
    if value < 1:
        raise RuleViolation(f"{what} must be at least 1, got {value}.")
    if value > MAX_COUNT:
        raise RuleViolation(f"{what} must be at most {MAX_COUNT}, got {value}.")
    return value


def not_future(facility: Facility, when: date | None) -> date:
    today = facility_today(facility)
    if when is None:
        return today
    if when > today:
        raise RuleViolation(f"The date {when.isoformat()} is in the future.")
    return when


def _settle(batch: PlantBatch) -> None:
    """A batch stays active while it still holds untracked plants."""
    batch.active = batch.untracked_count > 0


def _audited(session: Session, actor: Actor, batch: PlantBatch, action: str) -> Callable[[], None]:
    return audited(session, actor, batch, action, batch.facility_id)


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
            f"Plant batch type {value!r} is unknown; use one of {', '.join(BATCH_TYPES)}."
        )
    return batch_type


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
    name = _clean_name(planting.name)
    batch_type = _batch_type(planting.batch_type)
    count = _count(planting.count)
    strain = strain_named(session, facility, planting.strain)
    location, sub = place(
        session, facility, planting.location, planting.sublocation, "plant batches"
    )
    _name_is_free(session, facility, name)
    batch = _new_batch(
        facility,
        name,
        batch_type,
        strain.id,
        (location, sub),
        count,
        not_future(facility, planting.planted_date),
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
    # Imported here: plants.py builds on this module.
    from leafledger.domain.services.plants import active_plant_by_label

    require_grower(facility)
    source = active_plant_by_label(session, facility, planting.plant_label)
    name = _clean_name(planting.name)
    batch_type = _batch_type(planting.batch_type)
    count = _count(planting.count, "PlantCount")
    strain_id = source.strain_id
    if planting.strain:
        strain_id = strain_named(session, facility, planting.strain).id
        if batch_type == "Clone" and strain_id != source.strain_id:
            raise RuleViolation(
                f"Clones of plant {source.label} are of its own strain; "
                f"{planting.strain.strip()!r} is another."
            )
    location, sub = place(
        session, facility, planting.location, planting.sublocation, "plant batches"
    )
    when = not_future(facility, planting.planted_date)
    if when < source.planted_date:
        raise RuleViolation(f"The date is before plant {source.label} was planted.")
    _name_is_free(session, facility, name)
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
    session.add(batch)
    session.flush()
    record(
        session,
        actor,
        entity=batch,
        action="plant_from_plant",
        facility_id=facility.id,
        after=snapshot(batch),
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
    require_grower(facility)
    source = batch_named(session, facility, order.batch)
    count = _count(order.count)
    if count > source.untracked_count:
        raise RuleViolation(
            f"Plant batch {source.name!r} holds {source.untracked_count} untracked plants; "
            f"cannot split off {count}."
        )
    name = _clean_name(order.group_name, "new plant batch name")
    strain_id = source.strain_id
    if order.strain:
        strain_id = strain_named(session, facility, order.strain).id
    location, sub = place(session, facility, order.location, order.sublocation, "plant batches")
    when = not_future(facility, order.actual_date)
    done = _audited(session, actor, source, "split")
    source.untracked_count -= count
    _settle(source)
    done()
    _name_is_free(session, facility, name)
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
    session.add(batch)
    session.flush()
    record(
        session,
        actor,
        entity=batch,
        action="split_from",
        facility_id=facility.id,
        after={**snapshot(batch), "split_from_plant_batch_id": source.id},
    )
    return batch


# --- counts: adjust, destroy, waste --------------------------------------------------------


def adjust(
    session: Session,
    actor: Actor,
    facility: Facility,
    *,
    batch_name: str,
    quantity: int,
    reason: str,
    note: str | None,
    actual_date: date | None,
) -> PlantBatch:
    """Correct a batch's untracked count by `quantity` (+/-), for a listed reason."""
    require_grower(facility)
    batch = batch_named(session, facility, batch_name)
    if quantity == 0:
        raise RuleViolation("An adjustment quantity of 0 changes nothing.")
    found = reference.find_named(reference.PACKAGE_ADJUSTMENT_REASONS, reason or "")
    if found is None:
        raise RuleViolation(f"Adjustment reason {reason!r} is unknown.")
    if found.requires_note and not note:
        raise RuleViolation(f"The adjustment reason {found.name!r} requires a note.")
    not_future(facility, actual_date)
    if batch.untracked_count + quantity < 0:
        raise RuleViolation(
            f"Plant batch {batch.name!r} holds {batch.untracked_count} untracked plants; "
            f"an adjustment of {quantity} would leave fewer than none."
        )
    done = _audited(session, actor, batch, "adjust")
    batch.untracked_count += quantity
    _settle(batch)
    done()
    return batch


@dataclass(frozen=True)
class Waste:
    """Waste weight, method and reason; what the reason requires is checked by `check`."""

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
            raise RuleViolation(f"Waste reason {self.reason!r} is unknown; use one of {names}.")
        if found.requires_note and not self.note:
            raise RuleViolation(f"The waste reason {found.name!r} requires a note.")
        weight = self.weight or Decimal(0)
        if not weight.is_finite() or weight < 0:
            raise RuleViolation("The waste weight must be zero or more.")
        if found.requires_waste_weight and weight <= 0:
            raise RuleViolation(f"The waste reason {found.name!r} requires a waste weight.")
        method: str | None = None
        if weight > 0 or self.method:
            method = waste_method(self.method)
        if weight > 0:
            waste_unit(self.unit)
        return found.name, method


def waste_method(name: str | None) -> str:
    found = reference.find_named(reference.WASTE_METHODS, name or "")
    if found is None or not found.for_plants:
        usable = ", ".join(m.name for m in reference.WASTE_METHODS if m.for_plants)
        raise RuleViolation(f"Waste method {name!r} is not a plant waste method; use {usable}.")
    return found.name


def waste_unit(name: str | None) -> str:
    if not name:
        raise RuleViolation("A waste weight needs its unit of measure.")
    unit = get_unit(name)
    if unit.quantity_type is not QuantityType.WEIGHT or not unit.active:
        raise RuleViolation(f"{unit.name} is not a unit of weight.")
    return unit.name


def destroy(
    session: Session,
    actor: Actor,
    facility: Facility,
    *,
    batch_name: str,
    count: int,
    waste: Waste,
    actual_date: date | None,
) -> PlantBatch:
    """Destroy `count` untracked plants of a batch, recording the waste."""
    require_grower(facility)
    batch = batch_named(session, facility, batch_name)
    count = _count(count)
    if count > batch.untracked_count:
        raise RuleViolation(
            f"Plant batch {batch.name!r} holds {batch.untracked_count} untracked plants; "
            f"cannot destroy {count}."
        )
    reason, method = waste.check(reference.PLANT_BATCH_WASTE_REASONS)
    when = not_future(facility, actual_date)
    done = _audited(session, actor, batch, "destroy")
    batch.untracked_count -= count
    batch.destroyed_count += count
    _settle(batch)
    done()
    if method is not None and waste.weight:
        _waste_row(session, actor, facility, batch, count, waste, reason, method, when)
    return batch


def _waste_row(
    session: Session,
    actor: Actor,
    facility: Facility,
    batch: PlantBatch,
    count: int,
    waste: Waste,
    reason: str | None,
    method: str,
    when: date,
) -> PlantWaste:
    return save_waste(
        session,
        actor,
        facility,
        waste,
        reason,
        method,
        when,
        location_id=batch.location_id,
        plant_batch_id=batch.id,
        plant_count=count,
    )


def save_waste(
    session: Session,
    actor: Actor,
    facility: Facility,
    waste: Waste,
    reason: str | None,
    method: str,
    when: date,
    **concerning: Any,
) -> PlantWaste:
    """A plant waste record (`concerning`: its location, batch or plants, and their count)."""
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
    session.add(row)
    session.flush()
    record(
        session, actor, entity=row, action="create", facility_id=facility.id, after=snapshot(row)
    )
    return row


def record_waste(
    session: Session,
    actor: Actor,
    facility: Facility,
    *,
    batch_name: str,
    waste: Waste,
    waste_date: date | None,
) -> PlantWaste:
    """Waste (clippings, failed starts...) of a batch's plants that destroys none of them."""
    require_grower(facility)
    batch = batch_named(session, facility, batch_name)
    method = waste_method(waste.method)
    weight = waste.weight
    if weight is None or not weight.is_finite() or weight <= 0:
        raise RuleViolation("The waste weight must be more than zero.")
    reason = waste.reason or None
    when = not_future(facility, waste_date)
    return _waste_row(session, actor, facility, batch, 0, waste, reason, method, when)


# --- place, name, strain -------------------------------------------------------------------


def move(
    session: Session,
    actor: Actor,
    facility: Facility,
    *,
    batch_name: str,
    location: str,
    sublocation: str | None,
    move_date: date | None,
) -> PlantBatch:
    require_grower(facility)
    batch = batch_named(session, facility, batch_name)
    if not location:
        raise RuleViolation("A location is required.")
    found, sub = place(session, facility, location, sublocation, "plant batches")
    not_future(facility, move_date)
    done = _audited(session, actor, batch, "move")
    batch.location_id = None if found is None else found.id
    batch.sublocation_id = None if sub is None else sub.id
    done()
    return batch


def _target(
    session: Session, facility: Facility, batch_id: int | None, name: str | None
) -> PlantBatch:
    if batch_id is not None:
        batch = batch_by_id(session, facility, batch_id)
        if not batch.active:
            raise RuleViolation(f"Plant batch {batch.name!r} is inactive.")
        return batch
    return batch_named(session, facility, name)


def rename(
    session: Session,
    actor: Actor,
    facility: Facility,
    *,
    batch_id: int | None,
    name: str | None,
    new_name: str,
) -> PlantBatch:
    require_grower(facility)
    batch = _target(session, facility, batch_id, name)
    cleaned = _clean_name(new_name, "new plant batch name")
    if cleaned != batch.name:
        _name_is_free(session, facility, cleaned)
    done = _audited(session, actor, batch, "rename")
    batch.name = cleaned
    done()
    return batch


def change_strain(
    session: Session,
    actor: Actor,
    facility: Facility,
    *,
    batch_id: int | None,
    name: str | None,
    strain_id: int | None,
    strain_name: str | None,
) -> PlantBatch:
    require_grower(facility)
    batch = _target(session, facility, batch_id, name)
    strain = strain_by_ref(session, facility, strain_id, strain_name)
    done = _audited(session, actor, batch, "change_strain")
    batch.strain_id = strain.id
    done()
    return batch


def strain_by_ref(
    session: Session, facility: Facility, strain_id: int | None, strain_name: str | None
) -> Strain:
    if strain_id is not None:
        found = session.get(Strain, strain_id)
        if found is None or found.facility_id != facility.id:
            raise NotFound(f"No strain {strain_id} at this facility.")
        if not found.active:
            raise RuleViolation(f"The strain {found.name!r} is archived and cannot be used.")
        return found
    return strain_named(session, facility, strain_name)


# --- additives -----------------------------------------------------------------------------


def template_named(session: Session, facility: Facility, name: Any) -> AdditivesTemplate:
    if not isinstance(name, str) or not name.strip():
        raise RuleViolation("An additives template name is required.")
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


def additive_details(template: AdditivesTemplate | None, details: dict[str, Any]) -> dict[str, Any]:
    """What was applied: the posted details, completed from the template when one is named."""
    if template is None:
        kind = reference.find_name(
            reference.PLANT_ADDITIVE_TYPES, details.get("additive_type") or ""
        )
        if kind is None:
            names = ", ".join(reference.PLANT_ADDITIVE_TYPES)
            raise RuleViolation(f"Additive type {details.get('additive_type')!r}: use {names}.")
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


def add_additive(
    session: Session,
    actor: Actor,
    facility: Facility,
    *,
    batch_name: str,
    template_name: str | None,
    details: dict[str, Any],
    actual_date: date | None,
) -> PlantAdditive:
    """Record an additive applied to the untracked plants of a batch."""
    require_grower(facility)
    batch = batch_named(session, facility, batch_name)
    template = None if template_name is None else template_named(session, facility, template_name)
    applied = PlantAdditive(
        facility_id=facility.id,
        plant_id=None,
        plant_batch_id=batch.id,
        plant_count=batch.untracked_count,
        template_id=None if template is None else template.id,
        applied_date=not_future(facility, actual_date),
        details=additive_details(template, details),
    )
    session.add(applied)
    session.flush()
    record(
        session,
        actor,
        entity=applied,
        action="create",
        facility_id=facility.id,
        after=snapshot(applied),
    )
    return applied


# --- growth phase: counted plants become tagged plants -------------------------------------

_TRAILING_DIGITS = re.compile(r"^(.*?)(\d+)$")


def consecutive_labels(start: str, count: int) -> Iterator[str]:
    """`start` and the labels after it: the trailing number counts up, keeping its width."""
    match = _TRAILING_DIGITS.match(start)
    if match is None:
        raise RuleViolation(f"Starting tag {start!r} does not end in a number.")
    prefix, digits = match[1], match[2]
    first = int(digits)
    if len(str(first + count - 1)) > len(digits):
        raise RuleViolation(f"Starting tag {start!r} has fewer than {count} tags after it.")
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


def tagged_phase(facility: Facility, phase: str | None) -> str:
    """A phase a tagged plant may be in at this facility."""
    found = reference.find_name(TAGGED_PHASES, phase or "")
    if found is None:
        raise RuleViolation(f"Growth phase {phase!r} is unknown; use Vegetative or Flowering.")
    if found == "Mother" and not facility.can("CanTrackMotherPlantsAsGrowthPhase"):
        raise RuleViolation(
            f"Facility {facility.license_number} ({facility.license_type}) does not track "
            "mother plants as a growth phase."
        )
    return found


def change_growth_phase(
    session: Session, actor: Actor, facility: Facility, change: GrowthPhaseChange
) -> list[Plant]:
    """Tag `count` untracked plants of a batch from the starting tag, into a growth phase."""
    require_grower(facility)
    batch = batch_named(session, facility, change.batch)
    count = _count(change.count)
    if count > batch.untracked_count:
        raise RuleViolation(
            f"Plant batch {batch.name!r} holds {batch.untracked_count} untracked plants; "
            f"cannot tag {count}."
        )
    phase = tagged_phase(facility, change.growth_phase)
    if not change.starting_tag:
        raise RuleViolation("A starting tag is required.")
    location, sub = place(session, facility, change.location, change.sublocation, "plants")
    if location is None and batch.location_id is not None:
        kept = session.get(Location, batch.location_id)
        if kept is None or not kept.for_plants:
            raise RuleViolation("The batch's location cannot hold plants; name a new location.")
    when = not_future(facility, change.growth_date)
    if when < batch.planted_date:
        raise RuleViolation("The growth date is before the batch was planted.")
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
    done = _audited(session, actor, batch, "change_growth_phase")
    batch.untracked_count -= count
    batch.tracked_count += count
    _settle(batch)
    done()
    for made in plants:
        record(
            session,
            actor,
            entity=made,
            action="create",
            facility_id=facility.id,
            after=snapshot(made),
        )
    return plants
