"""Harvests and their waste, as both dialects read them.

A harvest reads through `HarvestRow`: its columns with the names of its drying location (and
that location's type) and sublocation, joined in the list statement itself. The source strains
of a harvest (those of the plants cut into it, restored ones excepted) are many per harvest, so
`complete` reads them for a whole page in one statement: a page of harvests costs the page and
that one statement, whatever its size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Mapped, Session

from leafledger.domain.models import (
    Facility,
    Harvest,
    HarvestPlant,
    HarvestWaste,
    Location,
    Plant,
    Strain,
    Sublocation,
)
from leafledger.domain.queries.base import Listed, ReadModel, owned, unarchived

_HARVEST_ROWS = (
    select(
        *Harvest.__table__.columns,
        Location.name.label("drying_location_name"),
        Location.location_type_name.label("drying_location_type_name"),
        Sublocation.name.label("drying_sublocation_name"),
    )
    .select_from(Harvest)
    .outerjoin(Location, Location.id == Harvest.drying_location_id)
    .outerjoin(Sublocation, Sublocation.id == Harvest.drying_sublocation_id)
    .subquery("harvest_rows")
)


class HarvestRow(ReadModel):
    __table__ = _HARVEST_ROWS

    id: Mapped[int]
    facility_id: Mapped[int]
    name: Mapped[str]
    harvest_type: Mapped[str]
    drying_location_id: Mapped[int]
    drying_sublocation_id: Mapped[int | None]
    patient_license_number: Mapped[str | None]
    unit_of_weight_name: Mapped[str]
    total_wet_weight: Mapped[Decimal]
    current_weight: Mapped[Decimal]
    total_waste_weight: Mapped[Decimal]
    total_packaged_weight: Mapped[Decimal]
    total_restored_weight: Mapped[Decimal]
    plant_count: Mapped[int]
    package_count: Mapped[int]
    lab_testing_state: Mapped[str]
    harvest_start_date: Mapped[date]
    finished_date: Mapped[date | None]
    archived_date: Mapped[date | None]
    is_on_hold: Mapped[bool]
    last_modified: Mapped[datetime]
    drying_location_name: Mapped[str | None]
    drying_location_type_name: Mapped[str | None]
    drying_sublocation_name: Mapped[str | None]


class SourceStrain(NamedTuple):
    id: int
    name: str


@dataclass(frozen=True)
class HarvestRecord:
    """A harvest as renderers take it: its row and its source strains, by name."""

    harvest: HarvestRow
    strains: tuple[SourceStrain, ...]


def harvests(facility: Facility, *, finished: bool) -> Listed:
    """The facility's harvests still drying or drawn on (active), or finished (inactive)."""
    done = HarvestRow.finished_date.is_not(None) if finished else HarvestRow.finished_date.is_(None)
    return unarchived(HarvestRow, facility, done, complete=complete)


def archived(facility: Facility) -> Listed:
    """The facility's archived harvests (undone before anything was drawn from them)."""
    source = owned(HarvestRow, facility).where(HarvestRow.archived_date.is_not(None))
    return Listed(
        source.order_by(HarvestRow.id), modified=HarvestRow.last_modified, complete=complete
    )


def on_hold(facility: Facility) -> Listed:
    """The facility's harvests on hold, finished or not."""
    return unarchived(HarvestRow, facility, HarvestRow.is_on_hold.is_(True), complete=complete)


def source_strains(session: Session, harvest_ids: Sequence[int]) -> dict[int, list[SourceStrain]]:
    """The strains of the plants cut into each harvest (restored ones excepted), by name."""
    found: dict[int, list[SourceStrain]] = {harvest_id: [] for harvest_id in harvest_ids}
    if not found:
        return found
    rows = session.execute(
        select(HarvestPlant.harvest_id, Strain.id, Strain.name)
        .distinct()
        .join(Plant, Plant.id == HarvestPlant.plant_id)
        .join(Strain, Strain.id == Plant.strain_id)
        .where(HarvestPlant.harvest_id.in_(sorted(found)), HarvestPlant.restored.is_(False))
        .order_by(HarvestPlant.harvest_id, Strain.name, Strain.id)
    )
    for harvest_id, strain_id, strain_name in rows:
        found[harvest_id].append(SourceStrain(strain_id, strain_name))
    return found


def complete(session: Session, harvests: list[HarvestRow]) -> list[HarvestRecord]:
    """A page of harvests with their source strains (one statement for the page)."""
    strains = source_strains(session, [harvest.id for harvest in harvests])
    return [HarvestRecord(harvest, tuple(strains[harvest.id])) for harvest in harvests]


# --- waste


@dataclass(frozen=True)
class WasteRecord:
    """A waste record with the unit of weight of its harvest, which its weight is kept in."""

    waste: HarvestWaste
    unit_of_weight_name: str


def waste(harvest: Harvest) -> Listed:
    """The harvest's waste records still in force, oldest first. The harvest is known (the
    list is of one harvest), so its unit completes a page without a statement."""
    source = (
        select(HarvestWaste)
        .where(HarvestWaste.harvest_id == harvest.id, HarvestWaste.active.is_(True))
        .order_by(HarvestWaste.id)
    )
    unit = harvest.unit_of_weight_name

    def weighed(_session: Session, records: list[HarvestWaste]) -> list[WasteRecord]:
        return [WasteRecord(record, unit) for record in records]

    return Listed(source, modified=HarvestWaste.last_modified, complete=weighed)
