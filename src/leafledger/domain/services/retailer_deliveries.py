"""Retailer deliveries: one vehicle loaded with stock, selling on its way.

Rules (each refusal names the command field at fault; nothing is kept of a refused request):

- Only a facility whose licence allows retailer delivery (`RetailerDelivery`) records them;
  each sale it makes on the way obeys the rules of sales deliveries (customer types, the
  patient's allowance; services/sales_deliveries.py).
- The driver and vehicle are the facility's records. The stock (`Packages`) names packages
  that may leave (the package gate), each once, in a unit of the package's kind; nothing is
  taken from them until the delivery departs. Destinations are the sales planned when it is
  recorded: their lines must name packages of the stock and, together, fit in it.
- Life: InProgress -> InTransit (departed) -> Completed (ended), or Voided before departure.
  Only an InProgress delivery may be changed or voided.
- Departing takes the whole stock from its packages onto the road (each must still hold it)
  and the planned destinations' lines from the road stock.
- A sale (POST .../retailer/sale) and the destinations of a restock are new sales delivered
  from the road: their lines take the road stock of the package they name, never more than
  is on the road. A restock, on the way, takes more of a package onto the road (the package
  must hold it), or first gives back what is on the road of it (`RemoveCurrentPackage`).
- Ending gives back to each package what is left of it on the road; an end quantity stated
  for a package must be exactly what is left (a difference would be product unaccounted for).
- A returned line of a sale from the road goes back to the road stock while the delivery is
  out, to its package once the delivery ended.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import FieldPath, RuleViolation
from leafledger.domain.models import (
    Facility,
    Package,
    RetailerDelivery,
    RetailerDeliveryPackage,
    SalesDelivery,
    SalesDeliveryLine,
)
from leafledger.domain.models.base import utcnow
from leafledger.domain.models.sales_delivery import COMPLETED, IN_PROGRESS, IN_TRANSIT, VOIDED
from leafledger.domain.services.audit import audited, record_created, record_new
from leafledger.domain.services.harvests import amount
from leafledger.domain.services.package_gate import require_may_leave
from leafledger.domain.services.package_stock import (
    check_changeable,
    check_drawable,
    check_holds,
    in_package_unit,
    move_quantity,
    unit_for,
)
from leafledger.domain.services.sales_deliveries import (
    Carrying,
    CheckedLine,
    Recipient,
    _recipient_values,
    carriers,
    check_line,
    check_patient_limit,
    deleted,
    lines_of,
    local_moment,
    require_capability,
    sold_package,
    text,
    write_lines,
)

ZERO = Decimal(0)


# --- commands --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class StockPackage:
    label: str | None = None
    quantity: Decimal | None = None
    unit_of_measure: str | None = None
    total_price: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class RestockPackage(StockPackage):
    remove_current_package: bool = False


@dataclass(frozen=True, kw_only=True)
class Destination(Recipient):
    id: int | None = None  # a destination's id (PUT), kept for the caller's reference only


@dataclass(frozen=True, kw_only=True)
class NewRetailerDelivery(Carrying):
    recorded_at: datetime | None = None
    phone_number: str | None = None
    estimated_departure: datetime | None = None
    destinations: Sequence[Destination] | None = None
    packages: Sequence[StockPackage] = field(default_factory=tuple)


@dataclass(frozen=True, kw_only=True)
class RetailerDeliveryChange(NewRetailerDelivery):
    retailer_delivery: RetailerDelivery


@dataclass(frozen=True, kw_only=True)
class RetailerStep:
    retailer_delivery: RetailerDelivery


@dataclass(frozen=True, kw_only=True)
class RoadSale(Recipient):
    retailer_delivery: RetailerDelivery


@dataclass(frozen=True, kw_only=True)
class Restock:
    retailer_delivery: RetailerDelivery
    recorded_at: datetime | None = None
    estimated_departure: datetime | None = None
    destinations: Sequence[Destination] | None = None
    packages: Sequence[RestockPackage] = field(default_factory=tuple)


@dataclass(frozen=True, kw_only=True)
class EndPackage:
    label: str | None = None
    end_quantity: Decimal | None = None
    end_unit_of_measure: str | None = None


@dataclass(frozen=True, kw_only=True)
class RetailerEnd:
    retailer_delivery: RetailerDelivery
    actual_arrival: datetime | None = None
    packages: Sequence[EndPackage] | None = None


# --- helpers ---------------------------------------------------------------------------------


def _allowed(facility: Facility) -> None:
    require_capability(facility, "RetailerDelivery", "make retailer deliveries", "retailer")


def _state(delivery: RetailerDelivery, *wanted: str) -> None:
    if delivery.state in wanted:
        return
    words = {
        IN_PROGRESS: "has not departed yet",
        IN_TRANSIT: "is on the road",
        COMPLETED: "has ended",
        VOIDED: "is voided",
    }
    raise RuleViolation(
        f"The retailer delivery {delivery.id} {words.get(delivery.state, delivery.state)}.",
        field="retailer_delivery",
    )


@dataclass
class _Stock:
    package: Package
    quantity: Decimal
    unit_name: str
    drawn: Decimal
    total_price: Decimal | None


def _stock(session: Session, facility: Facility, packages: Sequence[StockPackage]) -> list[_Stock]:
    if not packages:
        raise RuleViolation("{field} must list at least one package.", field="packages")
    found: list[_Stock] = []
    for index, planned in enumerate(packages):
        at: FieldPath = ("packages", index)
        package = sold_package(session, facility, planned.label, at)
        require_may_leave(package, (*at, "label"))
        if any(s.package.id == package.id for s in found):
            raise RuleViolation(f"{{field}}: package {package.label} is listed twice.", field=at)
        unit = unit_for(package, planned.unit_of_measure, (*at, "unit_of_measure"))
        quantity = amount(planned.quantity, (*at, "quantity"))
        drawn = in_package_unit(package, quantity, unit, (*at, "quantity"))
        check_holds(package, drawn, (*at, "quantity"))
        price = (
            None
            if planned.total_price is None
            else amount(planned.total_price, (*at, "total_price"), allow_zero=True)
        )
        found.append(_Stock(package, quantity, unit.name, drawn, price))
    return found


def _stock_rows(session: Session, delivery: RetailerDelivery) -> list[RetailerDeliveryPackage]:
    return list(
        session.scalars(
            select(RetailerDeliveryPackage)
            .where(RetailerDeliveryPackage.retailer_delivery_id == delivery.id)
            .order_by(RetailerDeliveryPackage.id)
            .with_for_update()
        )
    )


def _destinations_of(session: Session, delivery: RetailerDelivery) -> list[SalesDelivery]:
    return list(
        session.scalars(
            select(SalesDelivery)
            .where(SalesDelivery.retailer_delivery_id == delivery.id)
            .order_by(SalesDelivery.id)
        )
    )


def _checked_destinations(
    session: Session,
    facility: Facility,
    destinations: Sequence[Destination],
    fits: dict[int, Decimal],
    default_sales_at: datetime | None = None,
) -> list[tuple[dict[str, object], list[CheckedLine]]]:
    """Each destination's values and lines; their lines must fit in `fits` (the road stock
    by package id, in the package's unit), which they use up."""
    checked = []
    for index, destination in enumerate(destinations):
        at: FieldPath = ("destinations", index)
        values = _recipient_values(facility, destination, at, default_sales_at or utcnow())
        if not destination.transactions:
            raise RuleViolation(
                "{field} must list at least one package.", field=(*at, "transactions")
            )
        lines = []
        for number, line in enumerate(destination.transactions):
            where: FieldPath = (*at, "transactions", number)
            found = check_line(session, facility, line, where, gate=False)
            left = fits.get(found.package.id)
            if left is None:
                raise RuleViolation(
                    f"{{field}}: package {found.package.label} is not carried by this delivery.",
                    field=(*where, "label"),
                )
            if found.drawn > left:
                raise RuleViolation(
                    f"{{field}} {found.quantity} {found.unit_name} is more than the "
                    f"{left} {found.package.unit_of_measure_name} of package "
                    f"{found.package.label} left on the delivery.",
                    field=(*where, "quantity"),
                )
            fits[found.package.id] = left - found.drawn
            lines.append(found)
        check_patient_limit(session, facility, values, lines, at)
        checked.append((values, lines))
    return checked


def _write_destinations(
    session: Session,
    actor: Actor,
    facility: Facility,
    delivery: RetailerDelivery,
    checked: list[tuple[dict[str, object], list[CheckedLine]]],
    *,
    departed: bool,
) -> list[SalesDelivery]:
    made = []
    for values, lines in checked:
        sale = SalesDelivery(
            facility_id=facility.id,
            retailer_delivery_id=delivery.id,
            state=IN_TRANSIT if departed else IN_PROGRESS,
            departed_at=utcnow() if departed else None,
            transporter_facility_id=facility.id,
            driver_id=delivery.driver_id,
            vehicle_id=delivery.vehicle_id,
            created_by_user_id=actor.user_id,
            **values,
        )
        record_new(session, actor, sale, facility.id)
        write_lines(session, actor, facility, sale, lines, take=False)
        made.append(sale)
    return made


def _changed(session: Session, actor: Actor, row: object, action: str, **values: object) -> None:
    done = audited(session, actor, row, action, getattr(row, "facility_id", None))  # type: ignore[arg-type]
    for name, value in values.items():
        setattr(row, name, value)
    done()


def _write_stock(
    session: Session,
    actor: Actor,
    facility: Facility,
    delivery: RetailerDelivery,
    stock: Sequence[_Stock],
) -> dict[int, RetailerDeliveryPackage]:
    rows = {}
    for item in stock:
        row = RetailerDeliveryPackage(
            facility_id=facility.id,
            retailer_delivery_id=delivery.id,
            package_id=item.package.id,
            quantity=item.quantity,
            unit_of_measure_name=item.unit_name,
            planned=item.drawn,
            total_price=item.total_price,
            taken=ZERO,
            on_road=ZERO,
            sold=ZERO,
            given_back=ZERO,
        )
        session.add(row)
        record_created(session, actor, row, "create", facility.id)
        rows[item.package.id] = row
    return rows


# --- recording, changing, voiding ------------------------------------------------------------


def _head_values(
    session: Session, facility: Facility, command: NewRetailerDelivery
) -> dict[str, object]:
    driver, vehicle = carriers(session, facility, command, ())
    return {
        "recorded_at": local_moment(facility, command.recorded_at) or utcnow(),
        "driver_id": driver.id,
        "vehicle_id": vehicle.id,
        "phone_number": text(command.phone_number),
        "estimated_departure_at": local_moment(facility, command.estimated_departure),
    }


def _plan(
    session: Session, actor: Actor, facility: Facility, delivery: RetailerDelivery,
    command: NewRetailerDelivery,
) -> None:  # fmt: skip
    stock = _stock(session, facility, command.packages)
    fits = {item.package.id: item.drawn for item in stock}
    checked = _checked_destinations(
        session, facility, command.destinations or (), fits, delivery.recorded_at
    )
    _write_stock(session, actor, facility, delivery, stock)
    _write_destinations(session, actor, facility, delivery, checked, departed=False)


def create_retailer_delivery(
    session: Session, actor: Actor, facility: Facility, command: NewRetailerDelivery
) -> RetailerDelivery:
    _allowed(facility)
    values = _head_values(session, facility, command)
    delivery = RetailerDelivery(
        facility_id=facility.id, state=IN_PROGRESS, created_by_user_id=actor.user_id, **values
    )
    record_new(session, actor, delivery, facility.id)
    _plan(session, actor, facility, delivery, command)
    return delivery


def _forget_plan(session: Session, actor: Actor, delivery: RetailerDelivery) -> None:
    for sale in _destinations_of(session, delivery):
        for line in lines_of(session, sale):
            deleted(session, actor, line, delivery.facility_id)
        session.flush()
        deleted(session, actor, sale, delivery.facility_id)
    for row in _stock_rows(session, delivery):
        deleted(session, actor, row, delivery.facility_id)
    session.flush()


def update_retailer_delivery(
    session: Session, actor: Actor, facility: Facility, command: RetailerDeliveryChange
) -> RetailerDelivery:
    _allowed(facility)
    delivery = command.retailer_delivery
    _state(delivery, IN_PROGRESS)
    values = _head_values(session, facility, command)
    _forget_plan(session, actor, delivery)
    _changed(session, actor, delivery, "update", **values)
    _plan(session, actor, facility, delivery, command)
    return delivery


def void_retailer_delivery(
    session: Session, actor: Actor, facility: Facility, delivery: RetailerDelivery
) -> int:
    _allowed(facility)
    _state(delivery, IN_PROGRESS)
    now = utcnow()
    for sale in _destinations_of(session, delivery):
        _changed(session, actor, sale, "void", state=VOIDED, voided_at=now)
    _changed(session, actor, delivery, "void", state=VOIDED, voided_at=now)
    return delivery.id


# --- on the road -----------------------------------------------------------------------------


def _locked(session: Session, package_id: int) -> Package:
    return session.scalars(select(Package).where(Package.id == package_id).with_for_update()).one()


def _take_onto_road(
    session: Session, actor: Actor, row: RetailerDeliveryPackage, package: Package,
    drawn: Decimal, at: FieldPath,
) -> None:  # fmt: skip
    check_drawable(package, at)
    require_may_leave(package, at)
    check_holds(package, drawn, at)
    move_quantity(session, actor, package, -drawn, "retailer_delivery_load")
    _changed(
        session, actor, row, "load", taken=row.taken + drawn, on_road=row.on_road + drawn,
        removed=False,
    )  # fmt: skip


def _sell_from_road(
    session: Session, actor: Actor, rows: dict[int, RetailerDeliveryPackage],
    lines: Sequence[SalesDeliveryLine],
) -> None:  # fmt: skip
    for line in lines:
        row = rows[line.package_id]
        if line.drawn > row.on_road:
            raise RuleViolation(
                f"The road stock of package {line.package_id} cannot cover its sales."
            )
        _changed(
            session, actor, row, "sell", on_road=row.on_road - line.drawn,
            sold=row.sold + line.drawn,
        )  # fmt: skip


def depart_retailer_delivery(
    session: Session, actor: Actor, facility: Facility, command: RetailerStep
) -> int:
    _allowed(facility)
    delivery = command.retailer_delivery
    _state(delivery, IN_PROGRESS)
    rows = _stock_rows(session, delivery)
    for index, row in enumerate(rows):
        package = _locked(session, row.package_id)
        _take_onto_road(session, actor, row, package, row.planned, ("packages", index))
    by_package = {row.package_id: row for row in rows}
    now = utcnow()
    for sale in _destinations_of(session, delivery):
        if sale.state != IN_PROGRESS:
            continue
        _sell_from_road(session, actor, by_package, lines_of(session, sale))
        _changed(session, actor, sale, "depart", state=IN_TRANSIT, departed_at=now)
    _changed(session, actor, delivery, "depart", state=IN_TRANSIT, departed_at=now)
    return delivery.id


def _road_sales(
    session: Session, actor: Actor, facility: Facility, delivery: RetailerDelivery,
    destinations: Sequence[Destination],
) -> list[SalesDelivery]:  # fmt: skip
    rows = {row.package_id: row for row in _stock_rows(session, delivery)}
    fits = {package_id: row.on_road for package_id, row in rows.items()}
    checked = _checked_destinations(session, facility, destinations, fits)
    made = _write_destinations(session, actor, facility, delivery, checked, departed=True)
    session.flush()
    for sale in made:
        _sell_from_road(session, actor, rows, lines_of(session, sale))
    return made


def sell_from_road(
    session: Session, actor: Actor, facility: Facility, command: RoadSale
) -> SalesDelivery:
    _allowed(facility)
    delivery = command.retailer_delivery
    _state(delivery, IN_TRANSIT)
    destination = Destination(
        **{name: getattr(command, name) for name in Recipient.__dataclass_fields__}
    )
    try:
        made = _road_sales(session, actor, facility, delivery, [destination])
    except RuleViolation as exc:
        path = exc.field
        if path and path[0] == "destinations":  # the sale is the body's object itself
            raise RuleViolation(exc.template, field=path[2:] or None) from None
        raise
    return made[0]


def restock(session: Session, actor: Actor, facility: Facility, command: Restock) -> int:
    _allowed(facility)
    delivery = command.retailer_delivery
    _state(delivery, IN_TRANSIT)
    if not command.packages and not command.destinations:
        raise RuleViolation("{field} must list at least one package.", field="packages")
    rows = {row.package_id: row for row in _stock_rows(session, delivery)}
    for index, wanted in enumerate(command.packages):
        at: FieldPath = ("packages", index)
        package = sold_package(session, facility, wanted.label, at)
        row = rows.get(package.id)
        if wanted.remove_current_package and row is not None and row.on_road > 0:
            check_changeable(package, at)
            move_quantity(session, actor, package, row.on_road, "retailer_delivery_unload")
            _changed(
                session, actor, row, "unload", given_back=row.given_back + row.on_road,
                on_road=ZERO, removed=True,
            )  # fmt: skip
        if wanted.quantity is None and wanted.remove_current_package:
            continue
        unit = unit_for(package, wanted.unit_of_measure, (*at, "unit_of_measure"))
        quantity = amount(wanted.quantity, (*at, "quantity"))
        drawn = in_package_unit(package, quantity, unit, (*at, "quantity"))
        if row is None:
            price = (
                None
                if wanted.total_price is None
                else amount(wanted.total_price, (*at, "total_price"), allow_zero=True)
            )
            stock = _Stock(package, quantity, unit.name, drawn, price)
            row = _write_stock(session, actor, facility, delivery, [stock])[package.id]
            session.flush()
            rows[package.id] = row
        _take_onto_road(session, actor, row, package, drawn, at)
    if command.destinations:
        _road_sales(session, actor, facility, delivery, command.destinations)
    when = local_moment(facility, command.recorded_at) or utcnow()
    _changed(session, actor, delivery, "restock", restocked_at=when)
    return delivery.id


def end_retailer_delivery(
    session: Session, actor: Actor, facility: Facility, command: RetailerEnd
) -> int:
    _allowed(facility)
    delivery = command.retailer_delivery
    _state(delivery, IN_TRANSIT)
    rows = _stock_rows(session, delivery)
    packages = {row.package_id: _locked(session, row.package_id) for row in rows}
    by_label = {packages[row.package_id].label: row for row in rows}
    for index, stated in enumerate(command.packages or ()):
        at: FieldPath = ("packages", index)
        label = text(stated.label)
        if label is None:
            raise RuleViolation("{field} is required.", field=(*at, "label"))
        row = by_label.get(label)
        if row is None:
            raise RuleViolation(
                f"{{field}}: package {label} is not carried by this delivery.", field=(*at, "label")
            )
        package = packages[row.package_id]
        if stated.end_quantity is None:
            raise RuleViolation("{field} is required.", field=(*at, "end_quantity"))
        unit = unit_for(package, stated.end_unit_of_measure, (*at, "end_unit_of_measure"))
        quantity = amount(stated.end_quantity, (*at, "end_quantity"), allow_zero=True)
        left = (
            ZERO
            if quantity == 0
            else in_package_unit(package, quantity, unit, (*at, "end_quantity"))
        )
        if left != row.on_road:
            raise RuleViolation(
                f"{{field}} {quantity} {unit.name} is not what is left of package {label} on "
                f"the road ({row.on_road} {package.unit_of_measure_name}).",
                field=(*at, "end_quantity"),
            )
    for row in rows:
        if row.on_road > 0:
            package = packages[row.package_id]
            check_changeable(package, "packages")
            move_quantity(session, actor, package, row.on_road, "retailer_delivery_end")
            _changed(
                session, actor, row, "end", given_back=row.given_back + row.on_road, on_road=ZERO
            )
    ended = local_moment(facility, command.actual_arrival) or utcnow()
    _changed(session, actor, delivery, "end", state=COMPLETED, ended_at=ended)
    return delivery.id


def return_to_road(
    session: Session, actor: Actor, sale: SalesDelivery, line: SalesDeliveryLine, back: Decimal
) -> bool:
    """Put a returned quantity of a sale from the road back on the road, while its delivery is
    out; False when it ended (the quantity goes back to its package)."""
    delivery = session.get(RetailerDelivery, sale.retailer_delivery_id)
    if delivery is None or delivery.state != IN_TRANSIT:
        return False
    row = session.scalars(
        select(RetailerDeliveryPackage)
        .where(
            RetailerDeliveryPackage.retailer_delivery_id == delivery.id,
            RetailerDeliveryPackage.package_id == line.package_id,
        )
        .with_for_update()
    ).first()
    if row is None:
        return False
    _changed(session, actor, row, "return", on_road=row.on_road + back, sold=row.sold - back)
    return True
