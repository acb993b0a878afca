"""Trace sales, made and changed through the sales receipts service: a Trace sale is a receipt.

A sale's lines name their lots (packages) by id; each becomes a receipt line of that package,
in the package's unit unless the line names another. Its money is what the point of sale
states: a line's unit price, discount and taxes; its `sub_total` is quantity times unit price
less the discount, its total (when the body leaves it out) the sub total plus its taxes. The
receipt keeps, per line, the unit price (`price`), discount, sub total, total, and the taxes
Metrc has a column for (sales, excise, city, county, municipal); so a Metrc client reading the
receipt sees the same lines and totals.

What a Trace sale states that a receipt has no column for (the terminal, whether the buyer is
from out of state, the kinds of identification shown, the employee, the currency, each tax's
name and rate, the payments, a purchase limit override, the warnings it was answered with) is
kept with the receipt in its audit trail: an event `trace_sale` whose `after` holds those
details, recorded at the making and after each change (the latest one holds). Identification
numbers are not kept there, only their kinds; a patient's or caregiver's number becomes the
receipt's patient or caregiver licence.

Changes (`change_sale`, Trace's sale actions) go through the receipts service:
- change quantity, change price: the lines named are restated (quantity, or unit price) and
  their sub totals, taxes (by their rate, else in proportion) and totals made again; the
  receipt is then updated (what it drew goes back, the new lines draw again);
- refund: the quantity named (the whole line by default) is returned to its package and taken
  off the line (its money in proportion); a receipt refunded whole is voided;
- void: the receipt is voided (every quantity returned).
Each records, beside the receipt service's own event, one event named for the action whose
`after` says what changed (`reason`): the sale's history reads it.

Patients: a sale over a patient's purchase limits is refused (`patients.OverLimit`) unless
the request overrides the limits (`override`), which records it on the receipt (`trace_sale`
details, and an event `purchase_limit_override`); the purchases still count.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import FieldPath, RuleViolation
from leafledger.domain.models import Facility, Package, SalesReceipt, SalesTransaction
from leafledger.domain.services import patients
from leafledger.domain.services import sales as receipts
from leafledger.domain.services.audit import record, record_about_new, record_events, row_event

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)
DETAILS = "trace_sale"
OVERRIDE = "purchase_limit_override"
# The receipt column each tax type is summed into (other taxes count in the total only).
TAX_COLUMNS = {
    "sales": "sales_tax",
    "excise": "excise_tax",
    "city": "city_tax",
    "county": "county_tax",
    "municipal": "municipal_tax",
}
REGISTERED = frozenset({"Patient", "Caregiver"})
Json = dict[str, Any]


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# --- commands


@dataclass(frozen=True)
class SaleTax:
    kind: str  # "sales", "excise", "other", "city", "county", "municipal"
    name: str | None = None
    rate: Decimal | None = None
    total: Decimal | None = None


@dataclass(frozen=True)
class SaleItem:
    """One line of a Trace sale: a quantity of a lot, and what it cost."""

    package: Package
    quantity: Decimal
    unit_price: Decimal
    unit_of_measure: str | None = None
    discount: Decimal | None = None
    taxes: Sequence[SaleTax] = ()
    total: Decimal | None = None


@dataclass(frozen=True)
class Identification:
    kind: str  # "drivers_license", "patient_id", "caregiver_id", "externalpatient_id"
    number: str | None = None


@dataclass(frozen=True)
class Payment:
    reference: str | None
    amount: Decimal
    kind: str | None = None


@dataclass(frozen=True, kw_only=True)
class NewSale:
    customer_type: str  # a receipts customer type: Consumer, Patient, Caregiver...
    local_time: datetime | None = None
    created_at: datetime | None = None
    external_id: str | None = None
    terminal: str | None = None
    out_of_state_sale: bool = False
    identifications: Sequence[Identification] = ()
    employee_id: str | None = None
    items: Sequence[SaleItem] = ()
    currency: str = "USD"
    payments: Sequence[Payment] = ()
    stated_total: Decimal | None = None


@dataclass(frozen=True)
class NewSales:
    sales: Sequence[NewSale]
    override: bool = False  # purchase_limit_override


@dataclass(frozen=True)
class ItemChange:
    package: Package
    quantity: Decimal | None = None
    amount: Decimal | None = None  # a new unit price


@dataclass(frozen=True)
class SaleChange:
    action: str  # change_quantity, change_price, void_sale, refund_sale
    items: Sequence[ItemChange] = ()
    currency: str | None = None
    changed_at: datetime | None = None


@dataclass(frozen=True)
class Written:
    """A sale written, and the warnings its request is answered with."""

    receipt: SalesReceipt | int  # the receipt, or the id of one written as a row
    warnings: list[dict[str, str]] = field(default_factory=list)

    @property
    def receipt_id(self) -> int:
        return self.receipt if isinstance(self.receipt, int) else self.receipt.id


# --- money of a line


def _taxes_for(
    taxes: Sequence[dict[str, Any]], sub: Decimal, old_sub: Decimal | None
) -> list[Json]:
    """Taxes restated for a new sub total: by their rate, else in proportion."""
    made = []
    for tax in taxes:
        rate, total = tax.get("rate"), tax.get("total")
        if rate is not None:
            total = str(cents(sub * Decimal(rate) / HUNDRED))
        elif total is not None and old_sub:
            total = str(cents(Decimal(total) * sub / old_sub))
        made.append({**tax, "total": total})
    return made


def _columns(unit_price: Decimal, quantity: Decimal, discount: Decimal, taxes: list[Json]) -> Json:
    """A line's money columns of the receipt, from its Trace statement."""
    sub = cents(quantity * unit_price) - discount
    columns: dict[str, Any] = {"price": unit_price, "discount_amount": discount, "sub_total": sub}
    for kind, name in TAX_COLUMNS.items():
        found = [Decimal(t["total"]) for t in taxes if t["kind"] == kind and t.get("total")]
        columns[name] = sum(found, ZERO) if found else None
    taxed = sum((Decimal(t["total"]) for t in taxes if t.get("total") is not None), ZERO)
    columns["total_amount"] = sub + taxed
    return columns


def _tax_json(tax: SaleTax, sub: Decimal) -> dict[str, Any]:
    total = tax.total
    if total is None and tax.rate is not None:
        total = cents(sub * tax.rate / HUNDRED)
    return {
        "kind": tax.kind,
        "name": tax.name,
        "rate": None if tax.rate is None else str(tax.rate),
        "total": None if total is None else str(total),
    }


# --- making


def _identified(sale: NewSale) -> dict[str, str | None]:
    numbers = {i.kind: (i.number or "").strip() or None for i in sale.identifications}
    patient = numbers.get("patient_id") or numbers.get("externalpatient_id")
    methods = [i.kind for i in sale.identifications if i.kind == "drivers_license"]
    return {
        "patient_license_number": patient,
        "caregiver_license_number": numbers.get("caregiver_id"),
        "identification_method": methods[0] if methods else None,
    }


def sold_at(facility: Facility, sale: NewSale) -> datetime:
    """The sale's time on the facility's clock: its local time, else its UTC time there."""
    if sale.local_time is not None:
        return sale.local_time.replace(tzinfo=None)
    if sale.created_at is None:
        raise RuleViolation("{field} is required.", field="created_at")
    moment = sale.created_at if sale.created_at.tzinfo else sale.created_at.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(facility.timezone)).replace(tzinfo=None)


def _lines(sale: NewSale) -> tuple[list[receipts.SaleLine], list[Json], list[Json]]:
    """The receipt lines of a sale, the Trace details of each, and the warnings of lines
    whose stated total is not what their money comes to."""
    lines, details, warnings = [], [], []
    for index, item in enumerate(sale.items):
        _not_negative(item, index)
        discount = item.discount or ZERO
        sub = cents(item.quantity * item.unit_price) - discount
        taxes = [_tax_json(tax, sub) for tax in item.taxes]
        columns = _columns(item.unit_price, item.quantity, discount, taxes)
        if item.total is not None and item.total != columns["total_amount"]:
            warnings.append(
                {
                    "type": "line_items.total",
                    "detail": f"line_items[{index}].total {item.total} is not the "
                    f"{columns['total_amount']} its quantity, unit price, discount and taxes "
                    "come to; the stated total was kept.",
                }
            )
            columns["total_amount"] = item.total
        lines.append(
            receipts.SaleLine(
                package_label=item.package.label,
                quantity=item.quantity,
                unit_of_measure=item.unit_of_measure or item.package.unit_of_measure_name,
                **columns,
            )
        )
        details.append({"package_id": item.package.id, "taxes": taxes})
    return lines, details, warnings


def _not_negative(item: SaleItem, index: int) -> None:
    stated: list[tuple[FieldPath, Decimal | None]] = [
        (("unit_price",), item.unit_price),
        (("discount",), item.discount),
    ]
    stated += [(("taxes", i, "rate"), t.rate) for i, t in enumerate(item.taxes)]
    stated += [(("taxes", i, "total"), t.total) for i, t in enumerate(item.taxes)]
    for name, value in stated:
        if value is not None and value < 0:
            raise RuleViolation(
                f"{{field}} may not be negative, got {value}.", field=("items", index, *name)
            )


def _hours_behind(facility: Facility, sale: NewSale, when: datetime) -> list[dict[str, str]]:
    """Trace's warnings for a sale stated an hour or more before now."""
    warnings = []
    now = datetime.now(UTC)
    if sale.created_at is not None:
        moment = sale.created_at if sale.created_at.tzinfo else sale.created_at.replace(tzinfo=UTC)
        hours = int((now - moment).total_seconds() // 3600)
        if hours >= 1:
            warnings.append(
                {
                    "type": "created_at",
                    "detail": f"sales.created_at entered is {hours} hours before the current "
                    f"time stamp {now.strftime('%Y-%m-%dT%H:%M:%SZ')}",
                }
            )
    local_now = receipts.local_now(facility)
    hours = int((local_now - when).total_seconds() // 3600)
    if sale.local_time is not None and hours >= 1:
        warnings.append(
            {
                "type": "local_time",
                "detail": f"sales.local_time entered is {hours} hours before the current "
                f"time stamp {local_now.strftime('%Y-%m-%dT%H:%M:%S')}",
            }
        )
    return warnings


def record_details(
    session: Session, actor: Actor, receipt: SalesReceipt, details: dict[str, Any]
) -> None:
    """Keep the sale's Trace details (a new receipt's wait for its id: a request's sales are
    then inserted in one flush)."""
    record_about_new(session, actor, receipt, DETAILS, receipt.facility_id, details)


def _over_limit(exc: RuleViolation) -> bool:
    return isinstance(exc, patients.OverLimit) or "the patient may buy" in exc.template


class OverLimitRefusal(RuleViolation):
    """A patient's sale over their purchase limits, refused: it may be overridden."""


@dataclass(frozen=True)
class _Prepared:
    """A sale read as a receipt: the receipts service's command and what Trace keeps beside."""

    command: receipts.NewReceipt
    lines: list[receipts.SaleLine]
    line_details: list[Json]
    warnings: list[dict[str, str]]


def _prepared(facility: Facility, sale: NewSale) -> _Prepared:
    when = sold_at(facility, sale)
    lines, line_details, warnings = _lines(sale)
    identified = _identified(sale)
    command = receipts.NewReceipt(
        sales_date_time=when,
        lines=lines,
        customer_type=sale.customer_type,
        external_receipt_number=sale.external_id,
        patient_license_number=identified["patient_license_number"],
        caregiver_license_number=identified["caregiver_license_number"],
        identification_method=identified["identification_method"],
    )
    return _Prepared(command, lines, line_details, warnings)


def _details(
    facility: Facility, sale: NewSale, prepared: _Prepared, *, waived: bool
) -> tuple[Json, list[dict[str, str]]]:
    """The sale's Trace details, once recorded, and the warnings it is answered with."""
    warnings = list(prepared.warnings)
    totals = sum((line.total_amount for line in prepared.lines), ZERO)
    if sale.stated_total is not None and sale.stated_total != totals:
        warnings.append(
            {
                "type": "totals.total",
                "detail": f"totals.total {sale.stated_total} is not the {totals} the line "
                "items come to; the line items' totals were kept.",
            }
        )
    warnings = _hours_behind(facility, sale, prepared.command.sales_date_time) + warnings
    details = {
        "terminal": sale.terminal,
        "out_of_state_sale": sale.out_of_state_sale,
        "identifications": [i.kind for i in sale.identifications],
        "employee_id": sale.employee_id,
        "currency": sale.currency,
        "lines": prepared.line_details,
        "payments": [
            {"id": p.reference, "amount": str(p.amount), "type": p.kind} for p in sale.payments
        ],
        OVERRIDE: waived,
        "warnings": warnings,
        "refunds": [],
    }
    return details, warnings


def create_sale(
    session: Session, actor: Actor, facility: Facility, sale: NewSale, *, override: bool
) -> Written:
    prepared = _prepared(facility, sale)
    waived = override and sale.customer_type in REGISTERED
    try:
        with patients.limits_waived(session) if waived else nullcontext():
            receipt = receipts.create_receipt(session, actor, facility, prepared.command)
    except RuleViolation as exc:
        if _over_limit(exc):
            raise OverLimitRefusal(exc.template, field=exc.field) from None
        raise
    details, warnings = _details(facility, sale, prepared, waived=waived)
    if waived:
        reason = {"reason": "purchase limit override: sold past the patient's limits if over"}
        record_about_new(session, actor, receipt, OVERRIDE, facility.id, reason)
    record_details(session, actor, receipt, details)
    return Written(receipt, warnings)


def create_sales(
    session: Session, actor: Actor, facility: Facility, command: NewSales
) -> list[Written]:
    """Each sale of a request, in order, all or nothing; a fault names its sale."""
    labels = [_Label(item.package.label) for sale in command.sales for item in sale.items]
    receipts.lock_packages(session, facility, labels)
    if not any(sale.customer_type in REGISTERED for sale in command.sales):
        return _create_sales_to_consumers(session, actor, facility, command.sales)
    written = []
    for index, sale in enumerate(command.sales):
        try:
            written.append(create_sale(session, actor, facility, sale, override=command.override))
        except RuleViolation as exc:
            raise _in_sale(exc, index) from None
    session.flush()  # the request's receipts and lines, in one go: their ids
    return written


def _create_sales_to_consumers(
    session: Session, actor: Actor, facility: Facility, sales: Sequence[NewSale]
) -> list[Written]:
    """Sales that count against no patient's allowance, recorded together as rows by the
    receipts service (`create_receipts`), each with its Trace details."""
    prepared = []
    for index, sale in enumerate(sales):
        try:
            prepared.append(_prepared(facility, sale))
        except RuleViolation as exc:
            raise _in_sale(exc, index) from None
    try:
        ids = receipts.create_receipts(session, actor, facility, [p.command for p in prepared])
    except RuleViolation as exc:
        raise _in_sale(RuleViolation(exc.template, field=exc.field), exc.row or 0) from None
    events, written = [], []
    for receipt_id, sale, made in zip(ids, sales, prepared, strict=True):
        details, warnings = _details(facility, sale, made, waived=False)
        events.append(
            row_event(actor, "sales_receipts", receipt_id, DETAILS, facility.id, after=details)
        )
        written.append(Written(receipt_id, warnings))
    record_events(session, events)
    return written


@dataclass(frozen=True)
class _Label:
    """A package label, as `lock_packages` reads one from a command."""

    package_label: str


_SALE_FIELDS = {
    "lines": "items",
    "package_label": "package",
    "total_amount": "total",
    "price": "unit_price",
    "discount_amount": "discount",
    "sales_date_time": "created_at",
    "customer_type": "customer_type",
    "external_receipt_number": "external_id",
    "patient_license_number": "identifications",
    "caregiver_license_number": "identifications",
}


def _in_sale(exc: RuleViolation, index: int) -> RuleViolation:
    """A refusal of one sale, its field named within the request's `sales[index]`."""
    path = tuple(_SALE_FIELDS.get(p, p) if isinstance(p, str) else p for p in exc.field or ())
    kind = type(exc) if isinstance(exc, OverLimitRefusal) else RuleViolation
    return kind(exc.template, row=index, field=("sales", index, *path) if path else None)


# --- changes


def details_of(session: Session, receipt: SalesReceipt) -> dict[str, Any]:
    """The receipt's latest Trace details (empty for a receipt made through Metrc)."""
    from leafledger.domain.queries.trace_sales import latest_details

    return latest_details(session, receipt.facility_id, receipt.id)


def _current_lines(session: Session, receipt: SalesReceipt) -> list[SalesTransaction]:
    return list(
        session.scalars(
            select(SalesTransaction)
            .where(SalesTransaction.receipt_id == receipt.id)
            .order_by(SalesTransaction.id)
        )
    )


def line_taxes(line: Any, kept: dict[str, Any] | None) -> list[dict[str, Any]]:
    """A line's taxes: as the Trace details keep them, else from the receipt's columns."""
    if kept is not None and kept.get("package_id") == line.package_id:
        return list(kept.get("taxes", []))
    taxes = []
    for kind, name in TAX_COLUMNS.items():
        value = getattr(line, name)
        if value is not None:
            taxes.append({"kind": kind, "name": None, "rate": None, "total": str(value)})
    return taxes


def unit_price_of(line: Any) -> Decimal:
    if line.price is not None:
        return Decimal(line.price)
    return cents(Decimal(line.total_price) / Decimal(line.quantity)) if line.quantity else ZERO


def _restated(
    session: Session, line: SalesTransaction, taxes: list[Json], quantity: Decimal, price: Decimal
) -> tuple[receipts.SaleLine, list[Json]]:
    """A receipt line restated at `quantity` and unit `price`, its money made again."""
    old_quantity = Decimal(line.quantity)
    discount = Decimal(line.discount_amount or 0)
    if old_quantity and quantity != old_quantity:
        discount = cents(discount * quantity / old_quantity)
    old_sub = (
        Decimal(line.sub_total)
        if line.sub_total is not None
        else cents(old_quantity * unit_price_of(line)) - Decimal(line.discount_amount or 0)
    )
    sub = cents(quantity * price) - discount
    new_taxes = _taxes_for(taxes, sub, old_sub)
    columns = _columns(price, quantity, discount, new_taxes)
    untaxed = not taxes and line.price is None and line.sub_total is None
    if untaxed and price == unit_price_of(line):
        # A Metrc line stating its total only, at its own price: the total in proportion.
        columns["total_amount"] = cents(
            Decimal(line.total_price) * quantity / old_quantity if old_quantity else ZERO
        )
    package = session.get(Package, line.package_id)
    assert package is not None
    made = receipts.SaleLine(
        package_label=package.label,
        quantity=quantity,
        unit_of_measure=line.unit_of_measure_name,
        unit_thc_percent=line.unit_thc_percent,
        unit_thc_content=line.unit_thc_content,
        unit_thc_content_unit_of_measure=line.unit_thc_content_unit,
        unit_weight=line.unit_weight,
        unit_weight_unit_of_measure=line.unit_weight_unit,
        invoice_number=line.invoice_number,
        qr_codes=line.qr_codes,
        **columns,
    )
    return made, new_taxes


def _find(lines: list[SalesTransaction], package: Package, index: int) -> int:
    for at, line in enumerate(lines):
        if line.package_id == package.id:
            return at
    raise RuleViolation(
        f"The sale has no line of lot {package.id}.", field=("items", index, "package")
    )


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))


def change_sale(
    session: Session, actor: Actor, facility: Facility, receipt: SalesReceipt, change: SaleChange
) -> SalesReceipt:
    details = details_of(session, receipt)
    if change.currency is not None and change.currency != details.get("currency", "USD"):
        raise RuleViolation(
            f"{{field}} must be the sale's own ({details.get('currency', 'USD')}).",
            field="currency",
        )
    if change.action == "void_sale":
        receipts.void_receipt(session, actor, facility, receipt)
        _note(session, actor, receipt, "void_sale", "sale voided; its lots' quantities returned")
        return receipt
    if not change.items:
        raise RuleViolation("{field} must name at least one lot of the sale.", field="items")
    lines = _current_lines(session, receipt)
    kept_lines = details.get("lines") or []
    taxes = [line_taxes(line, kept_lines[i] if i < len(kept_lines) else None)
             for i, line in enumerate(lines)]  # fmt: skip
    quantities = [Decimal(line.quantity) for line in lines]
    prices = [unit_price_of(line) for line in lines]
    said, refunds = [], []
    for index, item in enumerate(change.items):
        at = _find(lines, item.package, index)
        if change.action == "change_price":
            if item.amount is None:
                raise RuleViolation("{field} is required.", field=("items", index, "amount"))
            said.append(f"price updated on {item.package.id} from {_fmt(prices[at])} to "
                        f"{_fmt(item.amount)}")  # fmt: skip
            prices[at] = item.amount
        elif change.action == "change_quantity":
            if item.quantity is None or item.quantity <= 0:
                raise RuleViolation(
                    "{field} must be more than 0 (refund or void a sale to take a lot off it).",
                    field=("items", index, "quantity"),
                )
            said.append(f"quantity updated on {item.package.id} from {_fmt(quantities[at])} "
                        f"to {_fmt(item.quantity)}")  # fmt: skip
            quantities[at] = item.quantity
        elif change.action == "refund_sale":
            back = quantities[at] if item.quantity is None else item.quantity
            if back <= 0 or back > quantities[at]:
                raise RuleViolation(
                    f"{{field}} must be more than 0 and at most the {_fmt(quantities[at])} "
                    "left on the line.",
                    field=("items", index, "quantity"),
                )
            said.append(f"refunded {_fmt(back)} of {item.package.id}")
            refunds.append({"package_id": item.package.id, "quantity": str(back)})
            quantities[at] -= back
        else:
            raise RuleViolation(f"{{field}} {change.action!r} is unknown.", field="action")
    reason = "; ".join(said)
    if all(quantity == 0 for quantity in quantities):
        receipts.void_receipt(session, actor, facility, receipt)
        _note(session, actor, receipt, change.action, reason + "; nothing left: sale voided")
        _keep(session, actor, receipt, details, kept_lines, refunds)
        return receipt
    new_lines, new_details = [], []
    for at, line in enumerate(lines):
        if quantities[at] == 0:
            continue
        made, made_taxes = _restated(session, line, taxes[at], quantities[at], prices[at])
        new_lines.append(made)
        new_details.append({"package_id": line.package_id, "taxes": made_taxes})
    command = receipts.ReceiptChange(
        receipt=receipt,
        sales_date_time=receipt.sales_date_time,
        lines=new_lines,
        customer_type=receipt.customer_type,
        external_receipt_number=receipt.external_receipt_number,
        patient_license_number=receipt.patient_license_number,
        caregiver_license_number=receipt.caregiver_license_number,
        identification_method=receipt.identification_method,
        patient_registration_location_id=receipt.patient_registration_location_id,
    )
    receipts.lock_packages(session, facility, [command])
    waived = bool(details.get(OVERRIDE))
    try:
        with patients.limits_waived(session) if waived else nullcontext():
            receipts.update_receipt(session, actor, facility, command)
    except RuleViolation as exc:
        if _over_limit(exc):
            raise OverLimitRefusal(exc.template, field=exc.field) from None
        raise
    _note(session, actor, receipt, change.action, reason)
    _keep(session, actor, receipt, details, new_details, refunds)
    return receipt


def _note(session: Session, actor: Actor, receipt: SalesReceipt, action: str, reason: str) -> None:
    session.flush()
    record(
        session,
        actor,
        entity=receipt,
        action=action,
        facility_id=receipt.facility_id,
        after={"reason": reason},
    )


def _keep(
    session: Session,
    actor: Actor,
    receipt: SalesReceipt,
    details: dict[str, Any],
    lines: list[Json],
    refunds: list[Json],
) -> None:
    kept = {**details, "lines": lines, "warnings": []}
    kept["refunds"] = list(details.get("refunds") or []) + refunds
    record_details(session, actor, receipt, kept)


__all__ = [
    "NewSale",
    "NewSales",
    "SaleChange",
    "change_sale",
    "create_sales",
]
