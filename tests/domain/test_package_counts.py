"""Package list counts stay equal to a fresh count of each list through every kind of change
made to the rows (the HTTP scenarios check them after real operations: tests/scenarios)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from leafledger.domain.models import Facility, Item, Package, PackageCount, Tag
from leafledger.domain.services.package_counts import ACTIVE, INACTIVE, recount
from leafledger.store import Store
from tests.conftest import Ledger, unique
from tests.package_counts import assert_package_counts_kept, kept_and_counted


def _item(store: Store, facility: Facility) -> int:
    with store.transaction() as session:
        item = Item(
            facility_id=facility.id,
            name=unique("Buds"),
            category_name="Buds",
            quantity_type="WeightBased",
            unit_of_measure_name="Grams",
        )
        session.add(item)
        session.flush()
        return item.id


def _package(facility: Facility, item_id: int, tag: Tag) -> Package:
    return Package(
        facility_id=facility.id,
        label=tag.label,
        tag_id=tag.id,
        item_id=item_id,
        quantity=Decimal(5),
        original_quantity=Decimal(5),
        unit_of_measure_name="Grams",
        packaged_date=date.today(),
    )


def _tag(facility: Facility) -> Tag:
    return Tag(
        facility_id=facility.id,
        label=unique("1A4PKC"),
        kind="Package",
        tag_type_name="CannabisPackage",
    )


def test_counts_follow_every_change_of_a_package(store: Store, ledger: Ledger) -> None:
    facility, other = ledger.facility("Cultivator"), ledger.facility("Cultivator")
    item_id = _item(store, facility)
    ids = []
    with store.transaction() as session:
        tags = [_tag(facility) for _ in range(6)]
        session.add_all(tags)
        session.flush()
        packages = [_package(facility, item_id, tag) for tag in tags]
        packages[1].is_testing_sample = True
        session.add_all(packages)
        session.flush()
        ids = [package.id for package in packages]
    assert_package_counts_kept(store)

    def change(index: int, **values: object) -> None:
        with store.transaction() as session:
            package = session.get(Package, ids[index])
            assert package is not None
            for name, value in values.items():
                setattr(package, name, value)
        assert_package_counts_kept(store)

    change(0, finished_date=date.today())  # finish
    change(0, finished_date=None)  # unfinish
    change(2, is_on_hold=True)  # hold
    change(2, finished_date=date.today())  # finished while on hold
    change(2, is_on_hold=False)
    change(3, in_transit=True)  # off the active list
    change(3, in_transit=False, facility_id=other.id)  # received elsewhere
    change(1, archived_date=date.today())  # archived: on no list
    change(4, is_testing_sample=True, is_on_hold=True)

    # Set on an object whose values were expired: the old value is loaded first.
    with store.transaction() as session:
        package = session.get(Package, ids[5])
        assert package is not None
        session.expire(package)
        package.finished_date = date.today()
    assert_package_counts_kept(store)

    # A deleted package leaves its lists; a rolled back change changes nothing.
    with store.transaction() as session:
        package = session.get(Package, ids[5])
        session.delete(package)
    assert_package_counts_kept(store)
    with pytest.raises(RuntimeError), store.transaction() as session:
        package = session.get(Package, ids[4])
        assert package is not None
        package.finished_date = date.today()
        session.flush()
        raise RuntimeError("rolled back")
    assert_package_counts_kept(store)


def test_recount_after_bulk_inserts(store: Store, ledger: Ledger) -> None:
    facility = ledger.facility("Cultivator")
    item_id = _item(store, facility)
    with store.transaction() as session:
        tags = [_tag(facility) for _ in range(5)]
        session.add_all(tags)
        session.flush()
        rows = [
            {
                "facility_id": facility.id,
                "label": tag.label,
                "tag_id": tag.id,
                "item_id": item_id,
                "quantity": Decimal(1),
                "original_quantity": Decimal(1),
                "unit_of_measure_name": "Grams",
                "packaged_date": date.today(),
                "finished_date": date.today() if n < 2 else None,
            }
            for n, tag in enumerate(tags)
        ]
        session.execute(insert(Package), rows)  # past the ORM: not counted
    kept, counted = kept_and_counted(store)
    assert kept[(facility.license_number, ACTIVE)] == 0
    assert counted[(facility.license_number, ACTIVE)] == 3
    with store.transaction() as session:
        recount(session, facility.id)
    assert_package_counts_kept(store)
    with store.read() as session:
        found = dict(
            session.execute(
                select(PackageCount.list_name, PackageCount.count).where(
                    PackageCount.facility_id == facility.id
                )
            )
            .tuples()
            .all()
        )
    assert (found[ACTIVE], found[INACTIVE]) == (3, 2)
