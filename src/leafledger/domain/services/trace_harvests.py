"""Harvest writes as Trace makes them, each made of the ledger's own harvest services.

- Creating a harvest cuts the plants it lists into a new harvest of that name, whole or
  manicured as its type says (`harvests.harvest_plant` / `manicure_plant`, one per plant).
- Updating a harvest takes one action: `add_plants`, `waste`, `create_lots` (packages drawn
  from the harvest, `packages.create_package_from_harvests`), `finish`, `unfinish`, `move`,
  `rename` or `restore_plants`, each the service of that name.
- Deactivating a harvest (Trace's DELETE) undoes a harvest made by mistake: every plant cut
  into it is restored, which the harvest service allows only while nothing has been drawn
  from it, and the emptied harvest is archived (its name is free again). A harvest that was
  drawn on is finished instead.

Trace names plants, locations and items by id; the ledger's commands name them by label or
name, so an archived location or item is refused first (`lookups.active_name`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import NotFound, RuleViolation
from leafledger.domain.models import Facility, Harvest, HarvestPlant, Item, Location, Plant
from leafledger.domain.services import harvests, packages
from leafledger.domain.services.audit import audited
from leafledger.domain.services.lookups import active_name, facility_today
from leafledger.domain.services.parts import each, within

ACTIONS = (
    "add_plants",
    "waste",
    "create_lots",
    "finish",
    "unfinish",
    "move",
    "rename",
    "restore_plants",
)


@dataclass(frozen=True, kw_only=True)
class CutPlant:
    """One plant of a harvest and its wet weight."""

    plant: Plant
    weight: Decimal | None = None
    unit_of_weight: str | None = None


@dataclass(frozen=True, kw_only=True)
class NewHarvest:
    name: str
    harvest_type: str  # "WholePlant" or "Product" (manicure)
    location: Location
    plants: tuple[CutPlant, ...] = ()
    harvest_date: date | None = None
    patient_license_number: str | None = None


@dataclass(frozen=True)
class _Into:
    """The harvest plants are cut into: its name, type, drying location (by name) and date."""

    name: str
    harvest_type: str
    location: str
    when: date | None
    patient_license_number: str | None = None


def _cut_into(
    session: Session, actor: Actor, facility: Facility, into: _Into, cuts: tuple[CutPlant, ...]
) -> Harvest:
    """Cut each plant into the harvest; the harvest."""
    manicure = into.harvest_type == harvests.PRODUCT
    cut_plant = harvests.manicure_plant if manicure else harvests.harvest_plant
    made: list[Harvest] = []

    def cut_one(part: CutPlant) -> None:
        if part.weight is None or part.unit_of_weight is None:
            missing = "weight" if part.weight is None else "unit_of_weight"
            raise RuleViolation(
                "{field} is required: a plant is cut with its wet weight.", field=missing
            )
        cut = harvests.PlantCut(
            part.plant.label,
            part.weight,
            part.unit_of_weight,
            into.location,
            harvest_name=into.name,
            patient_license_number=into.patient_license_number,
            actual_date=into.when,
        )
        made.append(cut_plant(session, actor, facility, cut))

    each(cuts, "plants", "plant to harvest", cut_one)
    return made[-1]


def create_harvest(session: Session, actor: Actor, facility: Facility, new: NewHarvest) -> Harvest:
    """A new harvest of the plants named; a harvest of that name may not exist already."""
    try:
        existing = harvests.harvest_named(session, facility, new.name)
    except (NotFound, RuleViolation):
        existing = None
    if existing is not None:
        raise RuleViolation(
            f"A harvest named {new.name!r} exists already; add plants to it with an update.",
            field="name",
        )
    location = active_name(new.location, "location", "location")
    into = _Into(new.name, new.harvest_type, location, new.harvest_date, new.patient_license_number)
    renamed = {"harvest_name": "name", "actual_date": "harvest_date", "drying_location": "location"}
    with within((), new, renamed):
        return _cut_into(session, actor, facility, into, new.plants)


@dataclass(frozen=True, kw_only=True)
class HarvestWasteEntry:
    waste_type: str
    weight: Decimal
    unit_of_weight: str
    actual_date: date | None = None


@dataclass(frozen=True, kw_only=True)
class Lot:
    """A package drawn from the harvest: its tag, item, weight and place."""

    tag: str
    item: Item
    weight: Decimal
    unit_of_weight: str
    location: Location | None = None
    actual_date: date | None = None


@dataclass(frozen=True, kw_only=True)
class HarvestUpdate:
    action: str  # one of ACTIONS
    name: str | None = None
    location: Location | None = None
    action_date: date | None = None
    plants: tuple[CutPlant, ...] = ()
    waste: tuple[HarvestWasteEntry, ...] = ()
    lots: tuple[Lot, ...] = ()


def _lot(session: Session, actor: Actor, facility: Facility, harvest: Harvest, lot: Lot) -> None:
    """One package drawn from the harvest; a fault of its one ingredient is the lot's."""
    package = packages.HarvestPackage(
        tag=lot.tag,
        item=active_name(lot.item, "item", "item"),
        location=None
        if lot.location is None
        else active_name(lot.location, "location", "location"),
        actual_date=lot.actual_date,
        unit_of_weight=lot.unit_of_weight,
        ingredients=(packages.Ingredient(lot.weight, lot.unit_of_weight, harvest_id=harvest.id),),
    )
    try:
        packages.create_package_from_harvests(session, actor, facility, package)
    except RuleViolation as exc:
        if exc.field is None or exc.field[0] != "ingredients":
            raise
        raise RuleViolation(exc.template, field=exc.field[2:] or ("weight",)) from None


def _waste(
    session: Session, actor: Actor, facility: Facility, harvest: Harvest, entry: HarvestWasteEntry
) -> None:
    record = harvests.RecordWaste(
        harvest.id, entry.waste_type, entry.weight, entry.unit_of_weight, entry.actual_date
    )
    harvests.record_waste(session, actor, facility, record)


def _labels_of(session: Session, contributions: list[HarvestPlant]) -> list[str]:
    """The tags of the plants that contributed to a harvest, in plant order."""
    ids = {c.plant_id for c in contributions}
    return list(session.scalars(select(Plant.label).where(Plant.id.in_(ids)).order_by(Plant.id)))


def _restore(
    session: Session, actor: Actor, facility: Facility, harvest: Harvest, change: HarvestUpdate
) -> None:
    labels = [part.plant.label for part in change.plants]
    restore = harvests.RestorePlants(harvest.id, labels)
    with within((), change, {"plant_tags": "plants"}):
        harvests.restore_harvested_plants(session, actor, facility, restore)


def _location(change: HarvestUpdate) -> str:
    if change.location is None:
        raise RuleViolation("A move names the new location.", field="location")
    return active_name(change.location, "location", "location")


def update_harvest(
    session: Session, actor: Actor, facility: Facility, harvest: Harvest, change: HarvestUpdate
) -> Harvest:
    """One action on a harvest."""
    when = change.action_date
    action = change.action
    if action == "add_plants":
        location = session.get(Location, harvest.drying_location_id)
        assert location is not None
        into = _Into(
            harvest.name,
            harvest.harvest_type,
            location.name,
            when,
            harvest.patient_license_number,
        )
        with within((), change, {"actual_date": "action_date"}):
            _cut_into(session, actor, facility, into, change.plants)
    elif action == "waste":
        apply_waste = functools.partial(_waste, session, actor, facility, harvest)
        each(change.waste, "waste", "waste weight", apply_waste)
    elif action == "create_lots":
        each(change.lots, "lots", "lot", functools.partial(_lot, session, actor, facility, harvest))
    elif action == "finish":
        with within((), change, {"actual_date": "action_date"}):
            harvests.finish_harvest(
                session, actor, facility, harvests.FinishHarvest(harvest.id, when)
            )
    elif action == "unfinish":
        harvests.unfinish_harvest(session, actor, facility, harvests.UnfinishHarvest(harvest.id))
    elif action == "move":
        move = harvests.MoveHarvest(_location(change), harvest_id=harvest.id, actual_date=when)
        with within((), change, {"actual_date": "action_date", "drying_location": "location"}):
            harvests.move_harvest(session, actor, facility, move)
    elif action == "rename":
        if change.name is None:
            raise RuleViolation("A rename names the new name.", field="name")
        rename = harvests.RenameHarvest(change.name, harvest_id=harvest.id)
        with within((), change, {"new_name": "name"}):
            harvests.rename_harvest(session, actor, facility, rename)
    elif action == "restore_plants":
        _restore(session, actor, facility, harvest, change)
    else:
        raise RuleViolation(f"Unknown harvest action {action!r}.", field="action")
    return harvest


def deactivate_harvest(
    session: Session, actor: Actor, facility: Facility, harvest: Harvest
) -> Harvest:
    """Undo a harvest made by mistake: restore its plants, then archive it."""
    harvests.check_open(harvest)
    contributions = list(
        session.scalars(
            select(HarvestPlant).where(
                HarvestPlant.harvest_id == harvest.id, HarvestPlant.restored.is_(False)
            )
        )
    )
    if contributions:
        labels = _labels_of(session, contributions)
        restore = harvests.RestorePlants(harvest.id, labels)
        harvests.restore_harvested_plants(session, actor, facility, restore)
    done = audited(session, actor, harvest, "archive", facility.id)
    harvest.archived_date = facility_today(facility)
    done()
    return harvest
