"""Changes of existing packages: quantity adjustments, finishing, item, place, note, shelf
life dates, external id, flags, required lab tests, treatments, discontinuation.

Every change names its package by label (package_stock.py finds and locks it) and is refused,
naming the command field at fault, when the package may not take it:

- a discontinued package takes nothing; a finished one nothing but being unfinished; one on
  hold keeps its quantity (no adjustment) until released;
- an adjustment states a listed reason (some require a note) and a quantity in any unit of
  the package's quantity type, converted exactly into the package's unit; a package never
  goes below zero. POST /packages/v2/adjust adds the (signed) quantity; PUT sets the final
  quantity, as the catalogue describes it ("Set the final quantity for a Package"), and
  records the difference. Each adjustment is kept (PackageAdjustment) for the adjustments
  list, besides the audit log;
- only an empty package (quantity 0) is finished; unfinishing puts it back among the active
  packages;
- a new item keeps the package's quantity type (weight stays weight, count stays count) and
  its package type (plants stay plants); a new location must be one that may hold packages;
- the flags need what the facility's type allows: CanDonatePackages (donation),
  CanCreateTradeSamplePackages (trade sample), CanTrackFinishedGoods (finished good),
  EnableExternalIdentifier (external id); a flag is taken off without condition;
- remediation treats a package that requires it or failed its lab tests (the latter where the
  facility's type may remediate failed packages), of an item category that can be remediated;
  after a failed test it leaves the package Remediated, to be tested again. Decontamination
  is the same with its own flags. A pre-treatment is recorded as stated: nothing we know of
  Metrc says what it changes (see dialects/metrc/resources/package_inventory.py);
- a package is discontinued only while nothing was made from it (no package, no planting) and
  no processing job took from it.

Every change is audited; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import (
    Facility,
    Item,
    Package,
    PackageAdjustment,
    PackageSource,
    PackageTreatment,
    PlantBatch,
    ProcessingJobInput,
)
from leafledger.domain.reference import Reason
from leafledger.domain.services.audit import changed, record_new
from leafledger.domain.services.cultivation import adjustment_reason, required_place
from leafledger.domain.services.harvests import amount, in_unit
from leafledger.domain.services.lookups import facility_today, item_named
from leafledger.domain.services.package_stock import (
    category_of,
    check_changeable,
    check_drawable,
    check_shelf_life,
    in_package_unit,
    lab_test_batches,
    move_quantity,
    not_before_packaging,
    package_labelled,
    package_type_of,
    require_capability,
    unit_for,
)
from leafledger.domain.units import UnitOfMeasure

FAILED_STATES = ("TestFailed", "RetestFailed")


def _changeable(session: Session, facility: Facility, label: str) -> Package:
    package = package_labelled(session, facility, label)
    check_changeable(package)
    return package


def _change(
    session: Session, actor: Actor, package: Package, action: str, **values: object
) -> Package:
    """Set `values` on the package (never its quantity: see `move_quantity`), audited."""
    changed(session, actor, package, action, package.facility_id, **values)
    return package


# --- quantity --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Adjustment:
    """A quantity added to (or, negative, taken from) a package, for a listed reason."""

    label: str
    quantity: Decimal
    unit_of_measure: str
    reason: str
    adjustment_date: date | None = None
    note: str | None = None


@dataclass(frozen=True)
class FinalQuantity(Adjustment):
    """The quantity a package holds from now on (its difference is the adjustment)."""


@dataclass(frozen=True)
class _Posted:
    """An adjustment as checked: its package, the unit of its quantity, its reason, its date."""

    package: Package
    unit: UnitOfMeasure
    reason: Reason
    when: date


def _posted(session: Session, facility: Facility, command: Adjustment) -> _Posted:
    package = package_labelled(session, facility, command.label)
    check_drawable(package)
    unit = unit_for(package, command.unit_of_measure, "unit_of_measure")
    reason = adjustment_reason(command.reason, command.note)
    when = not_before_packaging(facility, package, command.adjustment_date, "adjustment_date")
    return _Posted(package, unit, reason, when)


def _record_adjustment(
    session: Session, actor: Actor, posted: _Posted, change: Decimal, command: Adjustment
) -> Package:
    """Move the package's quantity by `change` and keep the adjustment with what was posted."""
    package = posted.package
    move_quantity(session, actor, package, change, "adjust")
    row = PackageAdjustment(
        facility_id=package.facility_id,
        package_id=package.id,
        quantity=change,
        unit_of_measure_name=package.unit_of_measure_name,
        entered_quantity=command.quantity,
        entered_unit=posted.unit.name,
        reason_name=posted.reason.name,
        note=(command.note or "").strip() or None,
        adjustment_date=posted.when,
        user_id=actor.user_id,
    )
    record_new(session, actor, row, package.facility_id)
    return package


def adjust_package(
    session: Session, actor: Actor, facility: Facility, command: Adjustment
) -> Package:
    """Add a signed quantity to a package, for a listed reason; never below zero."""
    posted = _posted(session, facility, command)
    if command.quantity == 0:
        raise RuleViolation("An adjustment of 0 changes nothing.", field="quantity")
    size = in_package_unit(posted.package, abs(command.quantity), posted.unit, "quantity")
    change = size if command.quantity > 0 else -size
    return _record_adjustment(session, actor, posted, change, command)


def set_package_quantity(
    session: Session, actor: Actor, facility: Facility, command: FinalQuantity
) -> Package:
    """Set the quantity a package holds, recording the difference as an adjustment for the
    reason given; setting the quantity it already holds changes (and records) nothing."""
    posted = _posted(session, facility, command)
    package = posted.package
    final = amount(command.quantity, "quantity", allow_zero=True)
    change = in_unit(final, posted.unit, package.unit_of_measure_name) - package.quantity
    if change == 0:
        return package
    return _record_adjustment(session, actor, posted, change, command)


# --- finishing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackageNamed:
    """A package named by its label, for changes that need nothing else."""

    label: str


@dataclass(frozen=True)
class PackageFinish:
    label: str
    actual_date: date | None = None


def finish_package(
    session: Session, actor: Actor, facility: Facility, command: PackageFinish
) -> Package:
    """Finish an empty package: it leaves the active packages for the inactive ones."""
    package = _changeable(session, facility, command.label)
    if package.quantity != 0:
        raise RuleViolation(
            f"Package {package.label} still holds {package.quantity} "
            f"{package.unit_of_measure_name}; only an empty package is finished."
        )
    when = not_before_packaging(facility, package, command.actual_date, "actual_date")
    return _change(session, actor, package, "finish", finished_date=when)


def unfinish_package(
    session: Session, actor: Actor, facility: Facility, command: PackageNamed
) -> Package:
    """Put a finished package back among the active ones."""
    package = package_labelled(session, facility, command.label)
    if package.archived_date is not None:
        raise RuleViolation(f"Package {package.label} is discontinued.")
    if package.finished_date is None:
        raise RuleViolation(f"Package {package.label} is not finished.")
    return _change(session, actor, package, "unfinish", finished_date=None)


# --- item, place, note, dates, external id ----------------------------------------------------


@dataclass(frozen=True)
class ItemChange:
    label: str
    item: str


def change_item(session: Session, actor: Actor, facility: Facility, command: ItemChange) -> Package:
    """Give a package another item of the same quantity type and package type."""
    package = _changeable(session, facility, command.label)
    item = item_named(session, facility, command.item)
    current = session.get(Item, package.item_id)
    if current is not None and item.quantity_type != current.quantity_type:
        raise RuleViolation(
            f"The item {item.name!r} is {item.quantity_type} and package {package.label} is "
            f"{current.quantity_type}; a package keeps its quantity type.",
            field="item",
        )
    if package_type_of(item) != package.package_type:
        raise RuleViolation(
            f"Package {package.label} holds {package.package_type}; the item {item.name!r} "
            "would make it another type of package.",
            field="item",
        )
    return _change(session, actor, package, "change_item", item_id=item.id)


@dataclass(frozen=True)
class PackageMove:
    label: str
    location: str
    sublocation: str | None = None
    move_date: date | None = None


def move_package(
    session: Session, actor: Actor, facility: Facility, command: PackageMove
) -> Package:
    """Put a package at a location that may hold packages (and a sublocation, if named)."""
    require_capability(facility, "CanUpdateLocationsOnPackages", "move packages")
    package = _changeable(session, facility, command.label)
    location, sublocation = required_place(
        session, facility, command.location, command.sublocation, "packages"
    )
    not_before_packaging(facility, package, command.move_date, "move_date")
    return _change(
        session,
        actor,
        package,
        "move",
        location_id=location.id,
        sublocation_id=None if sublocation is None else sublocation.id,
    )


@dataclass(frozen=True)
class NoteChange:
    label: str
    note: str | None = None


def change_note(session: Session, actor: Actor, facility: Facility, command: NoteChange) -> Package:
    """Replace a package's note (an empty note removes it)."""
    package = _changeable(session, facility, command.label)
    return _change(
        session, actor, package, "change_note", note=(command.note or "").strip() or None
    )


@dataclass(frozen=True)
class ShelfLifeChange:
    """A package's expiration, sell-by and use-by dates, as they are from now on."""

    label: str
    expiration_date: date | None = None
    sell_by_date: date | None = None
    use_by_date: date | None = None


def change_shelf_life(
    session: Session, actor: Actor, facility: Facility, command: ShelfLifeChange
) -> Package:
    """Set a package's three shelf life dates (one not given is cleared); none of them may
    fall before the package was packaged."""
    package = _changeable(session, facility, command.label)
    dates = {
        "expiration_date": command.expiration_date,
        "sell_by_date": command.sell_by_date,
        "use_by_date": command.use_by_date,
    }
    check_shelf_life(package.packaged_date, **dates)
    return _change(session, actor, package, "change_dates", **dates)


@dataclass(frozen=True)
class ExternalIdChange:
    label: str
    external_id: str | None = None


def change_external_id(
    session: Session, actor: Actor, facility: Facility, command: ExternalIdChange
) -> Package:
    """Give a package the operator's own identifier (empty removes it), unique among the
    facility's packages still in the ledger."""
    require_capability(facility, "EnableExternalIdentifier", "record external identifiers")
    package = _changeable(session, facility, command.label)
    external_id = (command.external_id or "").strip() or None
    if external_id is not None:
        taken = session.scalars(
            select(Package.label).where(
                Package.facility_id == facility.id,
                Package.external_id == external_id,
                Package.archived_date.is_(None),
                Package.id != package.id,
            )
        ).first()
        if taken is not None:
            raise RuleViolation(
                f"Package {taken} already carries the external id {external_id!r}.",
                field="external_id",
            )
    return _change(session, actor, package, "change_external_id", external_id=external_id)


# --- flags -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackageFlag:
    """A flag of a package (its column), what it is called in messages, and the capability a
    facility's type needs to set it."""

    column: str
    name: str
    capability: str
    doing: str


DONATION = PackageFlag("is_donation", "a donation", "CanDonatePackages", "donate packages")
TRADE_SAMPLE = PackageFlag(
    "is_trade_sample", "a trade sample", "CanCreateTradeSamplePackages", "create trade samples"
)
FINISHED_GOOD = PackageFlag(
    "is_finished_good", "a finished good", "CanTrackFinishedGoods", "track finished goods"
)


# A service that sets or clears one flag of the package a command names.
FlagChange = Callable[[Session, Actor, Facility, PackageNamed], Package]


def flag_change(flag: PackageFlag, *, on: bool) -> FlagChange:
    """The service that sets (`on`) or clears `flag`: setting needs the capability, clearing
    nothing; either refuses a package that already is as asked."""
    verb = "flag" if on else "unflag"
    action = f"{verb}_{flag.column.removeprefix('is_')}"

    def set_flag(
        session: Session, actor: Actor, facility: Facility, command: PackageNamed
    ) -> Package:
        if on:
            require_capability(facility, flag.capability, flag.doing)
        package = _changeable(session, facility, command.label)
        if getattr(package, flag.column) is on:
            state = "already" if on else "not"
            raise RuleViolation(f"Package {package.label} is {state} flagged as {flag.name}.")
        return _change(session, actor, package, action, **{flag.column: on})

    set_flag.__name__ = set_flag.__qualname__ = action
    return set_flag


flag_donation = flag_change(DONATION, on=True)
unflag_donation = flag_change(DONATION, on=False)
flag_trade_sample = flag_change(TRADE_SAMPLE, on=True)
unflag_trade_sample = flag_change(TRADE_SAMPLE, on=False)
flag_finished_good = flag_change(FINISHED_GOOD, on=True)
unflag_finished_good = flag_change(FINISHED_GOOD, on=False)


# --- lab tests and treatments ----------------------------------------------------------------


@dataclass(frozen=True)
class LabTestsRequired:
    label: str
    lab_test_batches: Sequence[str] = ()


def require_lab_tests(
    session: Session, actor: Actor, facility: Facility, command: LabTestsRequired
) -> Package:
    """State the lab test batches a package must be tested by (an empty list: none)."""
    package = _changeable(session, facility, command.label)
    item = session.get(Item, package.item_id)
    if item is None:
        raise RuntimeError(f"package {package.id} has no item")
    batches = lab_test_batches(facility, item, command.lab_test_batches)
    return _change(session, actor, package, "require_lab_tests", required_lab_test_batches=batches)


@dataclass(frozen=True)
class Treatment:
    """A treatment applied to a package: how (`method`), when, and the steps taken."""

    label: str
    method: str
    treatment_date: date | None = None
    steps: str | None = None


@dataclass(frozen=True)
class TreatmentKind:
    """What one kind of treatment asks and changes. The Package columns it reads and sets
    (None: the kind has none), the item category flag that allows it, the capability a
    facility's type needs to treat a package that failed its lab tests, and the lab testing
    state such a package is left in."""

    name: str
    requested_by: str | None = None
    contained: str | None = None
    dated: str | None = None
    category_allows: str | None = None
    failed_capability: str | None = None
    after_failure: str | None = None


REMEDIATION = TreatmentKind(
    "Remediation",
    requested_by="product_requires_remediation",
    contained="contains_remediated_product",
    dated="remediation_date",
    category_allows="can_be_remediated",
    failed_capability="CanRemediatePackagesWithFailedLabResults",
    after_failure="Remediated",
)
DECONTAMINATION = TreatmentKind(
    "Decontamination",
    requested_by="product_requires_decontamination",
    contained="contains_decontaminated_product",
    dated="decontamination_date",
    category_allows="can_be_decontaminated",
    failed_capability="CanDecontaminatePackagesWithFailedLabResults",
    after_failure="Decontaminated",
)
PRETREATMENT = TreatmentKind("Pretreatment")


def _treatable(session: Session, facility: Facility, package: Package, kind: TreatmentKind) -> bool:
    """Whether `package` may take `kind`; True when it failed its lab tests."""
    item = session.get(Item, package.item_id)
    category = None if item is None else category_of(item)
    if kind.category_allows and not (category and getattr(category, kind.category_allows)):
        raise RuleViolation(
            f"Items of the category {package_category(item)!r} cannot take a {kind.name.lower()}."
        )
    failed = package.lab_testing_state in FAILED_STATES
    if kind.requested_by and not (failed or getattr(package, kind.requested_by)):
        raise RuleViolation(
            f"Package {package.label} neither requires a {kind.name.lower()} nor failed its "
            "lab tests."
        )
    if failed and kind.failed_capability:
        require_capability(
            facility, kind.failed_capability, f"treat failed packages ({kind.name.lower()})"
        )
    return failed


def package_category(item: Item | None) -> str:
    return "unknown" if item is None else item.category_name


def _treat(
    session: Session, actor: Actor, facility: Facility, command: Treatment, kind: TreatmentKind
) -> Package:
    """Record a treatment of `kind` and what it changes on the package."""
    package = _changeable(session, facility, command.label)
    if not command.method.strip():
        raise RuleViolation("{field} is required.", field="method")
    failed = _treatable(session, facility, package, kind)
    when = not_before_packaging(facility, package, command.treatment_date, "treatment_date")
    applied = PackageTreatment(
        facility_id=package.facility_id,
        package_id=package.id,
        kind=kind.name,
        method_name=command.method.strip(),
        treatment_date=when,
        steps=(command.steps or "").strip() or None,
    )
    record_new(session, actor, applied, package.facility_id)
    changes: dict[str, object] = {}
    if kind.requested_by and kind.contained and kind.dated:
        changes = {kind.requested_by: False, kind.contained: True, kind.dated: when}
    if failed and kind.after_failure:
        changes |= {"lab_testing_state": kind.after_failure, "lab_testing_state_date": when}
    return _change(session, actor, package, kind.name.lower(), **changes)


# A service that applies one kind of treatment to the package a command names.
Treat = Callable[[Session, Actor, Facility, Treatment], Package]


def treatment(kind: TreatmentKind) -> Treat:
    """The service that applies `kind` (see `_treat`)."""

    def treat(session: Session, actor: Actor, facility: Facility, command: Treatment) -> Package:
        return _treat(session, actor, facility, command, kind)

    treat.__name__ = treat.__qualname__ = f"apply_{kind.name.lower()}"
    return treat


remediate_package = treatment(REMEDIATION)
decontaminate_package = treatment(DECONTAMINATION)
pretreat_package = treatment(PRETREATMENT)


# --- discontinuing ---------------------------------------------------------------------------


def discontinue_package(
    session: Session, actor: Actor, facility: Facility, package: Package
) -> Package:
    """Take a package made in error out of the ledger's lists (it stays in its history).
    Only while nothing was made from it: its children's genealogy would point nowhere."""
    session.refresh(package, with_for_update=True)
    check_changeable(package)
    drawn_on = session.scalars(
        select(PackageSource.id).where(PackageSource.source_package_id == package.id).limit(1)
    ).first()
    planted = session.scalars(
        select(PlantBatch.id).where(PlantBatch.source_package_id == package.id).limit(1)
    ).first()
    if drawn_on is not None or planted is not None:
        raise RuleViolation(
            f"Packages or plantings were made from package {package.label}; it cannot be "
            "discontinued."
        )
    processed = session.scalars(
        select(ProcessingJobInput.id).where(ProcessingJobInput.package_id == package.id).limit(1)
    ).first()
    if processed is not None:
        raise RuleViolation(
            f"A processing job took from package {package.label}; it cannot be discontinued."
        )
    return _change(session, actor, package, "discontinue", archived_date=facility_today(facility))
