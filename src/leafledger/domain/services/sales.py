"""Retail sales: receipts and their lines, drawn from the facility's packages.

Who may sell. A facility sells to a kind of customer only when its licence lets it: consumers
(`CanSellToConsumers`), patients (`CanSellToPatients`), caregivers (`CanSellToCaregivers`),
external patients (`CanSellToExternalPatients`), non-resident consumers
(`RetailSalesToNonResidentConsumer`). A facility with none of these flags sells nothing.

A receipt. It states when the sale happened, on the facility's own clock (no offset; not in
the future there), the kind of customer, and for patients and caregivers their licences; a
patient registration location, when given, is one of the reference list's. Its external
number, the point of sale's own, is unique among the facility's active receipts. A receipt
holds at least one line.

A line. It names a package of the facility, which must be free to leave it (the package gate,
services/package_gate.py: active, not on hold, tested and passed, not a lab sample, not in
transit...), and draws the line's quantity from it, converted exactly into the package's unit
(a unit of another quantity type is refused); a package never goes below zero, and several
lines may draw on one package in turn. The total amount and the optional prices and taxes are
never negative.

Patients. The lines of a sale to a patient (or to a designated caregiver for one) that count
against an allowance (flower, concentrate, infused products, by item category) are recorded
through the patients service (`record_purchases`), which refuses a sale over what the
patient's purchase periods leave, above their THC ceiling, or outside their licence. A line
of a counted product counts by its unit weight (the line's, else its item's).

Changes. An update gives back what the receipt's lines drew, withdraws its patient purchases,
then sells the new lines, all in the request's one transaction; a void gives back and
withdraws too and moves the receipt to the inactive ones (its lines stay, for the record).
Giving back needs packages that may still change (not finished, discontinued or in transit).
A finalized receipt takes neither until it is unfinalized; a voided one takes nothing.

Lines posted by date (Metrc's v1 transactions) go to one receipt per day (`by_date`), which
is made on the first post and whose lines a replacement gives back and redraws.

Every refusal names the field at fault (`lines[2].quantity`); nothing here commits.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Connection,
    Table,
    bindparam,
    distinct,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from leafledger.domain import reference
from leafledger.domain.actor import Actor
from leafledger.domain.errors import Conflict, FieldPath, NotFound, RuleViolation
from leafledger.domain.models import Facility, Item, Package, SalesReceipt, SalesTransaction
from leafledger.domain.models.base import IsTrue, utcnow
from leafledger.domain.models.sale import EXTERNAL_NUMBER_LENGTH, LICENCE_LENGTH
from leafledger.domain.reference import find_name
from leafledger.domain.request_state import request_state
from leafledger.domain.services import bulk_write, patients, sales_counts
from leafledger.domain.services.audit import (
    audited,
    record,
    record_created,
    record_events,
    row_event,
    snapshot,
    snapshot_changed,
    values_snapshot,
)
from leafledger.domain.services.catalogue import bounded
from leafledger.domain.services.harvests import amount
from leafledger.domain.services.lookups import not_future
from leafledger.domain.services.package_gate import require_may_leave
from leafledger.domain.services.package_stock import (
    category_of,
    check_change,
    check_changeable,
    check_holds,
    in_package_unit,
    move_quantity,
    package_labelled,
    unit_for,
)
from leafledger.domain.units import QuantityType, find_unit

# The licence flag that lets a facility sell to each kind of customer.
SELLS_TO = {
    "Consumer": "CanSellToConsumers",
    "Patient": "CanSellToPatients",
    "Caregiver": "CanSellToCaregivers",
    "ExternalPatient": "CanSellToExternalPatients",
    "NonResidentConsumer": "RetailSalesToNonResidentConsumer",
}
# Customers whose purchases count against a patient registration of the facility.
REGISTERED_CUSTOMERS = frozenset({"Patient", "Caregiver"})
MAX_LINES = 500
# How far ahead of the facility's clock a sale time may be (clocks of tills drift).
CLOCK_GRACE = timedelta(minutes=5)
PLACES = Decimal("1e-10")
REGISTRATION_LOCATIONS = frozenset(loc.id for loc in reference.PATIENT_REGISTRATION_LOCATIONS)

# Money fields of a line that may be given, besides its total amount.
MONEY_FIELDS = (
    "price",
    "excise_tax",
    "city_tax",
    "county_tax",
    "municipal_tax",
    "discount_amount",
    "sub_total",
    "sales_tax",
)


# --- commands


@dataclass(frozen=True)
class SaleLine:
    """One line of a sale: a quantity of a package (by label), and what it cost."""

    package_label: str
    quantity: Decimal
    unit_of_measure: str
    total_amount: Decimal
    unit_thc_percent: Decimal | None = None
    unit_thc_content: Decimal | None = None
    unit_thc_content_unit_of_measure: str | None = None
    unit_weight: Decimal | None = None
    unit_weight_unit_of_measure: str | None = None
    invoice_number: str | None = None
    price: Decimal | None = None
    excise_tax: Decimal | None = None
    city_tax: Decimal | None = None
    county_tax: Decimal | None = None
    municipal_tax: Decimal | None = None
    discount_amount: Decimal | None = None
    sub_total: Decimal | None = None
    sales_tax: Decimal | None = None
    qr_codes: Sequence[str] | None = None


@dataclass(frozen=True, kw_only=True)
class NewReceipt:
    """A sale, as a point of sale states it (the time on the facility's clock)."""

    sales_date_time: datetime
    lines: Sequence[SaleLine] = field(default_factory=tuple)
    customer_type: str | None = None
    external_receipt_number: str | None = None
    patient_license_number: str | None = None
    caregiver_license_number: str | None = None
    identification_method: str | None = None
    patient_registration_location_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class ReceiptChange(NewReceipt):
    """A receipt's new statement: its lines replace the old ones."""

    receipt: SalesReceipt


@dataclass(frozen=True)
class ReceiptRef:
    """A receipt named by id (finalize, unfinalize)."""

    receipt: SalesReceipt


# --- what a facility may sell


def sells(facility: Facility) -> bool:
    """Whether the facility's licence lets it sell to any kind of customer."""
    return any(facility.can(flag) for flag in SELLS_TO.values())


def _customer_type(facility: Facility, name: str | None) -> str:
    if not sells(facility):
        raise RuleViolation(
            f"Facility {facility.license_number} ({facility.license_type}) may not sell to "
            "consumers or patients."
        )
    if name is None or not name.strip():
        raise RuleViolation("{field} is required.", field="customer_type")
    spelled = find_name(SELLS_TO, name)
    if spelled is None:
        known = ", ".join(SELLS_TO)
        raise RuleViolation(
            f"{{field}} {name.strip()!r} is unknown; use one of {known}.", field="customer_type"
        )
    if not facility.can(SELLS_TO[spelled]):
        raise RuleViolation(
            f"Facility {facility.license_number} ({facility.license_type}) may not sell to "
            f"the customer type {spelled}.",
            field="customer_type",
        )
    return spelled


def _text(value: str | None, field: str | FieldPath, limit: int) -> str | None:
    if value is None or not value.strip():
        return None
    return bounded(value.strip(), field, limit)


def local_now(facility: Facility) -> datetime:
    """The facility's clock, without an offset."""
    return utcnow().astimezone(ZoneInfo(facility.timezone)).replace(tzinfo=None)


def _sold_at(facility: Facility, when: datetime) -> datetime:
    if when.tzinfo is not None:  # the wire gives local times; keep the time as written
        when = when.replace(tzinfo=None)
    if when > local_now(facility) + CLOCK_GRACE:
        raise RuleViolation(
            f"{{field}} {when.isoformat()} is in the future at the facility.",
            field="sales_date_time",
        )
    return when


def _external_number_taken(
    session: Session, facility: Facility, number: str, exclude_id: int | None
) -> bool:
    taken = request_state(session).taken_receipt_numbers.get(facility.id)
    if taken is not None and exclude_id is None:
        return number in taken
    query = select(SalesReceipt.id).where(
        SalesReceipt.facility_id == facility.id,
        SalesReceipt.external_receipt_number == number,
        IsTrue(SalesReceipt.active),
    )
    if exclude_id is not None:
        query = query.where(SalesReceipt.id != exclude_id)
    return session.scalars(query.limit(1)).first() is not None


def _receipt_values(
    session: Session, facility: Facility, command: NewReceipt, exclude_id: int | None = None
) -> dict[str, Any]:
    """The receipt's columns from `command`, checked (not its lines)."""
    customer = _customer_type(facility, command.customer_type)
    sold_at = _sold_at(facility, command.sales_date_time)
    number = _text(
        command.external_receipt_number, "external_receipt_number", EXTERNAL_NUMBER_LENGTH
    )
    if number is not None and _external_number_taken(session, facility, number, exclude_id):
        raise RuleViolation(
            f"{{field}} {number!r} is already used by another active receipt of this facility.",
            field="external_receipt_number",
        )
    taken = request_state(session).taken_receipt_numbers.get(facility.id)
    if number is not None and taken is not None and exclude_id is None:
        taken.add(number)
    patient = _text(command.patient_license_number, "patient_license_number", LICENCE_LENGTH)
    caregiver = _text(command.caregiver_license_number, "caregiver_license_number", LICENCE_LENGTH)
    if customer in {"Patient", "Caregiver", "ExternalPatient"} and patient is None:
        raise RuleViolation(
            f"A sale to a customer of type {customer} needs {{field}}.",
            field="patient_license_number",
        )
    if customer == "Caregiver" and caregiver is None:
        raise RuleViolation(
            "A sale to a caregiver needs {field}.", field="caregiver_license_number"
        )
    location = command.patient_registration_location_id
    if location is not None and location not in REGISTRATION_LOCATIONS:
        raise RuleViolation(
            f"{{field}} {location} is not a patient registration location.",
            field="patient_registration_location_id",
        )
    if not command.lines:
        raise RuleViolation("A receipt needs at least one line in {field}.", field="lines")
    if len(command.lines) > MAX_LINES:
        raise RuleViolation(
            f"A receipt may hold at most {MAX_LINES} lines in {{field}}.", field="lines"
        )
    return {
        "external_receipt_number": number,
        "sales_date_time": sold_at,
        "sales_date": sold_at.date(),
        "customer_type": customer,
        "patient_license_number": patient,
        "caregiver_license_number": caregiver,
        "identification_method": _text(command.identification_method, "identification_method", 100),
        "patient_registration_location_id": location,
    }


# --- lines


def _money(value: Decimal | None, at: FieldPath) -> Decimal | None:
    return None if value is None else amount(value, at, allow_zero=True)


@dataclass(frozen=True)
class _CheckedLine:
    """A line that may be sold: its columns (all but its receipt), the package it draws on
    and what it takes from it, in the package's unit."""

    columns: dict[str, Any]
    package: Package
    drawn: Decimal


def _checked_line(session: Session, facility: Facility, index: int, line: SaleLine) -> _CheckedLine:
    """Line `index`, checked: its package may leave and holds enough; its amounts are sound."""
    at: FieldPath = ("lines", index)
    label_field = (*at, "package_label")
    try:
        package = package_labelled(session, facility, line.package_label, label_field)
    except NotFound as exc:
        raise RuleViolation(exc.message, field=label_field) from None
    check_changeable(package, label_field)
    require_may_leave(package, label_field)
    unit = unit_for(package, line.unit_of_measure, (*at, "unit_of_measure"))
    drawn = in_package_unit(package, line.quantity, unit, (*at, "quantity"))
    check_holds(package, drawn, (*at, "quantity"))
    total = amount(line.total_amount, (*at, "total_amount"), allow_zero=True)
    money = {name: _money(getattr(line, name), (*at, name)) for name in MONEY_FIELDS}
    weight_unit = _unit_name(line.unit_weight_unit_of_measure, (*at, "unit_weight_unit_of_measure"))
    thc_unit = _unit_name(
        line.unit_thc_content_unit_of_measure, (*at, "unit_thc_content_unit_of_measure")
    )
    columns = {
        "facility_id": facility.id,
        "package_id": package.id,
        "quantity": line.quantity,
        "unit_of_measure_name": unit.name,
        "drawn_quantity": drawn,
        "total_price": total,
        "unit_thc_percent": _money(line.unit_thc_percent, (*at, "unit_thc_percent")),
        "unit_thc_content": _money(line.unit_thc_content, (*at, "unit_thc_content")),
        "unit_thc_content_unit": thc_unit,
        "unit_weight": _money(line.unit_weight, (*at, "unit_weight")),
        "unit_weight_unit": weight_unit,
        "invoice_number": _text(line.invoice_number, (*at, "invoice_number"), 100),
        "qr_codes": list(line.qr_codes) if line.qr_codes is not None else None,
        **money,
    }
    return _CheckedLine(columns, package, drawn)


def _draw(
    session: Session,
    actor: Actor,
    facility: Facility,
    receipt: SalesReceipt,
    index: int,
    line: SaleLine,
) -> tuple[SalesTransaction, Package]:
    """Sell line `index` of `receipt`: check it, then draw from its package."""
    checked = _checked_line(session, facility, index, line)
    row = SalesTransaction(receipt=receipt, **checked.columns)
    move_quantity(session, actor, checked.package, -checked.drawn, "sell")
    session.add(row)
    record_created(session, actor, row, "create", facility.id)
    return row, checked.package


def _unit_name(name: str | None, at: FieldPath) -> str | None:
    if name is None or not name.strip():
        return None
    unit = find_unit(name)
    if unit is None:
        raise RuleViolation(f"Unknown unit of measure {name.strip()!r}.", field=at)
    return unit.name


def _sell(
    session: Session,
    actor: Actor,
    facility: Facility,
    receipt: SalesReceipt,
    lines: Sequence[SaleLine],
) -> None:
    """Draw every line, keep the receipt's totals, and record a patient's purchases."""
    sold = [_draw(session, actor, facility, receipt, i, line) for i, line in enumerate(lines)]
    receipt.total_packages = len({package.id for _, package in sold})
    receipt.total_price = sum((row.total_price for row, _ in sold), Decimal(0))
    if receipt.customer_type in REGISTERED_CUSTOMERS and receipt.patient_license_number:
        _record_patient_purchases(session, actor, facility, receipt, sold)


def _weight_of(row: SalesTransaction, item: Item) -> tuple[Decimal, str] | None:
    """The weight a line sold: its quantity if weighed, else its count times a unit weight."""
    unit = find_unit(row.unit_of_measure_name)
    if unit is not None and unit.quantity_type is QuantityType.WEIGHT:
        return row.quantity, unit.name
    each, each_unit = row.unit_weight, row.unit_weight_unit
    if each is None or each_unit is None:
        stated = item.details.get("unit_weight")
        each_unit = item.details.get("unit_weight_unit_of_measure")
        each = Decimal(str(stated)) if stated is not None else None
    found = find_unit(each_unit) if isinstance(each_unit, str) else None
    if each is None or found is None or found.quantity_type is not QuantityType.WEIGHT:
        return None
    weight = (row.quantity * each).quantize(PLACES, rounding=ROUND_HALF_EVEN)
    return (weight, found.name) if weight > 0 else None


def _record_patient_purchases(
    session: Session,
    actor: Actor,
    facility: Facility,
    receipt: SalesReceipt,
    sold: list[tuple[SalesTransaction, Package]],
) -> None:
    purchases: list[patients.PurchaseLine] = []
    where: list[int] = []  # the receipt line of each purchase line
    for index, (row, package) in enumerate(sold):
        item = session.get(Item, package.item_id)
        kind = category_of(item) if item is not None else None
        allowance = patients.category_of(kind.product_category_type) if kind else None
        weight = _weight_of(row, item) if item is not None and allowance else None
        if allowance is None or weight is None or item is None:
            continue
        thc = row.unit_thc_percent
        if thc is None and item.details.get("unit_thc_percent") is not None:
            thc = Decimal(str(item.details["unit_thc_percent"]))
        purchases.append(patients.PurchaseLine(allowance, weight[0], weight[1], thc))
        where.append(index)
    if not purchases:
        return
    if receipt.id is None:
        session.flush()  # the purchases name the receipt
    sale = patients.PatientSale(
        patient_license_number=receipt.patient_license_number or "",
        lines=tuple(purchases),
        sold_on=receipt.sales_date,
        caregiver_license_number=receipt.caregiver_license_number,
        receipt_id=receipt.id,
    )
    try:
        patients.record_purchases(session, actor, facility, sale)
    except NotFound as exc:
        raise RuleViolation(exc.message, field="patient_license_number") from None
    except RuleViolation as exc:
        raise _refiled(exc, where) from None


_PURCHASE_FIELDS = {"thc_percent": "unit_thc_percent", "unit_of_measure": "unit_of_measure"}


def _refiled(exc: RuleViolation, where: list[int]) -> RuleViolation:
    """A refusal of the patients service, its field named as the receipt's."""
    path = exc.field
    if path is None:
        return exc
    if path[0] == "lines" and len(path) >= 3 and isinstance(path[1], int):
        name = _PURCHASE_FIELDS.get(str(path[2]), "quantity")
        return RuleViolation(exc.template, field=("lines", where[path[1]], name))
    if path[0] == "sold_on":
        return RuleViolation(exc.template, field="sales_date_time")
    return exc


def _give_back(
    session: Session,
    actor: Actor,
    facility: Facility,
    receipt: SalesReceipt,
    *,
    remove: bool,
) -> None:
    """Return what the receipt's lines drew to their packages (`remove`: and delete the
    lines), and withdraw its patient purchases."""
    lines = list(
        session.scalars(
            select(SalesTransaction)
            .where(SalesTransaction.receipt_id == receipt.id)
            .order_by(SalesTransaction.id)
        )
    )
    ids = sorted({line.package_id for line in lines})
    packages = {
        package.id: package
        for package in session.scalars(
            select(Package)
            .where(Package.id.in_(ids))
            .order_by(Package.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    }
    for line in lines:
        package = packages[line.package_id]
        check_changeable(package)
        move_quantity(session, actor, package, line.drawn_quantity, "return_sale")
        if remove:
            before = snapshot(line)
            record(
                session, actor, entity=line, action="remove", facility_id=facility.id, before=before
            )
            session.delete(line)
    patients.withdraw_purchases(session, actor, facility, receipt.id)
    if remove:
        session.flush()


def _locked(session: Session, receipt: SalesReceipt) -> SalesReceipt:
    """The receipt, locked until the request ends and read afresh."""
    return session.scalars(
        select(SalesReceipt)
        .where(SalesReceipt.id == receipt.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _changeable(receipt: SalesReceipt, doing: str) -> None:
    if not receipt.active:
        raise RuleViolation(f"Sales receipt {receipt.id} is voided; it cannot be {doing}.")
    if receipt.is_final:
        raise RuleViolation(
            f"Sales receipt {receipt.id} is finalized; unfinalize it before it can be {doing}."
        )


# --- locking ahead


# Built once: a request of receipts runs them with its own values (making a statement costs
# more than running it).
_TAKEN_NUMBERS = select(SalesReceipt.external_receipt_number).where(
    SalesReceipt.facility_id == bindparam("facility"),
    SalesReceipt.external_receipt_number.in_(bindparam("numbers", expanding=True)),
    IsTrue(SalesReceipt.active),
)
# PostgreSQL: one probe of the external-number index per number, whatever the statistics.
# Planned as an IN list, the query scanned every numbered receipt of the facility whenever
# the planner still took that partial index for nearly empty (a plan made early and kept by
# the prepared statement): a cost that grew with each receipt sold. A LATERAL subquery with
# a LIMIT cannot be turned into a join, so each number stays its own index lookup.
_TAKEN_NUMBERS_POSTGRESQL = text(
    "SELECT n FROM unnest(CAST(:numbers AS varchar[])) AS n"
    " CROSS JOIN LATERAL (SELECT 1 FROM sales_receipts AS r"
    " WHERE r.facility_id = :facility AND r.external_receipt_number = n AND r.active"
    " LIMIT 1) AS found"
)
_LOCKED_BY_LABEL = (
    select(Package)
    .where(
        Package.facility_id == bindparam("facility"),
        Package.label.in_(bindparam("labels", expanding=True)),
    )
    .order_by(Package.id)
    .with_for_update()
)


def _read_taken_numbers(session: Session, facility: Facility, commands: Sequence[Any]) -> None:
    """Which external numbers of a request of new receipts are taken, in one statement (each
    receipt is then checked against them and the request's own, and no query between two
    receipts makes the session flush the one before)."""
    new = [c for c in commands if isinstance(c, NewReceipt) and not isinstance(c, ReceiptChange)]
    if not new or len(new) != len(commands):
        return
    numbers = {
        c.external_receipt_number.strip()
        for c in new
        if isinstance(c.external_receipt_number, str) and c.external_receipt_number.strip()
    }
    taken = set()
    if numbers:
        connection = session.connection()  # Core: nothing of this request is pending yet
        query = _TAKEN_NUMBERS_POSTGRESQL if bulk_write.supported(connection) else _TAKEN_NUMBERS
        found = connection.execute(query, {"facility": facility.id, "numbers": sorted(numbers)})
        taken = set(found.scalars())
    request_state(session).taken_receipt_numbers[facility.id] = {n for n in taken if n}


def lock_packages(session: Session, facility: Facility, commands: Sequence[Any]) -> None:
    """Lock every package the commands of one request will draw on or give back to, in one
    statement, in the order of their ids: two requests selling (or returning) the same
    packages in different orders then wait for each other instead of deadlocking. Run once
    before the commands (the bulk factory's `prepare`); packages not found are left to the
    line that names them."""
    _read_taken_numbers(session, facility, commands)
    labels: set[str] = set()
    receipt_ids: set[int] = set()
    for command in commands:
        for line in getattr(command, "lines", None) or (command,):
            label = getattr(line, "package_label", None)
            if isinstance(label, str) and label.strip():
                labels.add(label.strip())
        receipt = getattr(command, "receipt", None)
        if isinstance(receipt, SalesReceipt):
            receipt_ids.add(receipt.id)
    if labels and not receipt_ids:  # new sales only: the statement made once
        locked = session.scalars(
            _LOCKED_BY_LABEL, {"facility": facility.id, "labels": sorted(labels)}
        ).all()
        request_state(session).locked_packages.update(
            {(facility.id, package.label): package for package in locked}
        )
        return
    conditions = []
    if labels:
        conditions.append(Package.label.in_(sorted(labels)))
    if receipt_ids:
        drawn = select(SalesTransaction.package_id).where(
            SalesTransaction.receipt_id.in_(sorted(receipt_ids))
        )
        conditions.append(Package.id.in_(drawn))
    if not conditions:
        return
    packages = session.scalars(
        select(Package)
        .where(Package.facility_id == facility.id, or_(*conditions))
        .order_by(Package.id)
        .with_for_update()
    ).all()
    # The lines find their packages here instead of reading each one again.
    request_state(session).locked_packages.update(
        {(facility.id, package.label): package for package in packages}
    )


# --- services


def create_receipt(
    session: Session, actor: Actor, facility: Facility, command: NewReceipt
) -> SalesReceipt:
    values = _receipt_values(session, facility, command)
    receipt = SalesReceipt(facility_id=facility.id, recorded_by_user_id=actor.user_id, **values)
    session.add(receipt)  # inserted with its lines, by the request's flush
    _sell(session, actor, facility, receipt, command.lines)
    record_created(session, actor, receipt, "create", facility.id)
    return receipt


def create_receipts(
    session: Session, actor: Actor, facility: Facility, commands: Sequence[NewReceipt]
) -> list[int]:
    """Record a request's new receipts (after `lock_packages`), all or nothing; a refusal
    names its receipt's row. Their ids, in order.

    The rules are `create_receipt`'s, checked by the same functions. What differs is the
    writing: the receipts and their lines go to the database as rows, not ORM objects (one
    multi-row INSERT each, and one UPDATE of the packages drawn on), with the same audit
    events, in the same order, as the ORM's flush of them would have; point-of-sale systems
    post receipts in batches all day, and the unit of work's bookkeeping of a batch cost more
    than its checks. Sales to patients and caregivers, whose purchases are counted against
    their allowances through the patients service, are recorded by `create_receipt`."""
    if any(_counts_against_allowance(command) for command in commands):
        return _created_one_by_one(session, actor, facility, commands)
    if facility.id not in request_state(session).taken_receipt_numbers:
        _read_taken_numbers(session, facility, commands)  # lock_packages had other commands
    now = utcnow()
    receipts: list[dict[str, Any]] = []
    sold: list[list[tuple[_CheckedLine, dict[str, Any], dict[str, Any]]]] = []
    for index, command in enumerate(commands):
        with _receipt_row(index):
            values = _receipt_values(session, facility, command)
            lines = []
            for number, line in enumerate(command.lines):
                checked = _checked_line(session, facility, number, line)
                before = snapshot(checked.package)
                _take(checked.package, checked.drawn, now)
                after = snapshot_changed(before, checked.package, *_TAKEN)
                lines.append((checked, before, after))
        receipts.append(
            {
                "facility_id": facility.id,
                "recorded_by_user_id": actor.user_id,
                **values,
                "total_packages": len({checked.package.id for checked, _, _ in lines}),
                "total_price": sum((c.columns["total_price"] for c, _, _ in lines), Decimal(0)),
                "is_final": False,
                "by_date": False,
                "active": True,
                "archived_at": None,
                "created_at": now,
                "last_modified": now,
            }
        )
        sold.append(lines)
    return _write_receipts(session, actor, facility, receipts, sold, now)


def _insert_receipts(
    connection: Connection, receipts: list[dict[str, Any]], lines: list[dict[str, Any]]
) -> tuple[list[int], list[int]]:
    """Insert the receipts, then their lines (each line's "receipt_index" naming its receipt
    in `receipts`); the ids of both, in order. PostgreSQL draws both tables' ids in one
    statement and takes the rows by COPY (services/bulk_write.py), SQLite by one multi-row
    INSERT each."""
    if not bulk_write.supported(connection):
        ids = _inserted(connection, SalesReceipt, receipts)
        _name_receipts(lines, ids)
        return ids, _inserted(connection, SalesTransaction, lines)
    receipts_table = cast(Table, SalesReceipt.__table__)
    lines_table = cast(Table, SalesTransaction.__table__)
    drawn = bulk_write.next_ids_of(
        connection, {receipts_table: len(receipts), lines_table: len(lines)}
    )
    ids, line_ids = drawn[receipts_table], drawn[lines_table]
    for rows, row_ids in ((receipts, ids), (lines, line_ids)):
        for row, row_id in zip(rows, row_ids, strict=True):
            row["id"] = row_id
    _name_receipts(lines, ids)
    bulk_write.copy_rows(connection, receipts_table, tuple(receipts[0]), receipts)
    bulk_write.copy_rows(connection, lines_table, tuple(lines[0]), lines)
    return ids, line_ids


def _inserted(connection: Connection, model: type[Any], rows: list[dict[str, Any]]) -> list[int]:
    statement = insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(connection.execute(statement, rows).scalars())


def _name_receipts(lines: list[dict[str, Any]], ids: list[int]) -> None:
    for line in lines:
        line["receipt_id"] = ids[line.pop("receipt_index")]


_SET_QUANTITIES = text(
    "UPDATE packages SET quantity = drawn.quantity, last_modified = :now"
    " FROM unnest(CAST(:ids AS integer[]), CAST(:quantities AS numeric[])) AS drawn(id, quantity)"
    " WHERE packages.id = drawn.id"
)


def _write_quantities(
    connection: Connection, quantities: list[tuple[int, Decimal]], now: datetime
) -> None:
    """Set each package's quantity (one statement on PostgreSQL, over arrays)."""
    if bulk_write.supported(connection):
        ids, left = [package_id for package_id, _ in quantities], [q for _, q in quantities]
        connection.execute(_SET_QUANTITIES, {"ids": ids, "quantities": left, "now": now})
        return
    connection.execute(
        update(Package)
        .where(Package.id == bindparam("package"))
        .values(quantity=bindparam("left"), last_modified=bindparam("now")),
        [{"package": i, "left": q, "now": now} for i, q in quantities],
    )


def _counts_against_allowance(command: NewReceipt) -> bool:
    spelled = find_name(SELLS_TO, command.customer_type or "")
    return spelled in REGISTERED_CUSTOMERS


@contextmanager
def _receipt_row(index: int) -> Iterator[None]:
    """A refusal inside, attributed to receipt `index` of the request (as `bulk` does)."""
    try:
        yield
    except RuleViolation as exc:
        raise exc if exc.row is not None else exc.at_row(index) from None
    except (NotFound, Conflict) as exc:
        raise RuleViolation(exc.message, row=index) from None


def _created_one_by_one(
    session: Session, actor: Actor, facility: Facility, commands: Sequence[NewReceipt]
) -> list[int]:
    """The receipts made by `create_receipt`, all inserted by one flush."""
    made = []
    for index, command in enumerate(commands):
        with _receipt_row(index):
            made.append(create_receipt(session, actor, facility, command))
    session.flush()
    return [receipt.id for receipt in made]


_TAKEN = ("quantity", "last_modified")  # the columns `_take` sets


def _take(package: Package, drawn: Decimal, now: datetime) -> None:
    """Take `drawn` from the (locked) package in memory, as it will be written: the row is
    updated by `_write_receipts`, so the ORM is not told of a change to flush. Nothing may
    lock the package again before then: a locked read refreshes it from its row
    (`lookups.refresh_locked_rows`)."""
    check_change(package, -drawn)
    set_committed_value(package, "quantity", package.quantity - drawn)
    set_committed_value(package, "last_modified", now)


def _write_receipts(
    session: Session,
    actor: Actor,
    facility: Facility,
    receipts: list[dict[str, Any]],
    sold: list[list[tuple[_CheckedLine, dict[str, Any], dict[str, Any]]]],
    now: datetime,
) -> list[int]:
    """Insert the receipts and their lines, write the packages' new quantities, and record
    the events: per receipt, each line's draw and making, then the receipt's making."""
    connection = session.connection()
    lines = [
        {**checked.columns, "receipt_index": k, "created_at": now, "last_modified": now}
        for k, drawn in enumerate(sold)
        for checked, _, _ in drawn
    ]
    ids, line_ids = _insert_receipts(connection, receipts, lines)
    quantities = {
        checked.package.id: checked.package.quantity for drawn in sold for checked, _, _ in drawn
    }
    _write_quantities(connection, sorted(quantities.items()), now)
    events = []
    made = iter(zip(line_ids, lines, strict=True))

    def made_row(model: type[Any], row_id: int, values: dict[str, Any]) -> dict[str, Any]:
        after = values_snapshot(model, {**values, "id": row_id})
        table = model.__tablename__
        return row_event(actor, table, row_id, "create", facility.id, after=after, occurred_at=now)

    for receipt_id, receipt, drawn in zip(ids, receipts, sold, strict=True):
        for checked, before, after in drawn:
            package = checked.package
            events.append(
                row_event(
                    actor, "packages", package.id, "sell", package.facility_id,
                    before=before, after=after, occurred_at=now,
                )
            )  # fmt: skip
            events.append(made_row(SalesTransaction, *next(made)))
        events.append(made_row(SalesReceipt, receipt_id, receipt))
    record_events(session, events)
    sales_counts.note_new(session, facility.id, len(ids))
    return ids


def update_receipt(
    session: Session, actor: Actor, facility: Facility, command: ReceiptChange
) -> int:
    receipt = _locked(session, command.receipt)
    _changeable(receipt, "updated")
    if receipt.by_date:
        raise RuleViolation(
            f"Sales receipt {receipt.id} holds the lines posted for "
            f"{receipt.sales_date.isoformat()}; change them by date."
        )
    values = _receipt_values(session, facility, command, exclude_id=receipt.id)
    done = audited(session, actor, receipt, "update", facility.id)
    _give_back(session, actor, facility, receipt, remove=True)
    for name, value in values.items():
        setattr(receipt, name, value)
    _sell(session, actor, facility, receipt, command.lines)
    done()
    return receipt.id


def void_receipt(session: Session, actor: Actor, facility: Facility, receipt: SalesReceipt) -> int:
    receipt = _locked(session, receipt)
    _changeable(receipt, "voided")
    done = audited(session, actor, receipt, "void", facility.id)
    _give_back(session, actor, facility, receipt, remove=False)
    receipt.active = False
    receipt.archived_at = utcnow()
    done()
    return receipt.id


def finalize_receipt(
    session: Session, actor: Actor, facility: Facility, command: ReceiptRef
) -> int:
    receipt = _locked(session, command.receipt)
    if not receipt.active:
        raise RuleViolation(f"Sales receipt {receipt.id} is voided; it cannot be finalized.")
    if receipt.is_final:
        raise RuleViolation(f"Sales receipt {receipt.id} is already finalized.")
    done = audited(session, actor, receipt, "finalize", facility.id)
    receipt.is_final = True
    done()
    return receipt.id


def unfinalize_receipt(
    session: Session, actor: Actor, facility: Facility, command: ReceiptRef
) -> int:
    receipt = _locked(session, command.receipt)
    if not receipt.active:
        raise RuleViolation(f"Sales receipt {receipt.id} is voided; it cannot be unfinalized.")
    if not receipt.is_final:
        raise RuleViolation(f"Sales receipt {receipt.id} is not finalized.")
    done = audited(session, actor, receipt, "unfinalize", facility.id)
    receipt.is_final = False
    done()
    return receipt.id


# --- lines posted by date (Metrc v1 transactions)


def _day_book(session: Session, facility: Facility, day: date) -> SalesReceipt | None:
    return session.scalars(
        select(SalesReceipt)
        .where(
            SalesReceipt.facility_id == facility.id,
            SalesReceipt.sales_date == day,
            IsTrue(SalesReceipt.by_date),
            IsTrue(SalesReceipt.active),
        )
        .limit(1)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def post_day_lines(
    session: Session,
    actor: Actor,
    facility: Facility,
    day: date,
    lines: Sequence[SaleLine],
    *,
    replace: bool,
) -> SalesReceipt:
    """Add `lines` to the facility's receipt of lines posted for `day` (made on the first
    post, as a sale to consumers); `replace`: they replace the lines it holds."""
    day = not_future(facility, day, "sales_date")
    customer = _customer_type(facility, "Consumer")
    if not lines:
        raise RuleViolation("At least one line is required.", field="lines")
    receipt = _day_book(session, facility, day)
    if receipt is None:
        receipt = SalesReceipt(
            facility_id=facility.id,
            recorded_by_user_id=actor.user_id,
            sales_date_time=datetime.combine(day, time()),
            sales_date=day,
            customer_type=customer,
            by_date=True,
        )
        session.add(receipt)
        session.flush()
        record_created(session, actor, receipt, "create", facility.id)
    else:
        _changeable(receipt, "changed")
    done = audited(session, actor, receipt, "post_lines", facility.id)
    if replace:
        _give_back(session, actor, facility, receipt, remove=True)
        _sell(session, actor, facility, receipt, lines)
    else:
        # The day's receipt may hold thousands of lines: its totals move by the new ones (the
        # distinct packages counted by the database) rather than by reading every line.
        sold = [_draw(session, actor, facility, receipt, i, line) for i, line in enumerate(lines)]
        receipt.total_price = receipt.total_price + sum(
            (row.total_price for row, _ in sold), Decimal(0)
        )
        receipt.total_packages = (
            session.scalar(  # autoflushed: the new lines are counted
                select(func.count(distinct(SalesTransaction.package_id))).where(
                    SalesTransaction.receipt_id == receipt.id
                )
            )
            or 0
        )
    done()
    return receipt


__all__ = [
    "EXTERNAL_NUMBER_LENGTH",
    "NewReceipt",
    "ReceiptChange",
    "ReceiptRef",
    "SaleLine",
    "create_receipt",
    "create_receipts",
    "finalize_receipt",
    "lock_packages",
    "post_day_lines",
    "sells",
    "unfinalize_receipt",
    "update_receipt",
    "void_receipt",
]
