"""Plant counts per facility, growth phase and state, kept in step with the plants table.

A flush hook (installed by domain/listeners.py) turns the plants inserted, deleted or moved
between phases and states into increments of PlantCount rows, so no service has to remember to
do it. Bulk inserts that bypass the ORM (benchmark seeding) call `recount` afterwards.

The counts are of plant rows, one per tag, not of plants: a plant group standing for several
plants (`Plant.plant_count`, services/plant_groups.py) counts once, so a list's Total always
matches the records it pages.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import ScalarSelect, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, attributes

from leafledger.domain.models import Plant, PlantCount
from leafledger.domain.models.base import among

Key = tuple[int, str, str]


def _key(plant: Plant, which: str = "current") -> Key | None:
    phase, state = (
        (plant.growth_phase, plant.state)
        if which == "current"
        else (_old(plant, "growth_phase"), _old(plant, "state"))
    )
    if plant.facility_id is None or phase is None or state is None:
        return None
    return (plant.facility_id, phase, state)


def _old(plant: Plant, name: str) -> Any:
    history = attributes.get_history(plant, name)
    if history.deleted:
        return history.deleted[0]
    return getattr(plant, name)


def track_plant_counts(session: Session, _context: Any, _instances: Any) -> None:
    deltas: Counter[Key] = Counter()
    for obj in session.new:
        if isinstance(obj, Plant) and (key := _key(obj)):
            deltas[key] += 1
    for obj in session.deleted:
        if isinstance(obj, Plant) and (key := _key(obj, "old")):
            deltas[key] -= 1
    for obj in session.dirty:
        if isinstance(obj, Plant) and session.is_modified(obj):
            old, new = _key(obj, "old"), _key(obj)
            if old != new:
                if old:
                    deltas[old] -= 1
                if new:
                    deltas[new] += 1
    for (facility_id, phase, state), delta in deltas.items():
        if delta:
            _apply(session, facility_id, phase, state, delta)


def _apply(session: Session, facility_id: int, phase: str, state: str, delta: int) -> None:
    """Add `delta` to one count, creating its row if needed, safe under concurrent writers."""
    dialect = session.get_bind().dialect.name
    upsert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = upsert(PlantCount).values(
        facility_id=facility_id, growth_phase=phase, state=state, count=delta
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["facility_id", "growth_phase", "state"],
            set_={"count": PlantCount.count + delta},
        )
    )


def plant_count(facility_id: int, phases: list[str], states: list[str]) -> ScalarSelect[int]:
    """How many of the facility's plants are in one of `phases` and one of `states`, as a
    scalar subquery (a list reads it in the same round trip as its page)."""
    return (
        select(func.coalesce(func.sum(PlantCount.count), 0))
        .where(
            PlantCount.facility_id == facility_id,
            among(PlantCount.growth_phase, phases),
            among(PlantCount.state, states),
        )
        .scalar_subquery()
    )


def recount(session: Session, facility_id: int) -> None:
    """Rebuild a facility's counts from the plants table (after bulk loads that skip the ORM)."""
    session.query(PlantCount).filter(PlantCount.facility_id == facility_id).delete()
    rows = session.execute(
        select(Plant.growth_phase, Plant.state, func.count())
        .where(Plant.facility_id == facility_id)
        .group_by(Plant.growth_phase, Plant.state)
    )
    for phase, state, count in rows:
        session.add(
            PlantCount(facility_id=facility_id, growth_phase=phase, state=state, count=count)
        )
