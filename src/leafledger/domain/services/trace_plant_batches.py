"""Plant batch writes as Trace makes them, each made of the ledger's own batch services.

- Creating a batch plants seeds or clones (`plant_batches.plant`), takes them from a mother
  plant (`plant_from_plant`) or splits them off another batch (`split`), as its origin says;
  a barcode, when given, is the batch's plant tag (`plant_batch_tags`).
- Updating a batch takes one action: `update` (rename, change strain), `move`, `additives`,
  `destroy` or `waste`, each the batch service of that name.

Trace names the strain, the location, the mother plant and the source batch by id; the ledger's
batch commands name them, so an archived one is refused first (`lookups.active_name`, and
`cultivation.active_batch` for batches). Every rule is the batch services'.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import Facility, Location, Plant, PlantBatch, Strain
from leafledger.domain.services import plant_batch_tags, plant_batches
from leafledger.domain.services.cultivation import active_batch
from leafledger.domain.services.lookups import active_name
from leafledger.domain.services.parts import each, values_of, within
from leafledger.domain.services.trace_cultivation import AppliedAdditive, Destruction, WasteEntry

ACTIONS = ("update", "move", "additives", "destroy", "waste")


@dataclass(frozen=True, kw_only=True)
class NewBatch:
    name: str
    batch_type: str
    count: int
    strain: Strain
    location: Location | None = None
    planted_date: date | None = None
    patient_license_number: str | None = None
    barcode: str | None = None
    # Where the plants come from, when not from seed or cuttings bought in: a mother plant, or
    # another batch they are split off.
    mother_plants: tuple[Plant, ...] = ()
    source_batches: tuple[PlantBatch, ...] = ()


def _planted(session: Session, actor: Actor, facility: Facility, new: NewBatch) -> PlantBatch:
    strain = active_name(new.strain, "strain", "strain")
    location = None if new.location is None else active_name(new.location, "location", "location")
    if len(new.mother_plants) + len(new.source_batches) > 1:
        raise RuleViolation("A batch comes from one mother plant or one batch.", field="origin")
    if new.mother_plants:
        planting = plant_batches.PlantingFromPlant(
            new.mother_plants[0].label,
            new.name,
            new.batch_type,
            new.count,
            strain=strain,
            location=location,
            patient_license_number=new.patient_license_number,
            planted_date=new.planted_date,
        )
        return plant_batches.plant_from_plant(session, actor, facility, planting)
    if new.source_batches:
        source = active_batch(session, facility, new.source_batches[0].id, None)
        if source.batch_type != new.batch_type:
            raise RuleViolation(
                f"Plants split off batch {source.name!r} are {source.batch_type} plants.",
                field="batch_type",
            )
        split = plant_batches.Split(
            source.name,
            new.name,
            new.count,
            location=location,
            strain=strain,
            patient_license_number=new.patient_license_number,
            actual_date=new.planted_date,
        )
        with within((), new, {"group_name": "name", "actual_date": "planted_date"}):
            return plant_batches.split(session, actor, facility, split)
    planting_new = plant_batches.Planting(
        new.name,
        new.batch_type,
        new.count,
        strain,
        location=location,
        patient_license_number=new.patient_license_number,
        planted_date=new.planted_date,
    )
    batch = plant_batches.plant(session, actor, facility, planting_new)
    session.flush()
    return batch


def create_batch(session: Session, actor: Actor, facility: Facility, new: NewBatch) -> PlantBatch:
    """A new batch, planted, taken from a mother plant or split off another batch."""
    batch = _planted(session, actor, facility, new)
    if new.barcode:
        tagging = plant_batch_tags.BatchTagReplacement(
            batch_id=batch.id, new_tag=new.barcode, replace_date=batch.planted_date
        )
        with within((), new, {"new_tag": "barcode"}):
            plant_batch_tags.replace_batch_tag(session, actor, facility, tagging)
    return batch


@dataclass(frozen=True, kw_only=True)
class BatchUpdate:
    action: str  # one of ACTIONS
    name: str | None = None
    strain: Strain | None = None
    location: Location | None = None
    move_date: date | None = None
    additives: tuple[AppliedAdditive, ...] = ()
    destructions: tuple[Destruction, ...] = ()
    waste: tuple[WasteEntry, ...] = ()


def _details(
    session: Session, actor: Actor, facility: Facility, batch: PlantBatch, change: BatchUpdate
) -> None:
    if change.name is None and change.strain is None:
        raise RuleViolation("An update gives the batch a new name or strain.", field="name")
    if change.name is not None:
        rename = plant_batches.BatchRename(batch.id, None, change.name)
        with within((), change, {"new_name": "name"}):
            plant_batches.rename(session, actor, facility, rename)
    if change.strain is not None:
        strain = plant_batches.BatchStrainChange(batch_id=batch.id, strain_id=change.strain.id)
        plant_batches.change_strain(session, actor, facility, strain)


def _move(
    session: Session, actor: Actor, facility: Facility, name: str, change: BatchUpdate
) -> None:
    if change.location is None:
        raise RuleViolation("A move names the new location.", field="location")
    location = active_name(change.location, "location", "location")
    plant_batches.move(
        session, actor, facility, plant_batches.BatchMove(name, location, None, change.move_date)
    )


def _parts(
    session: Session, actor: Actor, facility: Facility, name: str, change: BatchUpdate
) -> None:
    """The additives, destructions or waste of the update, each in turn."""
    if change.action == "additives":
        each(
            change.additives,
            "additives",
            "additive",
            lambda part: plant_batches.add_additive(
                session,
                actor,
                facility,
                plant_batches.BatchAdditive(batch_name=name, **part.named()),
            ),
        )
    elif change.action == "destroy":
        each(
            change.destructions,
            "destructions",
            "destruction",
            lambda part: plant_batches.destroy(
                session,
                actor,
                facility,
                plant_batches.BatchDestruction(batch_name=name, **values_of(part)),
            ),
        )
    else:
        each(
            change.waste,
            "waste",
            "waste record",
            lambda part: plant_batches.record_waste(
                session,
                actor,
                facility,
                plant_batches.BatchWasteRecord(batch_name=name, **values_of(part)),
            ),
        )


def update_batch(
    session: Session, actor: Actor, facility: Facility, batch: PlantBatch, change: BatchUpdate
) -> PlantBatch:
    """One action on an active batch."""
    name = active_batch(session, facility, batch.id, None).name
    if change.action == "update":
        _details(session, actor, facility, batch, change)
    elif change.action == "move":
        _move(session, actor, facility, name, change)
    elif change.action in ACTIONS:
        _parts(session, actor, facility, name, change)
    else:
        raise RuleViolation(f"Unknown plant batch action {change.action!r}.", field="action")
    return batch
