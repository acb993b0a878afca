"""Plant and plant batch rules, exercised on the services directly (no HTTP)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import CLI
from leafledger.domain.errors import NotFound, RuleViolation
from leafledger.domain.models import Facility, Location, Plant, Strain, Tag
from leafledger.domain.services import cultivation, plant_batches, plants
from leafledger.domain.services.plant_batches import (
    BatchDestruction,
    GrowthPhaseChange,
    Planting,
    Split,
    consecutive_labels,
)
from leafledger.domain.services.plants import PhaseChange, PlantDestruction
from leafledger.store import Store
from tests.conftest import Ledger, unique


def test_consecutive_labels_keep_their_width() -> None:
    assert list(consecutive_labels("ABC0098", 3)) == ["ABC0098", "ABC0099", "ABC0100"]
    with pytest.raises(RuleViolation, match="fewer than 3"):
        list(consecutive_labels("ABC98", 3))
    with pytest.raises(RuleViolation, match="does not end in a number"):
        list(consecutive_labels("ABCDEF", 1))


def _setup(session: Session, facility: Facility, tags: int) -> tuple[str, str, str]:
    strain, room = unique("Strain"), unique("Room")
    prefix = f"1A4D{facility.id:06d}"
    session.add_all(
        [
            Strain(facility_id=facility.id, name=strain),
            Location(
                facility_id=facility.id,
                name=room,
                location_type_name="Default Location Type",
                for_plant_batches=True,
                for_plants=True,
                for_harvests=True,
                for_packages=True,
            ),
            *(
                Tag(
                    facility_id=facility.id,
                    label=f"{prefix}{n:06d}",
                    kind="Plant",
                    tag_type_name="CannabisPlant",
                )
                for n in range(1, tags + 1)
            ),
        ]
    )
    session.flush()
    return strain, room, prefix


def test_counts_are_conserved_through_every_batch_change(ledger: Ledger, store: Store) -> None:
    facility = ledger.facility("Cultivator")
    with store.transaction() as session:
        facility = session.merge(facility)
        strain, room, prefix = _setup(session, facility, 10)
        batch = plant_batches.plant(
            session, CLI, facility, Planting("Rules", "Seed", 50, strain, room)
        )
        daughter = plant_batches.split(session, CLI, facility, Split("Rules", "Rules 2", 20))
        plant_batches.destroy(
            session,
            CLI,
            facility,
            BatchDestruction(batch_name="Rules", count=5, reason="Male Plants"),
        )
        tagged_batch = plant_batches.change_growth_phase(
            session,
            CLI,
            facility,
            GrowthPhaseChange("Rules", 10, f"{prefix}000001", "Vegetative"),
        )
        tagged = session.scalars(
            select(Plant).where(Plant.plant_batch_id == tagged_batch.id).order_by(Plant.id)
        ).all()
        assert [p.label for p in tagged][:2] == [f"{prefix}000001", f"{prefix}000002"]
        total = sum(
            b.untracked_count + b.tracked_count + b.destroyed_count + b.packaged_count
            for b in (batch, daughter)
        )
        assert total == 50
        assert (batch.untracked_count, batch.tracked_count, batch.destroyed_count) == (15, 10, 5)
        # a growth phase change never takes more than the batch holds
        with pytest.raises(RuleViolation, match="holds 15"):
            plant_batches.change_growth_phase(
                session, CLI, facility, GrowthPhaseChange("Rules", 16, "X1", "Vegetative")
            )
        # the shared lookups for harvests and packages
        assert cultivation.batch_named(session, facility, "Rules 2") is daughter
        found = cultivation.active_plant_by_label(session, facility, f"{prefix}000003")
        assert found.growth_phase == "Vegetative"
        plants.change_growth_phase(session, CLI, facility, PhaseChange(found.id, None, "Flowering"))
        with pytest.raises(RuleViolation, match="only move forward"):
            plants.change_growth_phase(
                session, CLI, facility, PhaseChange(found.id, None, "Vegetative")
            )
        plants.destroy(
            session,
            CLI,
            facility,
            PlantDestruction(
                plant_id=found.id,
                method="Compost",
                reason="Pests",
                weight=Decimal("3.5"),
                unit="Grams",
            ),
        )
        with pytest.raises(RuleViolation, match="no longer active"):
            cultivation.active_plant_by_label(session, facility, f"{prefix}000003")
        with pytest.raises(NotFound):
            cultivation.active_plant_by_label(session, facility, "NO-SUCH-TAG")
        with pytest.raises(NotFound):
            cultivation.batch_named(session, facility, "No Such Batch")
        session.rollback()


def test_a_dispensary_may_not_plant(ledger: Ledger, store: Store) -> None:
    facility = ledger.facility("Dispensary")
    with store.transaction() as session:
        facility = session.merge(facility)
        with pytest.raises(RuleViolation, match="may not grow plants"):
            plant_batches.plant(session, CLI, facility, Planting("X", "Seed", 1, "Any"))
