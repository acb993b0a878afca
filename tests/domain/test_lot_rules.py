"""Trace lots at the service level, without HTTP: where a package service's faults are filed
in a lot's command, the rules a lot adds (its quantity from harvests, one kind of origin, its
package type, what a change may ask of its standing), and a package's standing history."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import CLI
from leafledger.domain.errors import FieldPath, RuleViolation
from leafledger.domain.models import Item, Package
from leafledger.domain.queries.history import PACKAGES, standing_histories
from leafledger.domain.services import package_inventory as inventory
from leafledger.domain.services import trace_lots as lots
from leafledger.domain.services.audit import changed
from tests.domain.test_harvest_rules import harvest_of
from tests.domain.test_package_rules import grow as grow  # fixtures: a facility that grows,
from tests.domain.test_package_rules import here, labelled
from tests.domain.test_package_rules import session as session  # and a session thrown away
from tests.metrc.test_harvests import Grow
from tests.metrc.test_package_inventory import stock


def item_named(session: Session, name: str) -> Item:
    return session.scalars(select(Item).where(Item.name == name)).one()


def lot(item: Item, tag: str, quantity: str, **origin: list[lots.LotSource]) -> lots.NewLot:
    return lots.NewLot(
        tag=tag,
        item=item,
        quantity=Decimal(quantity),
        unit_of_measure="Grams",
        origin=lots.LotOrigin(**origin),
    )


def fault(run: object, *args: object) -> FieldPath | None:
    """The field of the rule violation `run(*args)` raises."""
    assert callable(run)
    with pytest.raises(RuleViolation) as raised:
        run(*args)
    return raised.value.field


def test_faults_of_a_new_lot_are_filed_where_the_lot_names_them(
    session: Session, grow: Grow
) -> None:
    name, plants = grow.item(), grow.item("Immature Plants", "CountBased")
    source = stock(grow, "10", "Grams", name)
    tags = grow.package_tags(8)
    harvest = harvest_of(session, grow, ["100"])
    item, facility = item_named(session, name), here(session, grow)
    source_id = labelled(session, source).id

    def create(new: lots.NewLot) -> FieldPath | None:
        return fault(lots.create_lot, session, CLI, facility, new)

    def drawn(source: int, quantity: str | None = None, unit: str | None = None) -> lots.LotSource:
        return lots.LotSource(source, None if quantity is None else Decimal(quantity), unit)

    assert create(lot(item, tags[0], "12", harvests=[drawn(harvest.id, "10", "Grams")])) == (
        "quantity",
    )
    assert create(lot(item, tags[1], "1", harvests=[drawn(harvest.id, "1", "Each")])) == (
        "origin",
        "harvests",
        0,
        "unit_of_measure",
    )
    assert create(lot(item, tags[2], "200", harvests=[drawn(harvest.id, "200", "Grams")])) == (
        "origin",
        "harvests",
        0,
    )
    assert create(lot(item, tags[3], "1", lots=[drawn(987654)])) == (
        "origin",
        "lots",
        0,
        "source_id",
    )
    assert create(lot(item, tags[3], "1", lots=[drawn(source_id), drawn(source_id, "1")])) == (
        "origin",
        "lots",
        0,
        "quantity",
    )
    assert create(lot(item, tags[3], "1", lots=[drawn(source_id)], harvests=[drawn(1)])) == (
        "origin",
    )
    assert create(lot(item, tags[3], "1", plants=[drawn(1)])) == ("origin", "plants")
    batch = [drawn(grow.batch_id, "3", "Each")]
    assert create(lot(item, tags[3], "3", plant_batches=batch)) == ("unit_of_measure",)
    clones = item_named(session, plants)
    each = lots.NewLot(
        tag=tags[3],
        item=clones,
        quantity=Decimal(4),
        unit_of_measure="Each",
        origin=lots.LotOrigin(plant_batches=batch),
    )
    assert create(each) == ("quantity",)
    typed = lots.NewLot(**{**each.__dict__, "quantity": Decimal(3), "package_type": "Product"})
    assert create(typed) == ("package_type",)
    # Nothing was drawn by the refusals.
    assert harvest.current_weight == Decimal(100)
    assert labelled(session, source).quantity == Decimal(10)


def test_a_lot_from_a_harvest_holds_what_it_draws(session: Session, grow: Grow) -> None:
    name = grow.item()
    [tag] = grow.package_tags(1)
    harvest = harvest_of(session, grow, ["100"])
    item = item_named(session, name)
    new = lot(item, tag, "0.5", harvests=[lots.LotSource(harvest.id, Decimal("500"), "mg")])
    package = lots.create_lot(session, CLI, here(session, grow), new)
    assert package.quantity == Decimal("0.5") and package.label == tag
    assert harvest.current_weight == Decimal("99.5")


def test_a_change_is_filed_by_part_and_asks_only_what_it_may(session: Session, grow: Grow) -> None:
    label = stock(grow, "10", "Grams")
    package, facility = labelled(session, label), here(session, grow)

    def change(**what: object) -> FieldPath | None:
        return fault(lots.change_lot, session, CLI, facility, package, lots.LotChange(**what))

    assert change(adjustments=[lots.LotAdjustment(Decimal(-11), "Grams", "Drying")]) == (
        "adjustments",
        0,
    )
    assert change(remediations=[lots.LotRemediation("Drying")]) == ("remediations", 0)
    assert change(action="adjust") == ("adjustments",)
    assert change(action="create") == ("action",)
    tested = lots.StandingAsked("lab_testing", "TestPassed")
    assert change(standing=[tested]) == ("standing",)
    finished = lots.StandingAsked("life", "finished")
    assert change(action="discontinue", standing=[finished]) == ("action",)
    assert change(standing=[finished]) == ("standing",)  # it still holds 10 g
    # The standing it has is no change at all.
    untested = lots.StandingAsked("lab_testing", "NotSubmitted")
    before = package.last_modified
    lots.change_lot(session, CLI, facility, package, lots.LotChange(standing=[untested]))
    assert package.last_modified == before
    # A part that fails leaves the earlier ones made: the request that asked is undone whole.
    good = lots.LotAdjustment(Decimal(-1), "Grams", "Drying")
    bad = lots.LotAdjustment(Decimal(-1), "Grams", "Because")
    assert change(adjustments=[good, bad]) == ("adjustments", 1, "reason")
    emptied = lots.LotChange(
        adjustments=[lots.LotAdjustment(Decimal(-9), "Grams", "Drying")], standing=[finished]
    )
    lots.change_lot(session, CLI, facility, package, emptied)
    assert package.quantity == 0 and package.finished_date is not None


def test_a_packages_history_follows_its_life_hold_and_lab_testing_state(
    session: Session, grow: Grow
) -> None:
    name = grow.item()
    source = stock(grow, "10", "Grams", name)
    [tag] = grow.package_tags(1)
    facility, item = here(session, grow), item_named(session, name)
    new = lot(item, tag, "2", lots=[lots.LotSource(labelled(session, source).id)])
    package = lots.create_lot(session, CLI, facility, new)
    drop = inventory.Adjustment(tag, Decimal(-2), "Grams", "Drying")
    inventory.adjust_package(session, CLI, facility, drop)
    inventory.finish_package(session, CLI, facility, inventory.PackageFinish(tag))
    inventory.unfinish_package(session, CLI, facility, inventory.PackageNamed(tag))
    changed(session, CLI, package, "hold", facility.id, is_on_hold=True)
    changed(session, CLI, package, "test", facility.id, lab_testing_state="TestPassed")
    session.flush()
    packages = [package, labelled(session, source)]
    histories = standing_histories(session, facility.id, Package.__tablename__, packages, PACKAGES)
    made = histories[package.id]
    assert [(c.facet, c.before, c.after) for c in made.changes] == [
        ("life", None, "active"),
        ("hold", None, "not_on_hold"),
        ("lab_testing", None, "NotSubmitted"),
        ("life", "active", "finished"),
        ("life", "finished", "active"),
        ("hold", "not_on_hold", "on_hold"),
        ("lab_testing", "NotSubmitted", "TestPassed"),
    ]
    assert made.actions == ("create", "adjust", "finish", "unfinish", "hold", "test")
    # The source was stocked without an event: its making comes from its row, and the draw
    # that used it changed no standing.
    drawn = histories[labelled(session, source).id]
    assert [(c.facet, c.before, c.after) for c in drawn.changes] == [
        ("life", None, "active"),
        ("hold", None, "not_on_hold"),
        ("lab_testing", None, "NotSubmitted"),
    ]
    assert drawn.actions == ("draw",)
