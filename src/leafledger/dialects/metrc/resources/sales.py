"""Sales receipts and transactions, v1 and v2.

Receipts: POST /sales/v2/receipts records receipts (each with its `Transactions`, the lines),
PUT replaces a receipt's statement and lines (the old lines give back what they drew first),
DELETE /sales/v2/receipts/{id} voids one (its packages get their quantities back; it moves to
the inactive list), PUT /sales/v2/receipts/finalize and /unfinalize lock and unlock receipts.
GET lists the active or inactive receipts (v2 paged), filtered by their last change
(`lastModifiedStart`/`End`) or by their sale time (`salesDateStart`/`End`, facility-local
times; a date alone is the whole day), not both; one by id, or, v2, by external number.

Transactions (v1): GET /sales/v1/transactions sums each day's sales; GET
/sales/v1/transactions/{start}/{end} lists the lines sold on those days; POST and PUT
/sales/v1/transactions/{date} add lines to, or replace the lines of, the receipt that holds
the lines posted for that day.

`SalesDateTime` is the facility's local time, without an offset, answered as written. The
rules live in domain/services/sales.py, the lists in domain/queries/sales.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import Field, StringConstraints

from leafledger.dialects.kit.bodies import Loads
from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.errors import bad_request
from leafledger.dialects.kit.factories import bulk, listing, remove, show
from leafledger.dialects.kit.loaders import ById
from leafledger.dialects.kit.results import Listing, Written
from leafledger.dialects.kit.wire import calendar_date
from leafledger.dialects.metrc.bodies import MetrcBody
from leafledger.dialects.metrc.render import pascal_name
from leafledger.dialects.metrc.wire import (
    ExternalId,
    Label,
    Licence,
    Name,
    Url,
    WireId,
    WireLocalTime,
    WireQuantity,
)
from leafledger.domain.errors import NotFound, RuleViolation, Unauthenticated
from leafledger.domain.models import SalesReceipt
from leafledger.domain.queries import sales as queries
from leafledger.domain.queries.base import Listed
from leafledger.domain.queries.sales import DaySales, LineRow, ReceiptRecord, ReceiptRow
from leafledger.domain.services import sales as service
from leafledger.domain.units import find_unit

Unit = Annotated[str, StringConstraints(max_length=32)]

# --- bodies


class SaleLineBody(MetrcBody):
    command = service.SaleLine
    package_label: Label
    quantity: WireQuantity
    unit_of_measure: Unit
    total_amount: WireQuantity
    unit_thc_percent: WireQuantity | None = None
    unit_thc_content: WireQuantity | None = None
    unit_thc_content_unit_of_measure: Unit | None = None
    unit_weight: WireQuantity | None = None
    unit_weight_unit_of_measure: Unit | None = None
    invoice_number: ExternalId | None = None
    price: WireQuantity | None = None
    excise_tax: WireQuantity | None = None
    city_tax: WireQuantity | None = None
    county_tax: WireQuantity | None = None
    municipal_tax: WireQuantity | None = None
    discount_amount: WireQuantity | None = None
    sub_total: WireQuantity | None = None
    sales_tax: WireQuantity | None = None
    qr_codes: list[Url] | None = Field(default=None, max_length=1000)


class _ReceiptFields(MetrcBody):
    sales_date_time: WireLocalTime
    external_receipt_number: ExternalId | None = None
    customer_type: Name | None = Field(default=None, alias="SalesCustomerType")
    patient_license_number: Licence | None = None
    caregiver_license_number: Licence | None = None
    identification_method: Name | None = None
    patient_registration_location_id: WireId | None = None
    lines: list[SaleLineBody] = Field(
        default_factory=list, alias="Transactions", max_length=service.MAX_LINES
    )


class ReceiptBody(_ReceiptFields):
    command = service.NewReceipt


class ReceiptChangeBody(_ReceiptFields):
    command = service.ReceiptChange
    receipt: Annotated[WireId, Loads(SalesReceipt, "sales receipt")] = Field(alias="Id")


class ReceiptRefBody(MetrcBody):
    command = service.ReceiptRef
    receipt: Annotated[WireId, Loads(SalesReceipt, "sales receipt")] = Field(alias="Id")


# --- rendering


def _local(moment: datetime) -> str:
    """A local time as Metrc writes one: no offset, milliseconds."""
    return moment.replace(tzinfo=None).isoformat(timespec="milliseconds")


def _instant(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _detail(details: dict[str, Any], key: str) -> Any:
    value = details.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return value
    return value


# The item fields a line shows, by the key of the item's details each one reads.
_ITEM_MEASURES = (
    "unit_cbd_percent",
    "unit_cbd_content",
    "unit_cbd_content_unit_of_measure",
    "unit_cbd_content_dose",
    "unit_cbd_content_dose_unit_of_measure",
    "unit_thc_percent",
    "unit_thc_content",
    "unit_thc_content_unit_of_measure",
    "unit_thc_content_dose",
    "unit_thc_content_dose_unit_of_measure",
    "unit_cbd_a_percent",
    "unit_cbd_a_content",
    "unit_cbd_a_content_unit_of_measure",
    "unit_cbd_a_content_dose",
    "unit_cbd_a_content_dose_unit_of_measure",
    "unit_thc_a_percent",
    "unit_thc_a_content",
    "unit_thc_a_content_unit_of_measure",
    "unit_thc_a_content_dose",
    "unit_thc_a_content_dose_unit_of_measure",
    "unit_volume",
    "unit_volume_unit_of_measure",
    "unit_weight",
    "unit_weight_unit_of_measure",
    "serving_size",
    "supply_duration_days",
    "unit_quantity",
    "unit_quantity_unit_of_measure",
)
_ITEM_FIELDS = tuple(
    (key, "Item" + pascal_name(key) + ("Name" if key.endswith("unit_of_measure") else ""))
    for key in _ITEM_MEASURES
)


def render_line(line: LineRow) -> dict[str, Any]:
    """A line as the receipts' `Transactions` and the v1 transactions list show it."""
    unit = find_unit(line.unit_of_measure_name)
    details = line.item_details or {}
    item: dict[str, Any] = {wire: _detail(details, key) for key, wire in _ITEM_FIELDS}
    return {
        "PackageId": line.package_id,
        "TripId": None,
        "TripManifestNumber": None,
        "PackageLabel": line.package_label,
        "ProductName": line.item_name,
        "ProductCategoryName": line.item_category_name,
        "ItemStrainName": line.strain_name,
        **item,
        "QrCodeDocument": None,
        "QuantitySold": line.quantity,
        "UnitOfMeasureName": line.unit_of_measure_name,
        "UnitOfMeasureAbbreviation": unit.abbreviation if unit is not None else None,
        "UnitThcPercent": line.unit_thc_percent,
        "UnitThcContent": line.unit_thc_content,
        "UnitWeight": line.unit_weight,
        "TotalPrice": line.total_price,
        "SalesDeliveryState": None,
        "ArchivedDate": _instant(line.receipt_archived_at),
        "RecordedDateTime": _instant(line.created_at),
        "RecordedByUserName": None,
        "LastModified": _instant(line.last_modified),
        "InvoiceNumber": line.invoice_number,
        "Price": line.price,
        "ExciseTax": line.excise_tax,
        "CityTax": line.city_tax,
        "CountyTax": line.county_tax,
        "MunicipalTax": line.municipal_tax,
        "DiscountAmount": line.discount_amount,
        "SubTotal": line.sub_total,
        "SalesTax": line.sales_tax,
    }


def render_receipt(record: ReceiptRecord) -> dict[str, Any]:
    receipt: ReceiptRow = record.receipt
    return {
        "Id": receipt.id,
        "ReceiptNumber": None,
        "ExternalReceiptNumber": receipt.external_receipt_number,
        "SalesDateTime": _local(receipt.sales_date_time),
        "SalesCustomerType": receipt.customer_type,
        "PatientLicenseNumber": receipt.patient_license_number,
        "CaregiverLicenseNumber": receipt.caregiver_license_number,
        "IdentificationMethod": receipt.identification_method,
        "PatientRegistrationLocationId": receipt.patient_registration_location_id,
        "TotalPackages": receipt.total_packages,
        "TotalPrice": receipt.total_price,
        "Transactions": [render_line(line) for line in record.lines],
        "IsFinal": receipt.is_final,
        "ArchivedDate": _instant(receipt.archived_at),
        "RecordedDateTime": _instant(receipt.created_at),
        "RecordedByUserName": receipt.recorded_by_user_name,
        "LastModified": _instant(receipt.last_modified),
    }


def render_day(day: DaySales) -> dict[str, Any]:
    return {
        "SalesDate": day.sales_date.isoformat(),
        "TotalTransactions": day.total_transactions,
        "TotalPackages": day.total_packages,
        "TotalPrice": day.total_price,
    }


# --- query values


def _sales_time(call: Call, name: str, *, end: bool) -> datetime | None:
    """A sales date bound of the query, as a local time: a date alone is the start of that
    day (an end, its last moment); an offset is converted to the facility's clock."""
    raw = (call.query.get(name) or "").strip()
    if not raw:
        return None
    if " " in raw and "T" in raw:  # a '+' of an offset sent unencoded arrives as a space
        raw = raw.replace(" ", "+")
    try:
        if len(raw) == 10:
            day = calendar_date(raw)
            return datetime.combine(day, time.max if end else time.min)
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        calendar_date(moment.date())
    except (ValueError, OverflowError):
        raise bad_request(f"{name} is not an ISO 8601 date and time: {raw!r}.") from None
    if moment.tzinfo is not None:
        try:
            moment = moment.astimezone(ZoneInfo(call.facility.timezone)).replace(tzinfo=None)
        except OverflowError:
            raise bad_request(f"{name} is out of the supported range: {raw!r}.") from None
    return moment


@dataclass(frozen=True)
class SalesDates:
    """The loader of the receipts lists: the sales date bounds the query asks for (local
    times, both or neither), which exclude a lastModified window; it documents them."""

    def __call__(self, call: Call) -> tuple[datetime | None, datetime | None]:
        start = _sales_time(call, "salesDateStart", end=False)
        end = _sales_time(call, "salesDateEnd", end=True)
        if (start or end) and call.window is not None:
            raise bad_request(
                "salesDateStart/salesDateEnd and lastModifiedStart/lastModifiedEnd may not be "
                "given together."
            )
        if (start is None) != (end is None):
            raise bad_request("salesDateStart and salesDateEnd must be given together.")
        if start is not None and end is not None and end < start:
            raise bad_request("salesDateEnd is before salesDateStart.")
        return start, end

    def openapi_parameters(self) -> list[dict[str, Any]]:
        schema = {"type": "string", "format": "date-time", "example": "2024-01-15T16:00:00"}
        return [
            {"name": name, "in": "query", "required": False, "schema": schema}
            for name in ("salesDateStart", "salesDateEnd")
        ]


SALES_DATES = SalesDates()


def _receipts_asked(active: bool) -> Any:
    def asked(call: Call) -> Listed:
        start, end = call.target
        return queries.receipts(call.facility, active=active, sold_from=start, sold_to=end)

    return asked


def _path_date(call: Call, name: str) -> date:
    raw = str(call.path_params[name]).strip()
    try:
        return calendar_date(raw)
    except ValueError as exc:
        raise bad_request(f"{name} {exc}, got {raw!r}.") from None


# --- handlers

RECEIPT = ById(ReceiptRow, "sales receipt", complete=queries.complete_receipts)
RECEIPT_TO_VOID = ById(SalesReceipt, "sales receipt")


def receipt_by_number(call: Call) -> ReceiptRecord:
    """The facility's receipt with the path's external number (401 when only another
    facility has one)."""
    number = str(call.path_params["externalNumber"]).strip()
    found = queries.receipt_numbered(call.session, call.facility, number)
    if found is None:
        if queries.numbered_elsewhere(call.session, call.facility, number):
            raise Unauthenticated(
                f"The sales receipt {number} does not belong to licence "
                f"{call.facility.license_number}."
            )
        raise NotFound(f"No sales receipt with external number {number} was found.")
    return queries.complete_receipts(call.session, [found])[0]


def create(call: Call) -> Written:
    service.lock_packages(call.session, call.facility, call.commands)
    return Written(service.create_receipts(call.session, call.actor, call.facility, call.commands))


update = bulk(service.update_receipt, service.lock_packages)
finalize = bulk(service.finalize_receipt)
unfinalize = bulk(service.unfinalize_receipt)
void = remove(service.void_receipt)
get = show(render_receipt)
active = listing(_receipts_asked(True), render_receipt)
inactive = listing(_receipts_asked(False), render_receipt)


def days(call: Call) -> Listing:
    return Listing(Listed(queries.days_sold(call.session, call.facility)), render_day)


def _lines_sold(call: Call) -> Listed:
    first, last = _path_date(call, "salesDateStart"), _path_date(call, "salesDateEnd")
    if last < first:
        raise bad_request("salesDateEnd is before salesDateStart.")
    return queries.lines_sold(call.facility, first, last)


lines_sold = listing(_lines_sold, render_line)


def _post_lines(replace: bool) -> Any:
    def handler(call: Call) -> Written:
        day = _path_date(call, "date")
        service.lock_packages(call.session, call.facility, call.commands)
        try:
            receipt = service.post_day_lines(
                call.session, call.actor, call.facility, day, call.commands, replace=replace
            )
        except RuleViolation as exc:
            raise _at_line(exc) from None
        call.session.flush()
        return Written([receipt.id])

    handler.__name__ = handler.__qualname__ = "replace_lines" if replace else "add_lines"
    return handler


def _at_line(exc: RuleViolation) -> RuleViolation:
    """A refusal of one posted line, attributed to its row of the body."""
    path = exc.field
    if path is not None and len(path) >= 2 and path[0] == "lines" and isinstance(path[1], int):
        rest = path[2:]
        return RuleViolation(exc.template, row=path[1], field=rest or None)
    if path is not None and path[0] == "sales_date":
        return RuleViolation(exc.template.replace("{field}", "date"))
    return exc


add_lines = _post_lines(False)
replace_lines = _post_lines(True)
