"""How many records each facility has on each package list, kept in step with the rows.

The lists (domain/queries/packages.py) and what puts a record on each:
- active: a package not archived, not finished and not in transit;
- inactive: a package not archived and finished;
- onhold: a package not archived and on hold;
- labsamples: a package not archived and made for testing;
- intransit: a shipment of the facility that departed and is not received yet;
- transferred: a shipment of the facility's licensed transfer (not an external incoming
  one) that reached the end of its trip.

A package's state changes in many services (creation, finish, hold, transfers, lab samples,
archive...). None of them counts: a flush hook (installed by domain/listeners.py) derives the
lists of each package and shipment inserted, deleted or changed from its columns before and
after the flush, and notes the difference in the request's session; the counts are changed
once, when the request commits, in key order, so the count rows (a lock every package write of
the facility would wait on) are held for the commit only. The deciding columns keep their old
value when set (`active_history`, models/package.py). Bulk inserts that bypass the ORM
(benchmark seeding) call `recount` afterwards.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from sqlalchemy import ScalarSelect, func, literal, select, union_all
from sqlalchemy.orm import Session, attributes

from leafledger.domain.models import (
    Package,
    PackageCount,
    PackageShipment,
    Transfer,
    TransferDelivery,
)
from leafledger.domain.models.transfer import EXTERNAL
from leafledger.domain.services.kept_counts import apply_deltas, forget, noted

ACTIVE, INACTIVE, ON_HOLD, LAB_SAMPLES = "active", "inactive", "onhold", "labsamples"
IN_TRANSIT, TRANSFERRED = "intransit", "transferred"
LISTS = (ACTIVE, INACTIVE, ON_HOLD, LAB_SAMPLES, IN_TRANSIT, TRANSFERRED)
SHIPPED = "Shipped"  # a shipment not received yet (queries.packages.IN_TRANSIT)

Key = tuple[int, str]
_DELTAS = "packages"  # their kind, in kept_counts


def _value(obj: Any, name: str, which: str) -> Any:
    if which == "old":
        history = attributes.get_history(obj, name)
        if history.deleted:
            return history.deleted[0]
        if history.added:  # set on an object never loaded with a value: none before
            return None
    return getattr(obj, name)


def _package_lists(package: Package, which: str) -> Iterator[Key]:
    facility_id = _value(package, "facility_id", which)
    if facility_id is None or _value(package, "archived_date", which) is not None:
        return
    finished = _value(package, "finished_date", which) is not None
    if finished:
        yield (facility_id, INACTIVE)
    elif not _value(package, "in_transit", which):
        yield (facility_id, ACTIVE)
    if _value(package, "is_on_hold", which):
        yield (facility_id, ON_HOLD)
    if _value(package, "is_testing_sample", which):
        yield (facility_id, LAB_SAMPLES)


def _external(session: Session, shipment: PackageShipment) -> bool:
    """Whether the shipment is on an external incoming transfer (found in the session: the
    services that receive a shipment have its delivery and transfer at hand)."""
    with session.no_autoflush:
        delivery = session.get(TransferDelivery, shipment.delivery_id)
        transfer = session.get(Transfer, delivery.transfer_id) if delivery else None
    return transfer is not None and transfer.kind == EXTERNAL


def _shipment_lists(session: Session, shipment: PackageShipment, which: str) -> Iterator[Key]:
    facility_id = _value(shipment, "facility_id", which)
    if facility_id is None:
        return
    state = _value(shipment, "state", which) or SHIPPED
    if state == SHIPPED:
        if _value(shipment, "departed_at", which) is not None:
            yield (facility_id, IN_TRANSIT)
    elif not _external(session, shipment):
        yield (facility_id, TRANSFERRED)


def _lists(session: Session, obj: object, which: str) -> Counter[Key]:
    if isinstance(obj, Package):
        return Counter(_package_lists(obj, which))
    if isinstance(obj, PackageShipment):
        return Counter(_shipment_lists(session, obj, which))
    return Counter()


def track_package_counts(session: Session, _context: Any, _instances: Any) -> None:
    """Session hook (before_flush): note what the flush does to the counts."""
    deltas: Counter[Key] | None = None

    def note(key: Key, delta: int) -> None:
        nonlocal deltas
        deltas = deltas if deltas is not None else noted(session, _DELTAS)
        deltas[key] += delta

    for obj in session.new:
        for key, n in _lists(session, obj, "current").items():
            note(key, n)
    for obj in session.deleted:
        for key, n in _lists(session, obj, "old").items():
            note(key, -n)
    for obj in session.dirty:
        if isinstance(obj, Package | PackageShipment) and session.is_modified(obj):
            old, new = _lists(session, obj, "old"), _lists(session, obj, "current")
            if old != new:
                for key in old.keys() | new.keys():
                    note(key, new[key] - old[key])


def apply_package_counts(session: Session) -> None:
    """Session hook (before_commit): change the counts by what the request did, in key order
    (two requests then lock the rows in the same order)."""
    apply_deltas(
        session, _DELTAS, (Package, PackageShipment), PackageCount, ("facility_id", "list_name")
    )


def forget_package_counts(session: Session, _transaction: Any = None) -> None:
    """Session hook (after_rollback): nothing the request noted is applied."""
    forget(session, _DELTAS)


def package_count(facility_id: int, list_name: str) -> ScalarSelect[int]:
    """How many records the facility has on one package list, as a scalar subquery (a list
    reads it in the same round trip as its page)."""
    return (
        select(func.coalesce(func.sum(PackageCount.count), 0))
        .where(PackageCount.facility_id == facility_id, PackageCount.list_name == list_name)
        .scalar_subquery()
    )


def counted(facility_id: int | None = None) -> Any:
    """What the lists hold, counted from the rows: (facility_id, list_name, count) of every
    facility (or one), the definition `recount` and migration 0017 fill the counts from."""
    here = Package.archived_date.is_(None)
    packages = {
        ACTIVE: (here, Package.finished_date.is_(None), Package.in_transit.is_(False)),
        INACTIVE: (here, Package.finished_date.is_not(None)),
        ON_HOLD: (here, Package.is_on_hold.is_(True)),
        LAB_SAMPLES: (here, Package.is_testing_sample.is_(True)),
    }
    scoped_packages = () if facility_id is None else (Package.facility_id == facility_id,)
    scoped_shipments = () if facility_id is None else (PackageShipment.facility_id == facility_id,)
    parts = [
        select(Package.facility_id, literal(name).label("list_name"), func.count().label("n"))
        .where(*conditions, *scoped_packages)
        .group_by(Package.facility_id)
        for name, conditions in packages.items()
    ]
    parts.append(
        select(PackageShipment.facility_id, literal(IN_TRANSIT).label("list_name"), func.count())
        .where(
            PackageShipment.state == SHIPPED,
            PackageShipment.departed_at.is_not(None),
            *scoped_shipments,
        )
        .group_by(PackageShipment.facility_id)
    )
    parts.append(
        select(PackageShipment.facility_id, literal(TRANSFERRED).label("list_name"), func.count())
        .join(TransferDelivery, TransferDelivery.id == PackageShipment.delivery_id)
        .join(Transfer, Transfer.id == TransferDelivery.transfer_id)
        .where(PackageShipment.state != SHIPPED, Transfer.kind != EXTERNAL, *scoped_shipments)
        .group_by(PackageShipment.facility_id)
    )
    return union_all(*parts)


def recount(session: Session, facility_id: int) -> None:
    """Rebuild a facility's counts from the rows (after bulk loads that skip the ORM)."""
    session.query(PackageCount).filter(PackageCount.facility_id == facility_id).delete()
    for found_facility, list_name, count in session.execute(counted(facility_id)):
        session.add(PackageCount(facility_id=found_facility, list_name=list_name, count=count))
