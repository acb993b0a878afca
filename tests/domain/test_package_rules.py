"""Package rules at the service level, without HTTP: draws between packages, genealogy, lab
state inheritance, lifecycle, item and place changes, adjustments, plantings, plant counts."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import CLI
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import Facility, Package, PackageSource, Plant, Tag
from leafledger.domain.queries.packages import genealogies
from leafledger.domain.services import package_inventory as inventory
from leafledger.domain.services import plant_batches, plant_groups
from leafledger.domain.services.packages import (
    DerivedPackage,
    HarvestPackage,
    Ingredient,
    PackageIngredient,
    create_package_from_harvests,
    create_package_from_packages,
    create_testing_package_from_packages,
)
from leafledger.store import Store
from tests.conftest import Ledger, unique
from tests.domain.test_harvest_rules import harvest_of
from tests.metrc.test_harvests import Grow
from tests.metrc.test_package_inventory import stock


@pytest.fixture()
def grow(ledger: Ledger, store: Store) -> Grow:
    return Grow.start(ledger, store)


@pytest.fixture()
def session(store: Store) -> Iterator[Session]:
    """A session whose work is thrown away. Rows made outside it (stock, tags, items) are made
    before it writes: SQLite has one writer."""
    with store.engine.connect() as connection:
        transaction = connection.begin()
        with store.session(bind=connection) as session:
            yield session
        transaction.rollback()


def here(session: Session, grow: Grow) -> Facility:
    found = session.get(Facility, grow.facility.id)
    assert found is not None
    return found


def labelled(session: Session, label: str) -> Package:
    return session.scalars(select(Package).where(Package.label == label)).one()


def derive(tag: str, item: str | None, quantity: str, *draws: PackageIngredient) -> DerivedPackage:
    return DerivedPackage(
        tag=tag,
        item=item,
        quantity=Decimal(quantity),
        unit_of_measure="Grams",
        ingredients=draws,
    )


def take(label: str, quantity: str, unit: str = "Grams") -> PackageIngredient:
    return PackageIngredient(label, Decimal(quantity), unit)


# --- packages from packages ------------------------------------------------------------------


def test_draws_are_converted_into_the_source_unit_and_subtracted_together(
    session: Session, grow: Grow
) -> None:
    item = grow.item()
    source = stock(grow, "1", "Pounds", item)
    [tag] = grow.package_tags(1)
    made = create_package_from_packages(
        session,
        CLI,
        here(session, grow),
        derive(tag, item, "226.796185", take(source, "4", "Ounces"), take(source, "4", "oz")),
    )
    session.flush()
    assert labelled(session, source).quantity == Decimal("0.5")
    drawn = session.scalars(
        select(PackageSource.quantity).where(PackageSource.package_id == made.id)
    ).all()
    assert drawn == [Decimal("0.25"), Decimal("0.25")]
    assert made.quantity == Decimal("226.796185") and made.original_quantity == made.quantity


def test_an_over_draw_over_two_ingredients_changes_nothing(session: Session, grow: Grow) -> None:
    item = grow.item()
    source = stock(grow, "10", "Grams", item)
    [tag] = grow.package_tags(1)
    with pytest.raises(RuleViolation, match="exceeds") as raised:
        create_package_from_packages(
            session,
            CLI,
            here(session, grow),
            derive(tag, item, "1", take(source, "6"), take(source, "4.0000000001")),
        )
    assert raised.value.field == ("ingredients", 1)
    assert labelled(session, source).quantity == Decimal(10)
    assert session.scalars(select(Tag.status).where(Tag.label == tag)).one() == "Available"


def test_genealogy_reaches_the_harvests_through_packages(session: Session, grow: Grow) -> None:
    item = grow.item()
    first, second, third = grow.package_tags(3)
    facility = here(session, grow)
    harvest = harvest_of(session, grow, ["100"])
    from_harvest = create_package_from_harvests(
        session,
        CLI,
        facility,
        HarvestPackage(
            tag=first,
            item=item,
            unit_of_weight="Grams",
            ingredients=(Ingredient(Decimal(50), "Grams", harvest.id),),
        ),
    )
    middle = create_package_from_packages(
        session, CLI, facility, derive(second, item, "20", take(first, "20"))
    )
    last = create_package_from_packages(
        session, CLI, facility, derive(third, item, "5", take(second, "5"))
    )
    session.flush()
    found = genealogies(session, [from_harvest.id, middle.id, last.id])
    assert found[last.id].harvest_names == (harvest.name,)
    assert found[last.id].package_labels == (second,)
    assert found[middle.id].package_labels == (first,)
    assert found[from_harvest.id].package_labels == ()


def test_lab_results_follow_the_same_product_only(session: Session, grow: Grow) -> None:
    buds = grow.item()
    passed = stock(grow, "10", "Grams", buds, lab_testing_state="TestPassed")
    to_remediate = stock(grow, "10", "Grams", buds, product_requires_remediation=True)
    shake = grow.item("Shake/Trim")
    tags = grow.package_tags(3)
    facility = here(session, grow)
    same = create_package_from_packages(
        session, CLI, facility, derive(tags[0], buds, "1", take(passed, "1"))
    )
    other = create_package_from_packages(
        session, CLI, facility, derive(tags[1], shake, "1", take(passed, "1"))
    )
    mixed = create_package_from_packages(
        session,
        CLI,
        facility,
        derive(tags[2], buds, "2", take(passed, "1"), take(to_remediate, "1")),
    )
    assert same.lab_testing_state == "TestPassed"
    assert other.lab_testing_state == "NotSubmitted"
    assert mixed.lab_testing_state == "NotSubmitted" and mixed.product_requires_remediation


def test_a_lab_may_not_derive_packages_even_for_testing(
    ledger: Ledger, store: Store, session: Session
) -> None:
    lab = Grow.start(ledger, store, "Testing Lab")
    item = lab.item()
    source = stock(lab, "10", "Grams", item)
    [tag] = lab.package_tags(1)
    with pytest.raises(RuleViolation, match="may not create packages from packages"):
        create_testing_package_from_packages(
            session, CLI, here(session, lab), derive(tag, item, "1", take(source, "1"))
        )


# --- lifecycle and changes -------------------------------------------------------------------


def test_only_an_empty_package_finishes_and_finished_refuses_changes(
    session: Session, grow: Grow
) -> None:
    label = stock(grow, "2")
    facility = here(session, grow)
    with pytest.raises(RuleViolation, match="still holds"):
        inventory.finish_package(session, CLI, facility, inventory.PackageFinish(label))
    drop = inventory.Adjustment(label, Decimal(-2), "Grams", "Waste")
    inventory.adjust_package(session, CLI, facility, drop)
    finished = inventory.finish_package(session, CLI, facility, inventory.PackageFinish(label))
    assert finished.finished_date is not None and finished.quantity == 0
    with pytest.raises(RuleViolation, match="unfinish it first"):
        inventory.change_note(session, CLI, facility, inventory.NoteChange(label, "late"))
    inventory.unfinish_package(session, CLI, facility, inventory.PackageNamed(label))
    assert labelled(session, label).finished_date is None


def test_an_item_change_keeps_quantity_and_package_types(session: Session, grow: Grow) -> None:
    label = stock(grow, "2")
    counted = grow.item("Edible", "CountBased")
    weighed = grow.item("Kief")
    facility = here(session, grow)
    with pytest.raises(RuleViolation, match="keeps its quantity type") as raised:
        inventory.change_item(session, CLI, facility, inventory.ItemChange(label, counted))
    assert raised.value.field == ("item",)
    changed = inventory.change_item(session, CLI, facility, inventory.ItemChange(label, weighed))
    assert changed.quantity == Decimal(2) and changed.unit_of_measure_name == "Grams"


def test_a_package_moves_only_where_packages_may_be(session: Session, grow: Grow) -> None:
    label = stock(grow)
    drying = grow.location_named(for_packages=False)
    facility = here(session, grow)
    with pytest.raises(RuleViolation, match="cannot hold packages"):
        inventory.move_package(session, CLI, facility, inventory.PackageMove(label, drying))


def test_adjustments_never_take_a_package_below_zero(session: Session, grow: Grow) -> None:
    label = stock(grow, "1", "Ounces")
    facility = here(session, grow)
    over = inventory.Adjustment(label, Decimal("-28.35"), "Grams", "Spoilage")
    with pytest.raises(RuleViolation, match="less than none"):
        inventory.adjust_package(session, CLI, facility, over)
    exact = inventory.Adjustment(label, Decimal("-28.349523125"), "Grams", "Spoilage")
    assert inventory.adjust_package(session, CLI, facility, exact).quantity == 0
    final = inventory.FinalQuantity(label, Decimal("-1"), "Ounces", "Entry Error")
    with pytest.raises(RuleViolation) as raised:
        inventory.set_package_quantity(session, CLI, facility, final)
    assert raised.value.field == ("quantity",)


# --- plantings from a package, plant counts --------------------------------------------------


def test_a_planting_takes_its_clones_out_of_the_package(session: Session, grow: Grow) -> None:
    clones = stock(grow, "5", "Each", grow.item("Immature Plants", "CountBased"))
    facility = here(session, grow)
    strain = grow.plant(grow.plants(1)[0]).strain_id
    from leafledger.domain.models import Strain

    strain_name = session.get(Strain, strain)
    assert strain_name is not None
    planting = plant_batches.PlantingFromPackage(
        package_label=clones,
        name=unique("Batch"),
        batch_type="Clone",
        count=5,
        strain=strain_name.name,
    )
    batch = plant_batches.plant_from_package(session, CLI, facility, planting)
    assert batch.untracked_count == 5 and batch.source_package_id == labelled(session, clones).id
    assert labelled(session, clones).quantity == 0
    again = plant_batches.PlantingFromPackage(clones, unique("Batch"), "Clone", 1, strain_name.name)
    with pytest.raises(RuleViolation, match="exceeds"):
        plant_batches.plant_from_package(session, CLI, facility, again)


def test_a_plant_group_keeps_at_least_one_plant(session: Session, grow: Grow) -> None:
    [label] = grow.plants(1, phase="Vegetative")
    facility = here(session, grow)
    more = plant_groups.CountAdjustment(None, label, 9, "Entry Error")
    assert plant_groups.adjust_count(session, CLI, facility, more).plant_count == 10
    none = plant_groups.CountAdjustment(None, label, -10, "Entry Error")
    with pytest.raises(RuleViolation, match="keeps at least one") as raised:
        plant_groups.adjust_count(session, CLI, facility, none)
    assert raised.value.field == ("count",)
    unknown = plant_groups.CountAdjustment(None, label, 1, "Because")
    with pytest.raises(RuleViolation, match="unknown"):
        plant_groups.adjust_count(session, CLI, facility, unknown)
    assert session.scalars(select(Plant.plant_count).where(Plant.label == label)).one() == 10
