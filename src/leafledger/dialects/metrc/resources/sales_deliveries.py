"""Sales deliveries and retailer deliveries through the Metrc dialect (v1 and v2). The rules
are the services' (domain/services/sales_deliveries.py, retailer_deliveries.py), the lists
domain/queries/sales_deliveries.py's.

Reading of the documents where they leave a choice:

- Sales times (`SalesDateTime`, `DateTime`, the estimated and actual departure and arrival
  times) are the facility's wall-clock time when they carry no offset, as Metrc asks; they
  are answered so, without an offset. `RecordedDateTime` and `LastModified` are UTC.
- The driver and vehicle are the transporter's records (the seller's own unless
  `TransporterFacilityLicenseNumber` names another), found by `DriversLicenseNumber` and
  `VehicleLicensePlateNumber`; the name, employee id, make and model shown are the records'.
- `PUT .../deliveries/hub` names the hub by `TransporterFacilityId`: its licence number (or
  its id). The hub steps (accept, depart, verifyID) are sent with the seller's licence. A
  delivery without a hub departs by `PUT .../deliveries/hub/depart` too, or is completed
  without departing.
- A destination of a retailer delivery without a `SalesDateTime` (or with the .NET default
  date) is sold at the delivery's `DateTime`.
- The lists also take `salesDateStart`/`salesDateEnd` (together, facility wall-clock times or
  instants, at most 24 hours apart), exclusive with `lastModifiedStart`/`lastModifiedEnd`.
- Transactions are answered in the shape of Metrc's sales transactions, with the return of
  a completed delivery (`ReturnQuantityVerified`, `ReturnReason`...) beside them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import BeforeValidator, Field, PlainValidator, WithJsonSchema

from leafledger.dialects.kit.bodies import Loads
from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.errors import bad_request
from leafledger.dialects.kit.factories import bulk, listing, remove
from leafledger.dialects.kit.loaders import ById
from leafledger.dialects.kit.results import Listing
from leafledger.dialects.kit.window import MAX_WINDOW
from leafledger.dialects.kit.wire import instant
from leafledger.dialects.metrc.bodies import MetrcBody
from leafledger.dialects.metrc.wire import (
    NO_DATE,
    Label,
    Licence,
    Name,
    Note,
    Url,
    WireBool,
    WireId,
    WireInt,
    WireQuantity,
)
from leafledger.domain.models import RetailerDelivery, SalesDelivery
from leafledger.domain.queries import sales_deliveries as delivery_queries
from leafledger.domain.queries.sales_deliveries import (
    DeliveryRecord,
    LineRecord,
    RetailerRecord,
    StockRecord,
)
from leafledger.domain.services import retailer_deliveries as retailer
from leafledger.domain.services import sales_deliveries as service
from leafledger.domain.units import find_unit

# --- value types -----------------------------------------------------------------------------


def local_time(value: Any) -> datetime | None:
    """A date and time as Metrc sends sales times: no offset is the facility's wall clock
    (kept naive for the service to place), an offset an instant; the .NET default date
    0001-01-01 is no time."""
    if value is None or (isinstance(value, str) and value.strip().startswith(NO_DATE)):
        return None
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 date and time")
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("must be an ISO 8601 date and time") from None
    if parsed.tzinfo is not None:
        return instant(text)
    if not 1900 <= parsed.year <= 9998:
        raise ValueError("is out of the supported range")
    return parsed


LocalTime = Annotated[
    datetime | None,
    PlainValidator(local_time),
    WithJsonSchema(
        {"type": ["string", "null"], "format": "date-time", "example": "2024-01-15T10:30:00.000"}
    ),
]
# An id or a licence number, sent as a string or a number.
Reference = Annotated[
    Licence,
    BeforeValidator(lambda v: str(v) if isinstance(v, int) and not isinstance(v, bool) else v),
]

# --- bodies ----------------------------------------------------------------------------------


class SaleLineBody(MetrcBody):
    command = service.SaleLine
    label: Label | None = Field(default=None, alias="PackageLabel")
    quantity: WireQuantity | None = None
    unit_of_measure: Licence | None = None
    total_amount: WireQuantity | None = None
    unit_thc_percent: WireQuantity | None = None
    unit_thc_content: WireQuantity | None = None
    unit_thc_content_unit_of_measure: Licence | None = None
    unit_weight: WireQuantity | None = None
    unit_weight_unit_of_measure: Licence | None = None
    invoice_number: Name | None = None
    price: WireQuantity | None = None
    excise_tax: WireQuantity | None = None
    city_tax: WireQuantity | None = None
    county_tax: WireQuantity | None = None
    municipal_tax: WireQuantity | None = None
    discount_amount: WireQuantity | None = None
    sub_total: WireQuantity | None = None
    sales_tax: WireQuantity | None = None
    qr_codes: list[Url] | None = Field(default=None, max_length=1000)


class _Recipient(MetrcBody):
    sales_at: LocalTime = Field(default=None, alias="SalesDateTime")
    customer_type: Licence | None = Field(default=None, alias="SalesCustomerType")
    patient_license_number: Licence | None = None
    consumer_id: Licence | None = None
    phone_number: Licence | None = Field(default=None, alias="PhoneNumberForQuestions")
    recipient_name: Name | None = None
    recipient_address_street1: Name | None = None
    recipient_address_street2: Name | None = None
    recipient_address_city: Name | None = None
    recipient_address_county: Name | None = None
    recipient_address_state: Licence | None = None
    recipient_address_postal_code: Licence | None = None
    recipient_zone_id: Licence | None = None
    planned_route: Note | None = None
    estimated_departure: LocalTime = Field(default=None, alias="EstimatedDepartureDateTime")
    estimated_arrival: LocalTime = Field(default=None, alias="EstimatedArrivalDateTime")
    transactions: list[SaleLineBody] = Field(default_factory=list, max_length=1000)


class _Carrying(MetrcBody):
    driver_employee_id: Licence | None = None
    driver_name: Name | None = None
    drivers_license_number: Licence | None = None
    vehicle_make: Name | None = None
    vehicle_model: Name | None = None
    license_plate_number: Licence | None = Field(default=None, alias="VehicleLicensePlateNumber")


class _DeliveryFields(_Recipient, _Carrying):
    transporter_license_number: Licence | None = Field(
        default=None, alias="TransporterFacilityLicenseNumber"
    )


class DeliveryBody(_DeliveryFields):
    command = service.NewSalesDelivery


class DeliveryChangeBody(_DeliveryFields):
    command = service.SalesDeliveryChange
    delivery: Annotated[WireId, Loads(SalesDelivery, "sales delivery")] = Field(alias="Id")


class HubBody(_Carrying):
    command = service.HubAssignment
    delivery: Annotated[WireId, Loads(SalesDelivery, "sales delivery")] = Field(alias="Id")
    hub: Reference | None = Field(default=None, alias="TransporterFacilityId")
    phone_number: Licence | None = Field(default=None, alias="PhoneNumberForQuestions")
    planned_route: Note | None = None
    estimated_departure: LocalTime = Field(default=None, alias="EstimatedDepartureDateTime")
    estimated_arrival: LocalTime = Field(default=None, alias="EstimatedArrivalDateTime")


class StepBody(MetrcBody):
    command = service.DeliveryStep
    delivery: Annotated[WireId, Loads(SalesDelivery, "sales delivery")] = Field(alias="Id")


class VerifyBody(StepBody):
    payment_type: Name | None = None


class ReturnedBody(MetrcBody):
    command = service.ReturnedPackage
    label: Label | None = None
    quantity: WireQuantity | None = Field(default=None, alias="ReturnQuantityVerified")
    unit_of_measure: Licence | None = Field(default=None, alias="ReturnUnitOfMeasure")
    reason: Name | None = Field(default=None, alias="ReturnReason")
    reason_note: Note | None = Field(default=None, alias="ReturnReasonNote")


class CompleteBody(MetrcBody):
    command = service.Completion
    delivery: Annotated[WireId, Loads(SalesDelivery, "sales delivery")] = Field(alias="Id")
    actual_arrival: LocalTime = Field(default=None, alias="ActualArrivalDateTime")
    payment_type: Name | None = None
    accepted_packages: list[Label] | None = Field(default=None, max_length=1000)
    returned_packages: list[ReturnedBody] | None = Field(default=None, max_length=1000)


class StockBody(MetrcBody):
    command = retailer.StockPackage
    label: Label | None = Field(default=None, alias="PackageLabel")
    quantity: WireQuantity | None = None
    unit_of_measure: Licence | None = None
    total_price: WireQuantity | None = None


class RestockPackageBody(StockBody):
    command = retailer.RestockPackage
    remove_current_package: WireBool = False


class DestinationBody(_Recipient, _Carrying):
    command = retailer.Destination
    id: WireInt | None = None


class _RetailerFields(_Carrying):
    recorded_at: LocalTime = Field(default=None, alias="DateTime")
    phone_number: Licence | None = Field(default=None, alias="PhoneNumberForQuestions")
    estimated_departure: LocalTime = Field(default=None, alias="EstimatedDepartureDateTime")
    destinations: list[DestinationBody] | None = Field(default=None, max_length=100)
    packages: list[StockBody] = Field(default_factory=list, max_length=1000)


class RetailerBody(_RetailerFields):
    command = retailer.NewRetailerDelivery


class RetailerChangeBody(_RetailerFields):
    command = retailer.RetailerDeliveryChange
    retailer_delivery: Annotated[WireId, Loads(RetailerDelivery, "retailer delivery")] = Field(
        alias="Id"
    )


class _OfRetailer(MetrcBody):
    retailer_delivery: Annotated[WireId, Loads(RetailerDelivery, "retailer delivery")] = Field(
        alias="RetailerDeliveryId"
    )


class RetailerStepBody(_OfRetailer):
    command = retailer.RetailerStep


class RoadSaleBody(_Recipient, _OfRetailer):
    command = retailer.RoadSale


class RestockBody(_OfRetailer):
    command = retailer.Restock
    recorded_at: LocalTime = Field(default=None, alias="DateTime")
    estimated_departure: LocalTime = Field(default=None, alias="EstimatedDepartureDateTime")
    destinations: list[DestinationBody] | None = Field(default=None, max_length=100)
    packages: list[RestockPackageBody] = Field(default_factory=list, max_length=1000)


class EndPackageBody(MetrcBody):
    command = retailer.EndPackage
    label: Label | None = None
    end_quantity: WireQuantity | None = None
    end_unit_of_measure: Licence | None = None


class EndBody(_OfRetailer):
    command = retailer.RetailerEnd
    actual_arrival: LocalTime = Field(default=None, alias="ActualArrivalDateTime")
    packages: list[EndPackageBody] | None = Field(default=None, max_length=1000)


# --- rendering -------------------------------------------------------------------------------


def _local(value: datetime | None, zone: str) -> str | None:
    if value is None:
        return None
    return value.astimezone(ZoneInfo(zone)).replace(tzinfo=None).isoformat(timespec="milliseconds")


def _utc(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def _number(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _abbreviation(unit: str | None) -> str | None:
    found = None if unit is None else find_unit(unit)
    return None if found is None else found.abbreviation


def render_line(record: LineRecord, recorded_by: str | None) -> dict[str, Any]:
    line = record.line
    details = line.details or {}
    return {
        "PackageId": line.package_id,
        "PackageLabel": record.package_label,
        "ProductName": record.item_name,
        "ProductCategoryName": record.item_category,
        "QuantitySold": line.quantity,
        "UnitOfMeasureName": line.unit_of_measure_name,
        "UnitOfMeasureAbbreviation": _abbreviation(line.unit_of_measure_name),
        "UnitThcPercent": _number(details.get("unit_thc_percent")),
        "UnitThcContent": _number(details.get("unit_thc_content")),
        "UnitThcContentUnitOfMeasureName": details.get("unit_thc_content_unit_of_measure"),
        "UnitWeight": _number(details.get("unit_weight")),
        "UnitWeightUnitOfMeasureName": details.get("unit_weight_unit_of_measure"),
        "TotalPrice": line.total_amount,
        "SalesDeliveryState": line.state,
        "ReturnQuantityVerified": line.returned_quantity,
        "ReturnUnitOfMeasureName": line.returned_unit_of_measure_name,
        "ReturnReason": line.return_reason,
        "ReturnReasonNote": line.return_reason_note,
        "ArchivedDate": None,
        "RecordedDateTime": _utc(line.created_at),
        "RecordedByUserName": recorded_by,
        "LastModified": _utc(line.last_modified),
        "InvoiceNumber": details.get("invoice_number"),
        **{service_name: _number(details.get(name)) for name, service_name in _MONEY},
        "QrCodes": details.get("qr_codes"),
    }


_MONEY = tuple(
    (name, "".join(p[:1].upper() + p[1:] for p in name.split("_"))) for name in service.MONEY_FIELDS
)
_NO_RETURN_TRIP = {
    "EstimatedReturnDepartureDateTime": None,
    "ActualReturnDepartureDateTime": None,
    "EstimatedReturnArrivalDateTime": None,
    "ActualReturnArrivalDateTime": None,
}


def render_delivery(record: DeliveryRecord) -> dict[str, Any]:
    head, delivery = record.head, record.delivery
    zone = head.timezone
    lines = [render_line(line, head.recorded_by) for line in record.lines]
    return {
        "Id": delivery.id,
        "DeliveryNumber": f"{delivery.id:010d}",
        "FacilityLicenseNumber": head.facility_license_number,
        "FacilityName": head.facility_name,
        "ShipperFacilityLicenseNumber": head.facility_license_number,
        "TransporterFacilityId": delivery.transporter_facility_id,
        "TransporterFacilityLicenseNumber": head.transporter_license_number,
        "TransporterFacilityName": head.transporter_name,
        "SalesDateTime": _local(delivery.sales_at, zone),
        "SalesCustomerType": delivery.customer_type,
        "PatientLicenseNumber": delivery.patient_license_number,
        "ConsumerId": delivery.consumer_id,
        "DriverEmployeeId": head.driver_employee_id,
        "DriverName": head.driver_name,
        "DriversLicenseNumber": head.drivers_license_number,
        "VehicleMake": head.vehicle_make,
        "VehicleModel": head.vehicle_model,
        "VehicleLicensePlateNumber": head.license_plate_number,
        "RecipientName": delivery.recipient_name,
        "RecipientAddressStreet1": delivery.recipient_address_street1,
        "RecipientAddressStreet2": delivery.recipient_address_street2,
        "RecipientAddressCity": delivery.recipient_address_city,
        "RecipientDeliveryZoneId": None,
        "RecipientZoneId": delivery.recipient_zone_id,
        "RecipientDeliveryZoneName": None,
        "RecipientAddressCounty": delivery.recipient_address_county,
        "RecipientAddressState": delivery.recipient_address_state,
        "RecipientAddressPostalCode": delivery.recipient_address_postal_code,
        "PlannedRoute": delivery.planned_route,
        "Direction": "Undesignated",
        "EstimatedDepartureDateTime": _local(delivery.estimated_departure_at, zone),
        "ActualDepartureDateTime": _local(delivery.departed_at, zone),
        "EstimatedArrivalDateTime": _local(delivery.estimated_arrival_at, zone),
        "ActualArrivalDateTime": _local(delivery.arrived_at, zone),
        **_NO_RETURN_TRIP,
        "TotalPackages": len(record.lines),
        "TotalPrice": sum((line.line.total_amount for line in record.lines), Decimal(0)),
        "AcceptedDateTime": _local(delivery.hub_accepted_at, zone),
        "Transactions": lines,
        "CompletedDateTime": _local(delivery.completed_at, zone),
        "SalesDeliveryState": delivery.state,
        "VoidedDate": _local(delivery.voided_at, zone),
        "RecordedDateTime": _utc(delivery.created_at),
        "RecordedByUserName": head.recorded_by,
        "LastModified": _utc(delivery.last_modified),
        # What leafledger adds: the hub's steps and the payment.
        "IdentityVerifiedDateTime": _local(delivery.id_verified_at, zone),
        "PaymentType": delivery.payment_type,
    }


def render_stock(stock: StockRecord, zone: str, recorded_by: str | None) -> dict[str, Any]:
    row = stock.row
    return {
        "PackageId": row.package_id,
        "PackageLabel": stock.package_label,
        "ProductName": stock.item_name,
        "ProductCategoryName": stock.item_category,
        "Quantity": row.quantity,
        "UnitOfMeasureName": row.unit_of_measure_name,
        "UnitOfMeasureAbbreviation": _abbreviation(row.unit_of_measure_name),
        "TotalPrice": row.total_price,
        "RetailerDeliveryState": None,
        "ArchivedDate": None,
        "RecordedDateTime": _utc(row.created_at),
        "RecordedByUserName": recorded_by,
        "CompletedDateTime": None,
        "LastModified": _utc(row.last_modified),
        "IsOnInvestigationHold": stock.on_hold,
        "IsOnRecall": None,
        "IsOnInvestigationRecall": False,
        "IsOnRecallCombined": False,
        # The stock's course, in the package's unit (leafledger's own fields).
        "PackageUnitOfMeasureName": stock.package_unit,
        "TakenQuantity": row.taken,
        "OnRoadQuantity": row.on_road,
        "SoldQuantity": row.sold,
        "ReturnedQuantity": row.given_back,
    }


def render_retailer(record: RetailerRecord) -> dict[str, Any]:
    head, delivery = record.head, record.delivery
    zone = head.timezone
    plate = head.license_plate_number
    return {
        "Id": delivery.id,
        "RetailerDeliveryNumber": f"{delivery.id:010d}",
        "FacilityLicenseNumber": head.facility_license_number,
        "FacilityName": head.facility_name,
        "DateTime": _local(delivery.recorded_at, zone),
        "DriverEmployeeId": head.driver_employee_id,
        "DriverName": head.driver_name,
        "DriversLicenseNumber": head.drivers_license_number,
        "VehicleMake": head.vehicle_make,
        "VehicleModel": head.vehicle_model,
        "VehicleLicensePlateNumber": plate,
        "VehicleInfo": " ".join(p for p in (head.vehicle_make, head.vehicle_model, plate) if p),
        "Direction": "Undesignated",
        "EstimatedDepartureDateTime": _local(delivery.estimated_departure_at, zone),
        "ActualDepartureDateTime": _local(delivery.departed_at, zone),
        "RestockDateTime": _local(delivery.restocked_at, zone),
        "TotalPackages": len(record.stock),
        "TotalPrice": sum((s.row.total_price or Decimal(0) for s in record.stock), Decimal(0)),
        "TotalPriceSold": sum(
            (
                line.line.total_amount
                for destination in record.destinations
                if destination.delivery.state != "Voided"
                for line in destination.lines
            ),
            Decimal(0),
        ),
        "AcceptedDateTime": None,
        "Destinations": [render_delivery(d) for d in record.destinations],
        "CompletedDateTime": _local(delivery.ended_at, zone),
        "RetailerDeliveryState": delivery.state,
        "AllowFullEdit": delivery.state == "InProgress",
        "Leg": 0,
        "VoidedDate": _local(delivery.voided_at, zone),
        "RecordedDateTime": _utc(delivery.created_at),
        "RecordedByUserName": head.recorded_by,
        "LastModified": _utc(delivery.last_modified),
        "Packages": [render_stock(s, zone, head.recorded_by) for s in record.stock],
    }


# --- handlers --------------------------------------------------------------------------------

DELIVERY = ById(SalesDelivery, "sales delivery")
RETAILER = ById(RetailerDelivery, "retailer delivery")


def _sales_window(call: Call) -> tuple[datetime | None, datetime | None] | None:
    start, end = call.query.get("salesDateStart"), call.query.get("salesDateEnd")
    if not start and not end:
        return None
    if call.window is not None:
        raise bad_request(
            "Filter by lastModifiedStart/lastModifiedEnd or by salesDateStart/salesDateEnd, "
            "not both."
        )
    if not start or not end:
        raise bad_request("salesDateStart and salesDateEnd must be given together")
    zone = ZoneInfo(call.facility.timezone)
    bounds = []
    for name, raw in (("salesDateStart", start), ("salesDateEnd", end)):
        try:
            value = local_time(raw.strip().replace(" ", "+") if "T" in raw else raw)
        except ValueError:
            raise bad_request(f"{name} is not an ISO 8601 date and time: {raw!r}") from None
        if value is None:
            raise bad_request(f"{name} is not an ISO 8601 date and time: {raw!r}")
        bounds.append(value.replace(tzinfo=zone) if value.tzinfo is None else value)
    first, last = bounds
    if last < first:
        raise bad_request("salesDateEnd is before salesDateStart")
    if last - first > MAX_WINDOW:
        raise bad_request("salesDateStart and salesDateEnd may be at most 24 hours apart")
    return first.astimezone(UTC), last.astimezone(UTC)


def _deliveries(active: bool) -> Any:
    def handler(call: Call) -> Listing:
        sales = _sales_window(call)
        listed = delivery_queries.sales_deliveries(
            call.facility,
            active=active,
            sales_start=None if sales is None else sales[0],
            sales_end=None if sales is None else sales[1],
        )
        if call.window is not None:
            listed = listed.within(call.window.start, call.window.end)
        return Listing(listed, render_delivery)

    handler.__name__ = handler.__qualname__ = "active" if active else "inactive"
    return handler


active = _deliveries(True)
inactive = _deliveries(False)
retailer_active = listing(
    lambda call: delivery_queries.retailer_deliveries(call.facility, active=True),
    render_retailer,
)
retailer_inactive = listing(
    lambda call: delivery_queries.retailer_deliveries(call.facility, active=False),
    render_retailer,
)


def get(call: Call) -> dict[str, Any]:
    return render_delivery(delivery_queries.delivery_record(call.session, call.target))


def get_retailer(call: Call) -> dict[str, Any]:
    return render_retailer(delivery_queries.retailer_record(call.session, call.target))


create = bulk(service.create_delivery)
update = bulk(service.update_delivery)
void = remove(service.void_delivery)
complete = bulk(service.complete)
hub = bulk(service.set_hub)
hub_accept = bulk(service.hub_accept)
hub_depart = bulk(service.depart)
hub_verify_id = bulk(service.verify_id)
create_retailer = bulk(retailer.create_retailer_delivery)
update_retailer = bulk(retailer.update_retailer_delivery)
void_retailer = remove(retailer.void_retailer_delivery)
depart_retailer = bulk(retailer.depart_retailer_delivery)
restock_retailer = bulk(retailer.restock)
sale_retailer = bulk(retailer.sell_from_road)
end_retailer = bulk(retailer.end_retailer_delivery)
