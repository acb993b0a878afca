"""Trace sales: views of the same SalesReceipt rows the Metrc dialect lists. A sale's id is its
receipt's id (as a string, also its `receipt_number`), its `external_id` the receipt's
external number, each line item's `lot` the package the line drew on.

- `POST /sales`: `{"sales": [...]}`, at most 10, all or nothing; each with `customer_types`
  (`/sales/customer_types`), `created_at` (`date`, UTC, and `local_time`, the facility's
  clock: the receipt's `SalesDateTime`; without it, `date` on the facility's clock),
  `identifications` (`/sales/identification_types`: a `patient_id`, `caregiver_id` or
  `externalpatient_id` becomes the receipt's patient or caregiver licence),
  `line_items[]` (`lot {"id"}`, `quantity`, `unit_price`, `discount`, `taxes[]` of
  `/sales/tax_types` with `rate` and `total`, `total`; `unit_of_measure` defaults to the
  lot's), `currency`, `payments[]`, `totals`, `terminal`, `out_of_state_sale`,
  `employees {"id"}`. `?purchase_limit_override=true` lets a patient's sale past their
  purchase limits (recorded on the sale); without it such a sale is refused, with a warning
  saying so. A sale stated an hour or more before now is answered with Trace's warnings
  (`created_at`, `local_time`), kept with the sale and shown with it.
- `PUT /sales/{id}`: `actions` (`/sales/actions`): change_quantity (`line_items[]` of `lot`
  and `quantity`), change_price (`lot` and `amount`, the new unit price; `price_change_date`),
  void_sale, refund_sale (`lot` and the `quantity` refunded, the whole line by default). A
  refund returns the quantity to its lot; on the Metrc side the receipt's line then sells
  what is left (quantity and total in proportion), and the sale lists it under `refunds`.
- `GET /sales` (`entity_state` active or inactive, `limit`/`offset`, `start_date`/`end_date`
  on the last change), `GET /sales/{id}`.

Money is written as strings with two decimals, quantities as Trace writes them ("1.5").
Every sale carries its `entity_state` history, read from the receipt's audit trail.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import AliasChoices, AliasPath, Field, PlainValidator, StringConstraints
from pydantic import WithJsonSchema as Schema
from sqlalchemy import select

from leafledger.dialects.kit.bodies import Loads
from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.loaders import ById
from leafledger.dialects.kit.results import Listing
from leafledger.dialects.kit.wire import LocalTime, flag
from leafledger.dialects.trace.bodies import TraceBody
from leafledger.dialects.trace.codes import CodeList, Entry, actions, entries
from leafledger.dialects.trace.dialect import Warned
from leafledger.dialects.trace.factories import by_entity_state
from leafledger.dialects.trace.history import SYSTEM, trace_time
from leafledger.dialects.trace.shapes import amount, licence_of
from leafledger.dialects.trace.states import path_state
from leafledger.dialects.trace.wire import TraceBool, TraceQuantity, TraceRef, TraceTimestamp
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import Facility, Package, SalesReceipt
from leafledger.domain.queries import sales as receipts
from leafledger.domain.queries.base import Listed
from leafledger.domain.queries.sales import ReceiptRow
from leafledger.domain.queries.trace_sales import SaleRecord, sales_of
from leafledger.domain.services import trace_sales as service

# --- reference ids (as sale_helpers.md shows them)

ACTIONS = CodeList(
    "sale action",
    "KMSAN",
    actions(
        ("change_quantity", "change quantity on item(s) sold"),
        ("change_price", "change price on item(s) sold"),
        ("void_sale", "remove sale and return items to inventory"),
        ("refund_sale", "refund item(s) from sale"),
    ),
    per_state=False,
)
CUSTOMER_TYPES = CodeList(
    "customer type",
    "KOMCT",
    (
        Entry("adult", "Consumer"),
        Entry("patient", "Patient"),
        Entry("caregiver", "Caregiver"),
        Entry("external_patient", "ExternalPatient"),
    ),
)
IDENTIFICATION_TYPES = CodeList(
    "identification type",
    "KOMIT",
    entries("drivers_license", "patient_id", "caregiver_id", "externalpatient_id"),
)
CURRENCIES = CodeList("currency", "KOMCURT", entries("USD"), per_state=False)
PAYMENT_TYPES = CodeList("payment type", "KOMPT", entries("debit", "cash", "ach"))
# The samples show the first three; the fourth is cut off there. City, county and municipal
# taxes are the receipt's other tax columns.
TAX_TYPES = CodeList(
    "tax type",
    "KOMTAX",
    (
        Entry("Sales Tax", "sales"),
        Entry("Excise Tax", "excise"),
        Entry("Other Tax", "other"),
        Entry("City Tax", "city"),
        Entry("County Tax", "county"),
        Entry("Municipal Tax", "municipal"),
    ),
    per_state=False,
)

# --- bodies

Text = Annotated[str, StringConstraints(max_length=100)]


def _referenced_text(value: Any) -> str | None:
    """The id of `{"id": ...}` (or an id alone), as text."""
    raw = value.get("id") if isinstance(value, dict) else value
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise ValueError("must be an object with an id")
    text = str(raw).strip()
    if len(text) > 100:
        raise ValueError("is longer than 100 characters")
    return text or None


RefText = Annotated[
    str | None,
    PlainValidator(_referenced_text),
    Schema({"type": "object", "properties": {"id": {"type": "string"}}}),
]
Lot = Annotated[TraceRef, Loads(Package, "lot")]


class SaleTaxBody(TraceBody):
    command = service.SaleTax
    kind: Annotated[str, TAX_TYPES] = Field(alias="type")
    name: Text | None = None
    rate: TraceQuantity | None = None
    total: TraceQuantity | None = None


class SaleItemBody(TraceBody):
    command = service.SaleItem
    package: Lot = Field(alias="lot")
    quantity: TraceQuantity
    unit_price: TraceQuantity
    unit_of_measure: Text | None = None
    discount: TraceQuantity | None = None
    taxes: list[SaleTaxBody] = Field([], max_length=20)
    total: TraceQuantity | None = None


class IdentificationBody(TraceBody):
    command = service.Identification
    kind: Annotated[str, IDENTIFICATION_TYPES] = Field(
        alias="types", validation_alias=AliasChoices("types", "type")
    )
    number: Text | None = Field(None, alias="id")


class PaymentBody(TraceBody):
    command = service.Payment
    reference: Text | None = Field(None, alias="id")
    amount: TraceQuantity
    kind: Annotated[str, PAYMENT_TYPES] | None = Field(None, alias="type")


class SaleBody(TraceBody):
    command = service.NewSale
    customer_type: Annotated[str, CUSTOMER_TYPES] = Field(
        alias="customer_types", validation_alias=AliasChoices("customer_types", "customer_type")
    )
    created_at: TraceTimestamp | None = Field(
        None, alias="created_at", validation_alias=AliasPath("created_at", "date")
    )
    local_time: LocalTime | None = Field(
        None, alias="local_time", validation_alias=AliasPath("created_at", "local_time")
    )
    external_id: Text | None = None
    terminal: Text | None = None
    out_of_state_sale: TraceBool = False
    identifications: list[IdentificationBody] = Field([], max_length=10)
    employee_id: RefText = Field(None, alias="employees")
    items: list[SaleItemBody] = Field(alias="line_items", min_length=1, max_length=500)
    currency: Annotated[str, CURRENCIES] = "USD"
    payments: list[PaymentBody] = Field([], max_length=20)
    stated_total: TraceQuantity | None = Field(
        None, alias="totals", validation_alias=AliasPath("totals", "total")
    )


class SalesBody(TraceBody):
    command = service.NewSales
    sales: list[SaleBody] = Field(max_length=10)


class SaleItemChangeBody(TraceBody):
    command = service.ItemChange
    package: Lot = Field(alias="lot")
    quantity: TraceQuantity | None = None
    amount: TraceQuantity | None = None


class SaleChangeBody(TraceBody):
    command = service.SaleChange
    action: Annotated[str, ACTIONS] = Field(
        alias="actions", validation_alias=AliasChoices("actions", "action")
    )
    items: list[SaleItemChangeBody] = Field([], alias="line_items", max_length=500)
    currency: Annotated[str, CURRENCIES] | None = None
    changed_at: TraceTimestamp | None = Field(None, alias="price_change_date")


# --- rendering


def money(value: Decimal | str | int | None) -> str | None:
    return None if value is None else f"{service.cents(Decimal(str(value))):f}"


def _customer(state: str, customer_type: str) -> dict[str, str] | None:
    if customer_type == "NonResidentConsumer":
        customer_type = "Consumer"
    return CUSTOMER_TYPES.ref(state, customer_type)


def _created_at(facility: Facility, sold_at: datetime) -> dict[str, str]:
    moment = sold_at.replace(tzinfo=ZoneInfo(facility.timezone)).astimezone(UTC)
    return {"date": trace_time(moment), "local_time": sold_at.strftime("%Y-%m-%dT%H:%M:%S")}


def _identifications(state: str, sale: SaleRecord) -> list[dict[str, Any]]:
    kinds = list(sale.details.get("identifications") or [])
    receipt = sale.receipt
    if not kinds:  # a receipt made through Metrc: the kinds its licences show
        if receipt.identification_method:
            kinds.append("drivers_license")
        if receipt.patient_license_number:
            kinds.append(
                "externalpatient_id" if receipt.customer_type == "ExternalPatient" else "patient_id"
            )
        if receipt.caregiver_license_number:
            kinds.append("caregiver_id")
    return [{"types": IDENTIFICATION_TYPES.ref(state, kind)} for kind in kinds]


def _employee(sale: SaleRecord) -> dict[str, Any]:
    first, _, last = (sale.receipt.recorded_by_user_name or "").partition(" ")
    return {
        "id": sale.details.get("employee_id"),
        "name": {"first_name": first or None, "last_name": last or None},
    }


def _tax(state: str, tax: dict[str, Any]) -> dict[str, Any]:
    kind = TAX_TYPES.ref(state, tax.get("kind"))
    return {
        "type": kind,
        "name": tax.get("name") or (kind or {}).get("name"),
        "rate": money(tax.get("rate")),
        "total": money(tax.get("total")),
    }


def _line_items(state: str, sale: SaleRecord) -> tuple[list[dict[str, Any]], dict[str, Decimal]]:
    kept = sale.details.get("lines") or []
    items: list[dict[str, Any]] = []
    taxed: dict[str, Decimal] = {}
    for index, line in enumerate(sale.record.lines):
        taxes = service.line_taxes(line, kept[index] if index < len(kept) else None)
        discount = Decimal(line.discount_amount or 0)
        unit_price = service.unit_price_of(line)
        sub = line.sub_total
        if sub is None:
            sub = service.cents(Decimal(line.quantity) * unit_price) - discount
        for tax in taxes:
            if tax.get("total") is not None:
                taxed[tax["kind"]] = taxed.get(tax["kind"], Decimal(0)) + Decimal(tax["total"])
        items.append(
            {
                "lot": {"id": str(line.package_id)},
                "name": line.item_name,
                "barcode": line.package_label,
                "discount": money(discount),
                "quantity": amount(line.quantity),
                "unit_of_measure": line.unit_of_measure_name,
                "unit_price": money(unit_price),
                "subtotal": money(sub),
                "taxes": [_tax(state, tax) for tax in taxes],
                "total": money(line.total_price),
            }
        )
    return items, taxed


def _history(sale: SaleRecord) -> list[dict[str, Any]]:
    said = []
    for event in sale.events:
        worded = _WORDS.get(event.action)
        if worded is None:
            noted = (event.after or {}).get("reason")
            if event.action not in _NOTES or not noted:
                continue
            worded = (event.action, str(noted))
        said.append(
            {
                "state": worded[0],
                "date": trace_time(event.at),
                "reason": worded[1],
                "actioned_by": event.by or SYSTEM,
            }
        )
    return said


_WORDS = {
    "create": ("active", "sale created"),
    "update": ("updated", "sale updated"),
    "post_lines": ("updated", "sale updated"),
    "void": ("inactive", "sale voided"),
    "finalize": ("finalized", "sale finalized"),
    "unfinalize": ("active", "sale unfinalized"),
}
_NOTES = frozenset(
    {"change_quantity", "change_price", "void_sale", "refund_sale", service.OVERRIDE}
)


def render(state: str, facility: Facility, sale: SaleRecord) -> dict[str, Any]:
    receipt: ReceiptRow = sale.receipt
    details = sale.details
    items, taxed = _line_items(state, sale)
    quantity = sum((Decimal(line.quantity) for line in sale.record.lines), Decimal(0))
    subtotal = sum((Decimal(item["subtotal"]) for item in items), Decimal(0))
    payments = [
        {
            "id": payment.get("id"),
            "amount": money(payment.get("amount")),
            "type": PAYMENT_TYPES.ref(state, payment.get("type")),
        }
        for payment in details.get("payments") or []
    ]
    return {
        "license": licence_of(facility),
        "id": str(receipt.id),
        "receipt_number": str(receipt.id),
        "customer_types": _customer(state, receipt.customer_type),
        "external_id": receipt.external_receipt_number,
        "terminal": details.get("terminal"),
        "created_at": _created_at(facility, receipt.sales_date_time),
        "out_of_state_sale": bool(details.get("out_of_state_sale", False)),
        "identifications": _identifications(state, sale),
        "employees": _employee(sale),
        "line_items": items,
        "currency": CURRENCIES.ref(state, details.get("currency") or "USD"),
        "totals": {
            "subtotal": money(subtotal),
            "quantity": amount(quantity),
            "taxes": [
                {"type": TAX_TYPES.ref(state, kind), "total": money(total)}
                for kind, total in taxed.items()
            ],
            "total": money(receipt.total_price),
        },
        "payments": payments,
        "purchase_limit_override": bool(details.get(service.OVERRIDE, False)),
        "refunds": [
            {"lot": {"id": str(refund["package_id"])}, "quantity": amount(refund["quantity"])}
            for refund in details.get("refunds") or []
        ],
        "is_final": receipt.is_final,
        "entity_state": _history(sale),
        "warnings": list(details.get("warnings") or []),
    }


# --- handlers


def _viewer(call: Call) -> Callable[[SaleRecord], dict[str, Any]]:
    state, facility = path_state(call), call.facility

    def view(sale: SaleRecord) -> dict[str, Any]:
        return render(state, facility, sale)

    return view


def _views(call: Call, receipt_ids: Sequence[int]) -> list[dict[str, Any]]:
    call.session.flush()
    found = call.session.scalars(
        select(ReceiptRow)
        .where(ReceiptRow.id.in_(receipt_ids))
        .execution_options(populate_existing=True)
    )
    by_id = {row.id: row for row in found}
    rows = [by_id[receipt_id] for receipt_id in receipt_ids]
    viewer = _viewer(call)
    return [viewer(sale) for sale in sales_of(call.facility.id)(call.session, rows)]


def _receipts(active: bool) -> Callable[[Call], Listed]:
    def query(call: Call) -> Listed:
        return receipts.receipts(call.facility, active=active)

    return query


_listed = by_entity_state({"active": _receipts(True), "inactive": _receipts(False)}, noun="sale")


def list_sales(call: Call) -> Listing:
    listed = _listed(call)
    if call.window is not None:
        listed = listed.within(call.window.start, call.window.end)
    return Listing(replace(listed, complete=sales_of(call.facility.id)), _viewer(call))


SALE = ById(ReceiptRow, "sale")
SALE_TO_CHANGE = ById(SalesReceipt, "sale")


def get_sale(call: Call) -> dict[str, Any]:
    [view] = _views(call, [call.target.id])
    return view


class LimitRefusal(RuleViolation):
    """A patient's sale over their limits, refused with a warning naming the override."""

    warnings = [
        {
            "type": "purchase_limit",
            "detail": "the sale is over the patient's purchase limits; if that is a clerical "
            "error, send it again with purchase_limit_override=true (the override is "
            "recorded on the sale).",
        }
    ]


def _limit_refusal(exc: RuleViolation) -> RuleViolation:
    return LimitRefusal(exc.template, row=exc.row, field=exc.field)


def create_sales(call: Call) -> Warned:
    raw = call.query.get("purchase_limit_override")
    try:
        override = bool(raw) and flag(raw)
    except ValueError:
        raise RuleViolation(
            f"purchase_limit_override must be true or false, got {raw!r}."
        ) from None
    command = replace(call.command, override=override)
    try:
        written = service.create_sales(call.session, call.actor, call.facility, command)
    except service.OverLimitRefusal as exc:
        raise _limit_refusal(exc) from None
    views = _views(call, [w.receipt_id for w in written])
    warnings = []
    for index, done in enumerate(written):
        for warning in done.warnings:
            detail = warning["detail"]
            if len(written) > 1:
                detail = detail.replace("sales.", f"sales[{index}].", 1)
            warnings.append({**warning, "detail": detail})
    return Warned(views[0] if len(views) == 1 else views, warnings)


def update_sale(call: Call) -> Warned:
    try:
        receipt = service.change_sale(
            call.session, call.actor, call.facility, call.target, call.command
        )
    except service.OverLimitRefusal as exc:
        raise _limit_refusal(exc) from None
    [view] = _views(call, [receipt.id])
    view["actions"] = ACTIONS.ref(path_state(call), call.command.action)
    return Warned(view, [])
