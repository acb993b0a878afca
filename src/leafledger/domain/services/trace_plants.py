"""Plant writes as Trace makes them, each made of the ledger's own plant services.

- Creating plants tags untracked plants of a batch into a growth phase, from a starting tag
  on (`plant_batches.change_growth_phase`): Trace's "create plant" with a quantity of N makes
  the N plants tagged from its barcode on, and answers them.
- Updating a plant takes one action: `update` (a new tag, another strain), `move`,
  `additives`, `destroy`, `waste` or `growth_phase`, each the plant service of that name.

Every rule is the plant and batch services'; a plant keeps the strain of its batch, so a
creation naming another strain is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import Facility, Location, Plant, PlantBatch, Strain
from leafledger.domain.services import plant_batches, plants
from leafledger.domain.services.cultivation import active_batch
from leafledger.domain.services.lookups import active_name
from leafledger.domain.services.parts import each, values_of, within
from leafledger.domain.services.trace_cultivation import AppliedAdditive, Destruction, WasteEntry

ACTIONS = ("update", "move", "additives", "destroy", "waste", "growth_phase")


def _phase(growth_phase: str | None, is_mother_plant: bool) -> str | None:
    """The ledger's phase: a mother plant is in the Mother phase, whatever Trace names."""
    return "Mother" if is_mother_plant else growth_phase


@dataclass(frozen=True, kw_only=True)
class NewPlants:
    batch: PlantBatch
    count: int
    starting_tag: str
    growth_phase: str
    is_mother_plant: bool = False
    strain: Strain | None = None
    location: Location | None = None
    growth_date: date | None = None
    patient_license_number: str | None = None


def create_plants(
    session: Session, actor: Actor, facility: Facility, new: NewPlants
) -> list[Plant]:
    """Tag `count` plants of the batch, from the starting tag on; the plants, in tag order."""
    batch = active_batch(session, facility, new.batch.id, None)
    if new.strain is not None and new.strain.id != batch.strain_id:
        raise RuleViolation(
            f"The plants of batch {batch.name!r} are of its strain; {new.strain.name!r} is "
            "another.",
            field="strain",
        )
    location = None if new.location is None else active_name(new.location, "location", "location")
    change = plant_batches.GrowthPhaseChange(
        batch.name,
        new.count,
        new.starting_tag,
        _phase(new.growth_phase, new.is_mother_plant) or "",
        location=location,
        growth_date=new.growth_date,
        patient_license_number=new.patient_license_number,
    )
    plant_batches.change_growth_phase(session, actor, facility, change)
    session.flush()
    labels = list(plant_batches.consecutive_labels(new.starting_tag.strip(), new.count))
    made = session.scalars(select(Plant).where(Plant.label.in_(labels)).order_by(Plant.label))
    return list(made)


@dataclass(frozen=True, kw_only=True)
class PlantUpdate:
    action: str  # one of ACTIONS
    barcode: str | None = None
    strain: Strain | None = None
    location: Location | None = None
    move_date: date | None = None
    growth_phase: str | None = None
    is_mother_plant: bool = False
    growth_date: date | None = None
    additives: tuple[AppliedAdditive, ...] = ()
    destructions: tuple[Destruction, ...] = ()
    waste: tuple[WasteEntry, ...] = ()


def _details(
    session: Session, actor: Actor, facility: Facility, plant: Plant, change: PlantUpdate
) -> None:
    if change.barcode is None and change.strain is None:
        raise RuleViolation("An update gives the plant a new barcode or strain.", field="barcode")
    if change.barcode is not None:
        retag = plants.TagReplacement(plant.id, None, change.barcode)
        with within((), change, {"new_tag": "barcode"}):
            plants.replace_tag(session, actor, facility, retag)
    if change.strain is not None:
        strain = plants.StrainChange(plant_id=plant.id, strain_id=change.strain.id)
        plants.change_strain(session, actor, facility, strain)


def _place(change: PlantUpdate) -> str | None:
    return None if change.location is None else active_name(change.location, "location", "location")


def _destroy(
    session: Session, actor: Actor, facility: Facility, plant: Plant, change: PlantUpdate
) -> None:
    if len(change.destructions) != 1:
        raise RuleViolation(
            "A plant is destroyed once: give one destruction.", field="destructions"
        )
    [part] = change.destructions
    with within(("destructions", 0), part):
        fields = values_of(part, "count")
        plants.destroy(
            session, actor, facility, plants.PlantDestruction(plant_id=plant.id, **fields)
        )


def _waste(
    session: Session, actor: Actor, facility: Facility, plant: Plant, change: PlantUpdate
) -> None:
    each(
        change.waste,
        "waste",
        "waste record",
        lambda part: plants.record_waste(
            session,
            actor,
            facility,
            plants.PlantWasteRecord(labels=[plant.label], **values_of(part)),
        ),
    )


def _additives(
    session: Session, actor: Actor, facility: Facility, plant: Plant, change: PlantUpdate
) -> None:
    each(
        change.additives,
        "additives",
        "additive",
        lambda part: plants.add_additive(
            session, actor, facility, plants.PlantsAdditive(labels=[plant.label], **part.named())
        ),
    )


def update_plant(
    session: Session, actor: Actor, facility: Facility, plant: Plant, change: PlantUpdate
) -> Plant:
    """One action on a plant."""
    if change.action == "update":
        _details(session, actor, facility, plant, change)
    elif change.action == "move":
        if change.location is None:
            raise RuleViolation("A move names the new location.", field="location")
        move = plants.PlantMove(plant.id, None, _place(change) or "", actual_date=change.move_date)
        with within((), change, {"actual_date": "move_date"}):
            plants.move(session, actor, facility, move)
    elif change.action == "growth_phase":
        phase = _phase(change.growth_phase, change.is_mother_plant)
        if phase is None:
            raise RuleViolation("A growth phase change names the phase.", field="growth_phase")
        growth = plants.PhaseChange(
            plant.id, None, phase, location=_place(change), growth_date=change.growth_date
        )
        plants.change_growth_phase(session, actor, facility, growth)
    elif change.action == "destroy":
        _destroy(session, actor, facility, plant, change)
    elif change.action == "waste":
        _waste(session, actor, facility, plant, change)
    elif change.action == "additives":
        _additives(session, actor, facility, plant, change)
    else:
        raise RuleViolation(f"Unknown plant action {change.action!r}.", field="action")
    return plant
