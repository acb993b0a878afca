"""What every change to an existing package starts from: finding it, knowing whether it may
change, and moving its quantity.

- A request names a package by its label (the tag on it). It is found among the facility's
  packages and locked FOR UPDATE, since most changes read its quantity and then move it; a
  package of another facility reads as unknown, like a missing one (the object is refused,
  not the credentials), as harvests are.
- A discontinued package takes no change at all; a finished one takes none until it is
  unfinished; a package on hold gives nothing (no draw, no adjustment) until it is released;
  a package in transit (on a transfer that departed) takes none until it is received or
  returned: only the transfer changes it (services/transfers.py).
- A quantity moved in or out of a package is converted exactly into the package's own unit
  (`domain/units.py`), and a package never goes below zero.

packages.py (new packages), package_inventory.py (changes of existing ones) and
plant_batches.py (plantings from a package) build on this module. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import FieldPath, NotFound, RuleViolation
from leafledger.domain.models import Facility, Item, Package
from leafledger.domain.reference import ITEM_CATEGORIES, ItemCategory, find_name, find_named
from leafledger.domain.request_state import request_state
from leafledger.domain.services.audit import changed_in_memory
from leafledger.domain.services.harvests import amount, in_unit
from leafledger.domain.services.lookups import locked_in_id_order, not_future, stripped_labels
from leafledger.domain.units import UnitOfMeasure, find_unit

Field = str | FieldPath | None


def require_capability(facility: Facility, capability: str, doing: str) -> None:
    """Refuse what the facility's type may not do (`doing`: "create trade samples")."""
    if not facility.can(capability):
        raise RuleViolation(
            f"Facility {facility.license_number} ({facility.license_type}) may not {doing}."
        )


# --- finding a package -----------------------------------------------------------------------


def package_labelled(
    session: Session, facility: Facility, label: object, field: Field = "label"
) -> Package:
    """The facility's package tagged `label`, locked (a foreign one reads as unknown)."""
    if not isinstance(label, str) or not label.strip():
        raise RuleViolation("A package label is required.", field=field)
    held = request_state(session).locked_packages.get((facility.id, label.strip()))
    if held is not None:
        return held
    found = session.scalars(
        select(Package).where(Package.label == label.strip()).limit(1).with_for_update()
    ).first()
    if found is None or found.facility_id != facility.id:
        raise NotFound(f"No package {label.strip()} at this facility.")
    return found


def lock_labelled(session: Session, facility: Facility, labels: Iterable[object]) -> None:
    """Lock the facility's packages that `labels` name (`lookups.locked_in_id_order`) and keep
    them for `package_labelled`. Labels that name no package of the facility are left to the
    object naming them."""
    wanted = stripped_labels(labels)
    found = locked_in_id_order(session, Package, Package.label, wanted, facility.id)
    request_state(session).locked_packages.update(
        {(facility.id, package.label): package for package in found}
    )


def drawn_package(
    session: Session, facility: Facility, label: object, at: FieldPath, label_field: str, into: str
) -> Package:
    """The package one line of a request draws on (`at`, its label the line's `label_field`),
    if it may give: one it cannot name or draw on is that line's fault. A lab sample gives
    nothing: it goes to the lab, not `into` ("packages", "a processing job")."""
    try:
        source = package_labelled(session, facility, label, (*at, label_field))
    except NotFound as exc:
        raise RuleViolation(exc.message, field=at) from None
    check_drawable(source, at)
    if source.is_testing_sample:
        raise RuleViolation(
            f"Package {source.label} is a lab sample; it goes to the lab, not into {into}.",
            field=at,
        )
    return source


# --- whether it may change -------------------------------------------------------------------


def check_changeable(package: Package, field: Field = None) -> None:
    """Refuse any change to a discontinued package, to one in transit, or to a finished one
    until unfinished."""
    if package.in_transit:
        raise RuleViolation(
            f"Package {package.label} is in transit on a transfer; it cannot change until it "
            "is received or returned.",
            field=field,
        )
    if package.archived_date is not None:
        raise RuleViolation(f"Package {package.label} is discontinued.", field=field)
    if package.finished_date is not None:
        raise RuleViolation(f"Package {package.label} is finished; unfinish it first.", field=field)


def check_drawable(package: Package, field: Field = None) -> None:
    """Refuse a change of quantity of a package that may not change, or is on hold."""
    check_changeable(package, field)
    if package.is_on_hold:
        raise RuleViolation(f"Package {package.label} is on hold.", field=field)


def not_before_packaging(
    facility: Facility, package: Package, when: date | None, field: str
) -> date:
    """`when` (today when not given): neither in the future nor before the package was made."""
    day = not_future(facility, when, field)
    if day < package.packaged_date:
        raise RuleViolation(
            f"{{field}} {day.isoformat()} is before package {package.label} was packaged.",
            field=field,
        )
    return day


def check_shelf_life(packaged: date, **dates: date | None) -> None:
    """Refuse an expiration, sell-by or use-by date (by command field) before `packaged`."""
    for field, when in dates.items():
        if when is not None and when < packaged:
            raise RuleViolation(
                f"{{field}} {when.isoformat()} is before the packaged date.", field=field
            )


# --- what an item is -------------------------------------------------------------------------


def category_of(item: Item) -> ItemCategory | None:
    return find_named(ITEM_CATEGORIES, item.category_name)


def holds_plants(item: Item) -> bool:
    """Whether packages of `item` hold living plants (their package type is ImmaturePlant)."""
    category = category_of(item)
    return category is not None and category.is_plant


def package_type_of(item: Item) -> str:
    """Plants are packaged as immature plants; anything else is product."""
    return "ImmaturePlant" if holds_plants(item) else "Product"


def lab_test_batches(
    facility: Facility, item: Item, names: Sequence[str] | None, field: str = "lab_test_batches"
) -> list[str] | None:
    """The lab test batches a package of `item` is required to be tested by, in their listed
    spelling: batches its item category is tested by, at a facility whose type may require
    them. None (not stated) stays None."""
    if names is None:
        return None
    require_capability(
        facility, "CanRequirePackageSampleLabTestBatches", "require lab test batches"
    )
    category = category_of(item)
    known = () if category is None else category.lab_test_batch_names
    found: list[str] = []
    for index, name in enumerate(names):
        spelled = find_name(known, name) if isinstance(name, str) else None
        if spelled is None:
            offered = ", ".join(known) or "none"
            raise RuleViolation(
                f"{name!r} is not a lab test batch of the category {item.category_name!r} "
                f"(its batches: {offered}).",
                field=(field, index),
            )
        if spelled not in found:
            found.append(spelled)
    return found


# --- quantities ------------------------------------------------------------------------------


def unit_for(package: Package, name: object, field: str | FieldPath) -> UnitOfMeasure:
    """An active unit a quantity of `package` may be given in: one of the package's own
    quantity type (weight for a weighed package, Each for a counted one...)."""
    if not isinstance(name, str) or not name.strip():
        raise RuleViolation("{field} is required.", field=field)
    unit = find_unit(name)
    if unit is None:
        raise RuleViolation(f"Unknown unit of measure {name.strip()!r}.", field=field)
    own = find_unit(package.unit_of_measure_name)
    if own is None or unit.quantity_type is not own.quantity_type:
        raise RuleViolation(
            f"{unit.name} cannot measure package {package.label}, which is kept in "
            f"{package.unit_of_measure_name}.",
            field=field,
        )
    if not unit.active:
        raise RuleViolation(f"The unit {unit.name} is no longer accepted.", field=field)
    return unit


def in_package_unit(
    package: Package, quantity: Decimal, unit: UnitOfMeasure, field: str | FieldPath
) -> Decimal:
    """A positive `quantity` of `unit`, in the package's unit; too small to count is refused."""
    converted = in_unit(amount(quantity, field), unit, package.unit_of_measure_name)
    if converted <= 0:
        raise RuleViolation(
            f"{{field}} {quantity} {unit.name} is too small to record on package {package.label}.",
            field=field,
        )
    return converted


def check_holds(package: Package, drawn: Decimal, field: Field = None) -> None:
    """Refuse a draw (in the package's unit) larger than what the package holds."""
    if drawn > package.quantity:
        raise RuleViolation(
            f"{drawn} {package.unit_of_measure_name} exceeds the quantity of package "
            f"{package.label} ({package.quantity} {package.unit_of_measure_name}).",
            field=field,
        )


def check_change(package: Package, change: Decimal) -> None:
    """Refuse a change (negative: a take) that would leave the package below zero."""
    if package.quantity + change < 0:
        raise RuleViolation(
            f"Package {package.label} holds {package.quantity} {package.unit_of_measure_name}; "
            f"a change of {change} would leave less than none."
        )


def move_quantity(
    session: Session, actor: Actor, package: Package, change: Decimal, action: str
) -> None:
    """Add `change` (negative: take) to the package's quantity, audited as `action`. The
    caller checked that the package may change; it never goes below zero."""
    check_change(package, change)
    # Without a flush: a request drawing on many packages writes them in one flush.
    quantity = package.quantity + change
    changed_in_memory(session, actor, package, action, package.facility_id, quantity=quantity)
