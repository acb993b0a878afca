"""Plant counts stay equal to a real count of the plants table through every kind of change."""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import func, select

from leafledger.domain.models import Facility, Location, Plant, PlantBatch, Strain, Tag
from leafledger.domain.services.plant_counts import plant_count, recount
from leafledger.store import Store
from tests.conftest import Ledger, unique

PHASES = ["Vegetative", "Flowering", "Mother"]
STATES = ["Tracked", "Harvested", "HarvestedFully", "Destroyed"]


def _real_count(store: Store, facility_id: int, phase: str, state: str) -> int:
    with store.read() as session:
        return int(
            session.scalar(
                select(func.count()).where(
                    Plant.facility_id == facility_id,
                    Plant.growth_phase == phase,
                    Plant.state == state,
                )
            )
            or 0
        )


def _setup(store: Store, facility: Facility) -> tuple[int, int, int]:
    with store.transaction() as session:
        strain = Strain(facility_id=facility.id, name=unique("Strain"))
        location = Location(
            facility_id=facility.id,
            name=unique("Room"),
            location_type_name="Default",
            for_plant_batches=True,
            for_plants=True,
            for_harvests=True,
            for_packages=True,
        )
        session.add_all([strain, location])
        session.flush()
        batch = PlantBatch(
            facility_id=facility.id,
            name=unique("Batch"),
            batch_type="Clone",
            strain_id=strain.id,
            location_id=location.id,
            untracked_count=0,
            planted_date=date.today(),
        )
        session.add(batch)
        session.flush()
        return strain.id, location.id, batch.id


def _new_plant(facility_id: int, ids: tuple[int, int, int], tag: Tag) -> Plant:
    strain_id, location_id, batch_id = ids
    return Plant(
        facility_id=facility_id,
        label=tag.label,
        tag_id=tag.id,
        plant_batch_id=batch_id,
        strain_id=strain_id,
        location_id=location_id,
        growth_phase="Vegetative",
        state="Tracked",
        planted_date=date.today(),
    )


def test_counts_follow_inserts_moves_and_deletes(store: Store, ledger: Ledger) -> None:
    facility = ledger.facility("Cultivator")
    ids = _setup(store, facility)
    rng = random.Random(7)
    for _round in range(6):
        with store.transaction() as session:
            for _ in range(rng.randint(1, 5)):
                tag = Tag(
                    facility_id=facility.id,
                    label=unique("TAG"),
                    kind="Plant",
                    tag_type_name="CannabisPlant",
                    status="Used",
                )
                session.add(tag)
                session.flush()
                session.add(_new_plant(facility.id, ids, tag))
            session.flush()
            plants = list(session.scalars(select(Plant).where(Plant.facility_id == facility.id)))
            for plant in rng.sample(plants, k=min(3, len(plants))):
                plant.growth_phase = rng.choice(PHASES)
                plant.state = rng.choice(STATES)
            if rng.random() < 0.5:
                session.delete(rng.choice(plants))
        with store.read() as session:
            for phase in PHASES:
                for state in STATES:
                    assert session.scalar(
                        select(plant_count(facility.id, [phase], [state]))
                    ) == _real_count(store, facility.id, phase, state), (phase, state)


def test_a_rolled_back_change_leaves_counts_alone(store: Store, ledger: Ledger) -> None:
    facility = ledger.facility("Cultivator")
    ids = _setup(store, facility)
    try:
        with store.transaction() as session:
            tag = Tag(
                facility_id=facility.id,
                label=unique("TAG"),
                kind="Plant",
                tag_type_name="CannabisPlant",
                status="Used",
            )
            session.add(tag)
            session.flush()
            session.add(_new_plant(facility.id, ids, tag))
            session.flush()
            raise RuntimeError("abandon the request")
    except RuntimeError:
        pass
    with store.read() as session:
        assert session.scalar(select(plant_count(facility.id, PHASES, STATES))) == 0


def test_recount_rebuilds_from_the_table(store: Store, ledger: Ledger) -> None:
    facility = ledger.facility("Cultivator")
    ids = _setup(store, facility)
    with store.transaction() as session:
        for _ in range(4):
            tag = Tag(
                facility_id=facility.id,
                label=unique("TAG"),
                kind="Plant",
                tag_type_name="CannabisPlant",
                status="Used",
            )
            session.add(tag)
            session.flush()
            session.add(_new_plant(facility.id, ids, tag))
    with store.transaction() as session:
        recount(session, facility.id)
    with store.read() as session:
        assert session.scalar(select(plant_count(facility.id, ["Vegetative"], ["Tracked"]))) == 4
        assert session.scalar(select(plant_count(facility.id, ["Flowering"], ["Tracked"]))) == 0
