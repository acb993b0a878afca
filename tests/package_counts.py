"""Kept package list counts against a fresh count of each list, for every facility."""

from __future__ import annotations

from sqlalchemy import func, select

from leafledger.domain import queries
from leafledger.domain.models import Facility, PackageCount
from leafledger.domain.queries.base import Listed
from leafledger.domain.services import package_counts
from leafledger.store import Store


def _lists(facility: Facility) -> dict[str, Listed]:
    listed = queries.packages
    return {
        package_counts.ACTIVE: listed.packages(facility, finished=False),
        package_counts.INACTIVE: listed.packages(facility, finished=True),
        package_counts.ON_HOLD: listed.on_hold(facility),
        package_counts.LAB_SAMPLES: listed.lab_samples(facility),
        package_counts.IN_TRANSIT: listed.in_transit(facility),
        package_counts.TRANSFERRED: listed.transferred(facility),
    }


def kept_and_counted(store: Store) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
    """(kept, counted): every facility's list counts as kept, and as the lists count them."""
    kept: dict[tuple[str, str], int] = {}
    counted: dict[tuple[str, str], int] = {}
    with store.read() as session:
        for facility in session.scalars(select(Facility).order_by(Facility.id)):
            rows = session.execute(
                select(PackageCount.list_name, PackageCount.count).where(
                    PackageCount.facility_id == facility.id
                )
            )
            found = dict(rows.tuples().all())
            for name, listed in _lists(facility).items():
                assert listed.total is not None, name  # the list reads its Total from the count
                source = listed.source
                assert not isinstance(source, list | tuple)
                real = select(func.count()).select_from(source.order_by(None).subquery())
                key = (facility.license_number, name)
                kept[key] = int(found.get(name, 0))
                counted[key] = int(session.scalar(real) or 0)
    return kept, counted


def assert_package_counts_kept(store: Store) -> None:
    """Every facility's kept count of every package list equals a fresh count of the list."""
    kept, counted = kept_and_counted(store)
    wrong = {key: (kept[key], counted[key]) for key in kept if kept[key] != counted[key]}
    assert not wrong, f"kept vs counted: {wrong}"
