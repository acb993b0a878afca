"""Trace lots, made and changed through the package services: a lot is a package.

A lot is made from harvests, from other lots (packages) or from one plant batch: its
`origin` names the sources by id, each with the quantity drawn from it (a quantity and unit
left out draw the lot's own, when the lot has a single source). The package services decide
everything else, exactly as for the Metrc endpoints:

- from harvests (`packages.create_package_from_harvests`): the lot holds what it draws, so its
  stated quantity must be what the draws come to in its unit;
- from lots (`packages.create_package_from_packages`): the lot's quantity is stated apart from
  what it draws (200 edibles from 100 g of concentrate);
- from a plant batch (`packages.create_package_from_plant_batch`): the lot counts the plants
  taken, in Each.

A lot named of a package type (`package_type`) must be of the type its item makes. Lots are not
made from tagged plants here (the capability is off for every licence type).

A change (`change_lot`) applies what it gives, in this order: unfinishing (a finished lot can
then change), the item, the location, each adjustment, each remediation, then finishing or
discontinuing; each through its package service (`package_inventory.py`). An `action`, when
named, says which of these the change is for, and the change must give what that action needs.
The standing a change asks for (its last `standing`) is a facet of the package's standing: its
life may be made active (unfinished), finished or discontinued; its hold and lab testing state
are not a change's to set, so asking for the ones it has changes nothing and asking for others
is refused.

Faults name the fields of these commands: a package service's own fields are filed where they
sit here (`ingredients[0].weight` of a package from harvests is `origin.harvests[0].quantity`
of the lot; the `quantity` of an adjustment is `adjustments[0].quantity`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import FieldPath, RuleViolation
from leafledger.domain.models import Facility, Item, Location, Package
from leafledger.domain.models.base import fits
from leafledger.domain.queries.history import PACKAGES
from leafledger.domain.services import package_inventory as inventory
from leafledger.domain.services import packages
from leafledger.domain.services.lookups import location_named
from leafledger.domain.services.package_stock import package_type_of
from leafledger.domain.services.parts import filed, values_of
from leafledger.domain.units import QuantityType, find_unit

# The origins a lot may have, as `LotOrigin` names them.
ORIGINS = ("harvests", "lots", "plant_batches", "plants")

# Names the package services give to what a lot calls otherwise, wherever they sit in a path.
_LOT_NAMES = {
    "weight": "quantity",
    "unit_of_weight": "unit_of_measure",
    "harvest_id": "source_id",
    "package": "source_id",
}


def _filed(
    within: FieldPath = (),
    renamed: Mapping[str, FieldPath] | None = None,
    not_found: FieldPath = (),
) -> AbstractContextManager[None]:
    """Faults raised inside are faults of the lot's command: a package service's top-level
    field that `renamed` lists is filed there, any other inside `within` (and `_LOT_NAMES`
    rename what lies below them; a fault that names no field is filed at `within`). A
    reference the service cannot find is the body's mistake, a rule violation at `not_found`
    (or `within`)."""
    return filed(renamed or {}, within, _LOT_NAMES, not_found or within)


# --- new lots --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LotSource:
    """A source of a lot, by id, and what is drawn from it (None: the lot's own quantity)."""

    source_id: int
    quantity: Decimal | None = None
    unit_of_measure: str | None = None


@dataclass(frozen=True)
class LotOrigin:
    harvests: Sequence[LotSource] = ()
    lots: Sequence[LotSource] = ()
    plant_batches: Sequence[LotSource] = ()
    plants: Sequence[LotSource] = ()


@dataclass(frozen=True, kw_only=True)
class NewLot:
    tag: str
    item: Item
    quantity: Decimal
    unit_of_measure: str
    origin: LotOrigin = LotOrigin()
    actual_date: date | None = None
    location: Location | None = None
    package_type: str | None = None


@dataclass(frozen=True)
class _Draw:
    source_id: int
    quantity: Decimal
    unit_of_measure: str


def _draws(lot: NewLot, kind: str) -> list[_Draw]:
    """The sources of `kind`, each with what it gives (the lot's own quantity and unit for a
    single source that states none)."""
    sources: Sequence[LotSource] = getattr(lot.origin, kind)
    draws = []
    for index, source in enumerate(sources):
        quantity, unit = source.quantity, source.unit_of_measure
        if quantity is None or unit is None:
            if len(sources) > 1:
                missing = "quantity" if quantity is None else "unit_of_measure"
                raise RuleViolation(
                    "{field} is required when a lot has several sources.",
                    field=("origin", kind, index, missing),
                )
            quantity = lot.quantity if quantity is None else quantity
            unit = lot.unit_of_measure if unit is None else unit
        draws.append(_Draw(source.source_id, quantity, unit))
    return draws


def _origin_kind(origin: LotOrigin) -> str:
    given = [kind for kind in ORIGINS if getattr(origin, kind)]
    if len(given) != 1:
        raise RuleViolation(
            "{field} must name the lot's sources of one kind: harvests, other lots or a plant "
            f"batch (it names {', '.join(given) or 'none'}).",
            field="origin",
        )
    if given[0] == "plants":
        raise RuleViolation(
            "Lots are not made from tagged plants here; make them from a plant batch.",
            field=("origin", "plants"),
        )
    return given[0]


def _usable(session: Session, facility: Facility, lot: NewLot) -> tuple[str, str | None]:
    """The names of the lot's item and location, which the package services look up: each
    must be in use (an archived one's name may be another's), and the location one that holds
    packages."""
    if not lot.item.active:
        raise RuleViolation(f"The item {lot.item.name!r} is archived.", field="item")
    makes = package_type_of(lot.item)
    if lot.package_type is not None and lot.package_type != makes:
        raise RuleViolation(
            f"The item {lot.item.name!r} makes {makes} packages, not {lot.package_type}.",
            field="package_type",
        )
    if lot.location is None:
        return lot.item.name, None
    if not lot.location.active:
        raise RuleViolation(f"The location {lot.location.name!r} is archived.", field="location")
    with _filed(("location",)):
        location_named(session, facility, lot.location.name, holding="packages")
    return lot.item.name, lot.location.name


# Makes a lot of one origin: (session, actor, facility, the lot, its item's name, its
# location's name) -> the package.
Maker = Callable[[Session, Actor, Facility, NewLot, str, str | None], Package]


def _from_harvests(
    session: Session, actor: Actor, facility: Facility, lot: NewLot, item: str, place: str | None
) -> Package:
    command = packages.HarvestPackage(
        tag=lot.tag,
        item=item,
        location=place,
        actual_date=lot.actual_date,
        unit_of_weight=lot.unit_of_measure,
        quantity=lot.quantity,
        ingredients=[
            packages.Ingredient(draw.quantity, draw.unit_of_measure, harvest_id=draw.source_id)
            for draw in _draws(lot, "harvests")
        ],
    )
    renamed = {"ingredients": ("origin", "harvests"), "unit_of_weight": ("unit_of_measure",)}
    with _filed(renamed=renamed):
        made = packages.create_package_from_harvests(session, actor, facility, command)
    session.flush()  # the lot's id, for what follows
    return made


def _source_label(session: Session, facility: Facility, draw: _Draw, at: FieldPath) -> str:
    """The label of the facility's package `draw` names. Only the label is read: the package
    service then locks the package and reads it whole, as it is now."""
    label = None
    if fits(Package.id, draw.source_id):
        label = session.scalar(
            select(Package.label).where(
                Package.id == draw.source_id, Package.facility_id == facility.id
            )
        )
    if label is None:
        raise RuleViolation(f"No lot {draw.source_id} at this facility.", field=(*at, "source_id"))
    return label


def _from_lots(
    session: Session, actor: Actor, facility: Facility, lot: NewLot, item: str, place: str | None
) -> Package:
    command = packages.DerivedPackage(
        tag=lot.tag,
        item=item,
        location=place,
        actual_date=lot.actual_date,
        quantity=lot.quantity,
        unit_of_measure=lot.unit_of_measure,
        ingredients=[
            packages.PackageIngredient(
                _source_label(session, facility, draw, ("origin", "lots", index)),
                draw.quantity,
                draw.unit_of_measure,
            )
            for index, draw in enumerate(_draws(lot, "lots"))
        ],
    )
    with _filed(renamed={"ingredients": ("origin", "lots")}):
        made = packages.create_package_from_packages(session, actor, facility, command)
    session.flush()  # the lot's id, for what follows
    return made


def _counted_in_each(unit: str, field: FieldPath) -> None:
    found = find_unit(unit)
    if found is None or found.quantity_type is not QuantityType.COUNT:
        raise RuleViolation(f"Plants are counted in Each, not {unit!r}.", field=field)


def _from_plant_batch(
    session: Session, actor: Actor, facility: Facility, lot: NewLot, item: str, place: str | None
) -> Package:
    at: FieldPath = ("origin", "plant_batches", 0)
    if len(lot.origin.plant_batches) > 1:
        raise RuleViolation("{field} may name one plant batch.", field=at[:2])
    [draw] = _draws(lot, "plant_batches")
    _counted_in_each(lot.unit_of_measure, ("unit_of_measure",))
    _counted_in_each(draw.unit_of_measure, (*at, "unit_of_measure"))
    if draw.quantity != lot.quantity or draw.quantity != draw.quantity.to_integral_value():
        raise RuleViolation(
            f"A lot of plants holds the plants it takes, a whole number: {{field}} is "
            f"{lot.quantity} and the plant batch gives {draw.quantity}.",
            field="quantity",
        )
    command = packages.BatchPackage(
        tag=lot.tag,
        item=item,
        location=place,
        actual_date=lot.actual_date,
        count=int(draw.quantity),
        plant_batch_id=draw.source_id,
    )
    renamed = {"count": (*at, "quantity")}
    with _filed(renamed=renamed, not_found=(*at, "source_id")):
        return packages.create_package_from_plant_batch(session, actor, facility, command)


_MAKERS: Mapping[str, Maker] = {
    "harvests": _from_harvests,
    "lots": _from_lots,
    "plant_batches": _from_plant_batch,
}


def create_lot(session: Session, actor: Actor, facility: Facility, lot: NewLot) -> Package:
    """A new lot (package) from the sources its origin names (see the module docstring)."""
    kind = _origin_kind(lot.origin)
    item, place = _usable(session, facility, lot)
    return _MAKERS[kind](session, actor, facility, lot, item, place)


# --- changes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LotAdjustment:
    """A signed quantity added to (or taken from) the lot, for a listed reason."""

    quantity: Decimal
    unit_of_measure: str
    reason: str
    adjustment_date: date | None = None
    note: str | None = None


@dataclass(frozen=True)
class LotRemediation:
    method: str
    treatment_date: date | None = None
    steps: str | None = None


@dataclass(frozen=True)
class StandingAsked:
    """A standing a change asks the lot to be in: a value of one facet of a package's
    standing (`queries.history.PACKAGES`: its life, its hold, its lab testing state),
    and the day it took that standing (a finish date)."""

    facet: str
    value: str
    day: date | None = None


LIFE = "life"
ACTIVE, FINISHED, DISCONTINUED = "active", "finished", "discontinued"
# The actions a change may name; those that are a change of the lot's life.
ACTIONS = (
    "create",
    "move",
    "change_item",
    "adjust",
    "remediation",
    "finish",
    "unfinish",
    "discontinue",
)
_LIFE_OF_ACTION = {"finish": FINISHED, "unfinish": ACTIVE, "discontinue": DISCONTINUED}


@dataclass(frozen=True, kw_only=True)
class LotChange:
    action: str | None = None
    item: Item | None = None
    location: Location | None = None
    move_date: date | None = None
    adjustments: Sequence[LotAdjustment] = ()
    remediations: Sequence[LotRemediation] = ()
    standing: Sequence[StandingAsked] = ()  # the last one is asked for


def _standing_of(package: Package, facet: str) -> str:
    return PACKAGES[facet].of(lambda name: getattr(package, name))


def _wanted_life(package: Package, change: LotChange) -> StandingAsked | None:
    """The life the change asks of the lot (its last standing, or its action's, which must
    agree). A lot's hold and lab testing state are not a change's to set: asking for the ones
    it has changes nothing, asking for others is refused."""
    asked = change.standing[-1] if change.standing else None
    if asked is not None and asked.facet != LIFE:
        if _standing_of(package, asked.facet) != asked.value:
            raise RuleViolation(
                f"A lot's {asked.facet.replace('_', ' ')} ({asked.value}) is not set by a "
                "change; a change may make it active, finished or discontinued.",
                field="standing",
            )
        asked = None
    by_action = _LIFE_OF_ACTION.get(change.action or "")
    if by_action is not None and asked is not None and asked.value != by_action:
        raise RuleViolation(
            f"The action {change.action} does not make a lot {asked.value}.", field="action"
        )
    if asked is None and by_action is not None:
        asked = StandingAsked(LIFE, by_action)
    return asked


def _check_action(change: LotChange) -> None:
    """A named action must be one a change makes, and the change must give what it needs."""
    needs: dict[str, tuple[str, object]] = {
        "move": ("location", change.location),
        "change_item": ("item", change.item),
        "adjust": ("adjustments", change.adjustments),
        "remediation": ("remediations", change.remediations),
    }
    if change.action is None or change.action in _LIFE_OF_ACTION:
        return
    if change.action not in needs:
        raise RuleViolation(
            f"A change cannot {change.action} a lot; it may "
            f"{', '.join([*needs, *_LIFE_OF_ACTION])}.",
            field="action",
        )
    field, given = needs[change.action]
    if not given:
        raise RuleViolation(f"{{field}} is needed to {change.action} the lot.", field=field)


def change_lot(
    session: Session, actor: Actor, facility: Facility, package: Package, change: LotChange
) -> Package:
    """Apply `change` to the lot `package` (see the module docstring for the order), locked
    and read afresh first: it was loaded before the request knew it would change it."""
    session.refresh(package, with_for_update=True)
    _check_action(change)
    asked = _wanted_life(package, change)
    life = None if asked is None else asked.value
    label = package.label
    if life == ACTIVE and _standing_of(package, LIFE) != ACTIVE:
        with _filed(("standing",)):
            inventory.unfinish_package(session, actor, facility, inventory.PackageNamed(label))
    if change.item is not None:
        with _filed(("item",), {"item": ("item",)}):
            if not change.item.active:
                raise RuleViolation(f"The item {change.item.name!r} is archived.")
            command = inventory.ItemChange(label, change.item.name)
            inventory.change_item(session, actor, facility, command)
    if change.location is not None:
        with _filed(("location",), {"location": ("location",), "move_date": ("move_date",)}):
            if not change.location.active:
                raise RuleViolation(f"The location {change.location.name!r} is archived.")
            move = inventory.PackageMove(label, change.location.name, None, change.move_date)
            inventory.move_package(session, actor, facility, move)
    # An adjustment or a remediation of the lot is the package service's, of its label.
    for index, adjustment in enumerate(change.adjustments):
        with _filed(("adjustments", index)):
            posted = inventory.Adjustment(label, **values_of(adjustment))
            inventory.adjust_package(session, actor, facility, posted)
    for index, remedy in enumerate(change.remediations):
        with _filed(("remediations", index)):
            treatment = inventory.Treatment(label, **values_of(remedy))
            inventory.remediate_package(session, actor, facility, treatment)
    day = None if asked is None else asked.day
    if life == FINISHED and _standing_of(package, LIFE) != FINISHED:
        with _filed(("standing",), {"actual_date": ("standing",)}):
            finish = inventory.PackageFinish(label, day)
            inventory.finish_package(session, actor, facility, finish)
    if life == DISCONTINUED and _standing_of(package, LIFE) != DISCONTINUED:
        with _filed(("standing",)):
            inventory.discontinue_package(session, actor, facility, package)
    return package
