"""Harvest and package rules at the service level, without HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import CLI
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import Facility, Harvest, HarvestPlant, PackageSource, Plant, Tag
from leafledger.domain.services import harvests, packages
from leafledger.domain.services.harvests import (
    FinishHarvest,
    PlantCut,
    RecordWaste,
    RestorePlants,
    amount,
    harvest_plants,
    stored,
)
from leafledger.domain.services.packages import (
    HarvestPackage,
    Ingredient,
    create_package_from_harvests,
)
from leafledger.store import Store
from tests.conftest import Ledger
from tests.metrc.test_harvests import Grow


@pytest.fixture()
def grow(ledger: Ledger, store: Store) -> Grow:
    return Grow.start(ledger, store)


@pytest.fixture()
def session(store: Store) -> Iterator[Session]:
    """A session whose work is thrown away: each test sees its own changes only."""
    with store.engine.connect() as connection:
        transaction = connection.begin()
        with store.session(bind=connection) as session:
            yield session
        transaction.rollback()


def facility(session: Session, grow: Grow) -> Facility:
    found = session.get(Facility, grow.facility.id)
    assert found is not None
    return found


def harvest_of(session: Session, grow: Grow, weights: list[str], unit: str = "Grams") -> Harvest:
    """Harvest new plants. Rows made outside `session` come first: SQLite has one writer."""
    labels = grow.plants(len(weights))
    cuts = [
        PlantCut(label, Decimal(w), unit, grow.location, harvest_name=f"H-{grow.license}")
        for label, w in zip(labels, weights, strict=True)
    ]
    ids = harvest_plants(session, CLI, facility(session, grow), cuts)
    harvest = session.get(Harvest, ids[0])
    assert harvest is not None
    return harvest


def request(tag: str, item: str, unit: str, *draws: Ingredient) -> HarvestPackage:
    return HarvestPackage(tag=tag, item=item, unit_of_weight=unit, ingredients=draws)


def test_quantities_are_positive_finite_and_at_most_ten_places() -> None:
    assert amount(Decimal("1.5"), "Weight") == Decimal("1.5")
    assert amount(3, "Weight") == Decimal(3)
    for bad in (Decimal("NaN"), Decimal("-1"), Decimal(0), Decimal("1e-11"), Decimal("1e16")):
        with pytest.raises(RuleViolation):
            amount(bad, "Weight")
    with pytest.raises(RuleViolation):
        amount(True, "Weight")
    assert amount(Decimal(0), "Weight", allow_zero=True) == 0
    assert stored(Decimal("0.12345678901234")) == Decimal("0.123456789")
    assert stored(Decimal("2.50")) == Decimal("2.5")


def test_harvest_plants_names_the_failing_row(session: Session, grow: Grow) -> None:
    labels = grow.plants(2)
    cuts = [
        PlantCut(labels[0], Decimal(10), "Grams", grow.location),
        PlantCut(labels[1], Decimal(10), "Each", grow.location),
    ]
    with pytest.raises(RuleViolation) as error:
        harvest_plants(session, CLI, facility(session, grow), cuts)
    assert error.value.row == 1
    assert "not a unit of weight" in error.value.message


def test_one_pound_from_a_harvest_in_grams_lowers_it_by_453_59237_g(
    session: Session, grow: Grow
) -> None:
    [tag], item = grow.package_tags(1), grow.item()
    harvest = harvest_of(session, grow, ["500"])
    made = create_package_from_harvests(
        session,
        CLI,
        facility(session, grow),
        request(tag, item, "Pounds", Ingredient(Decimal(1), "Pounds", harvest.id)),
    )
    assert harvest.current_weight == Decimal("46.40763")
    assert made.quantity == Decimal(1) and made.unit_of_measure_name == "Pounds"


def test_draws_that_do_not_divide_evenly_still_balance(session: Session, grow: Grow) -> None:
    """1 g from a harvest kept in ounces has no finite decimal: the stored draw and the drop of
    the harvest are the same ten-place number, so the books balance to the last digit."""
    [tag], item = grow.package_tags(1), grow.item()
    harvest = harvest_of(session, grow, ["10"], unit="Ounces")
    made = create_package_from_harvests(
        session,
        CLI,
        facility(session, grow),
        request(tag, item, "Grams", Ingredient(Decimal(1), "Grams", harvest.id)),
    )
    session.flush()
    [source] = session.scalars(select(PackageSource).where(PackageSource.package_id == made.id))
    assert source.quantity == Decimal("0.0352739619")
    assert harvest.current_weight + source.quantity == Decimal(10)
    assert harvest.current_weight == (
        harvest.total_wet_weight
        - harvest.total_waste_weight
        - harvest.total_packaged_weight
        - harvest.total_restored_weight
    )
    assert made.quantity == Decimal(1)


def test_an_over_draw_changes_nothing(session: Session, grow: Grow) -> None:
    [tag], item = grow.package_tags(1), grow.item()
    harvest = harvest_of(session, grow, ["100"])
    with pytest.raises(RuleViolation, match="exceeds"):
        create_package_from_harvests(
            session,
            CLI,
            facility(session, grow),
            request(
                tag,
                item,
                "Grams",
                Ingredient(Decimal(50), "Grams", harvest.id),
                Ingredient(Decimal("50.1"), "Grams", harvest_name=harvest.name),
            ),
        )
    assert harvest.current_weight == Decimal(100) and harvest.package_count == 0
    assert session.scalars(select(Tag.status).where(Tag.label == tag)).one() == "Available"


def test_waste_then_restore_is_refused_and_finish_blocks_waste(
    session: Session, grow: Grow
) -> None:
    here = facility(session, grow)
    harvest = harvest_of(session, grow, ["100"])
    label = session.scalars(
        select(Plant.label)
        .join(HarvestPlant, HarvestPlant.plant_id == Plant.id)
        .where(HarvestPlant.harvest_id == harvest.id)
    ).one()
    waste = RecordWaste(harvest.id, "Plant Material", Decimal(1), "Grams")
    harvests.record_waste(session, CLI, here, waste)
    with pytest.raises(RuleViolation, match="no longer be restored"):
        harvests.restore_harvested_plants(session, CLI, here, RestorePlants(harvest.id, [label]))
    harvests.finish_harvest(session, CLI, here, FinishHarvest(harvest.id))
    with pytest.raises(RuleViolation, match="finished"):
        harvests.record_waste(session, CLI, here, waste)
    assert harvest.current_weight == Decimal(99)


def test_a_counted_item_cannot_be_packaged_by_weight(session: Session, grow: Grow) -> None:
    [tag], item = grow.package_tags(1), grow.item("Immature Plants", "CountBased")
    harvest = harvest_of(session, grow, ["100"])
    with pytest.raises(RuleViolation, match="weighed"):
        packages.create_package_from_harvests(
            session,
            CLI,
            facility(session, grow),
            request(
                tag,
                item,
                "Grams",
                Ingredient(Decimal(1), "Grams", harvest.id),
            ),
        )
    assert harvest.current_weight == Decimal(100)
