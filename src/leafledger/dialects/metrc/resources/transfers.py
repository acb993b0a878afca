"""Transfers through the Metrc dialect (v1 and v2): templates, the incoming, outgoing and
rejected lists, deliveries with their packages, transporters and drivers, external incoming
transfers, and hubs. The rules are the services' (domain/services/transfers.py and its
siblings), the lists domain/queries/transfers.py's; registering, departing and receiving a
licensed transfer, which Metrc does in its web UI only, are leafledger's own extension
(dialects/leafledger/).

Reading of the documents where they leave a choice:

- Transporters are those of each destination (`Destinations[].Transporters`), every
  documented request's place for them. The transfer-level transporter fields of the older
  bodies (`TransporterFacilityLicenseNumber`, `DriverName`... beside `Destinations`, null in
  every example) are read and not kept.
- A driver and a vehicle are the transporter facility's records, found by the driver's
  licence number (`DriverLicenseNumber`) and the licence plate (`VehicleLicensePlateNumber`);
  the driver's name, occupational licence, the vehicle's make and model sent beside them are
  not kept: the records' own are shown (`DriverOccupationalLicenseNumber` is the driver's
  employee id, `DriverVehicleLicenseNumber` the driver's licence number, as Metrc answers).
- Units are named, not numbered: `GrossUnitOfWeightId` is refused when given, and a
  destination may state `GrossUnitOfWeightName` (as packages do).
- An external incoming package may name the receiver's tag for it (`PackageLabel`, beside
  the documented fields); without one it takes the receiver's oldest available tag.
- Rows without a licence number (a transfer's deliveries, a delivery's packages...) answer
  a caller employed, with the row's permissions, at a facility party to the transfer: its
  shipper (or, for an external one, its receiver), a recipient or a transporter of the
  delivery; a template's, its owner only. Another id answers 401, a missing one 404, a
  party lacking the permissions 403. A recipient or transporter sees the deliveries of a
  transfer that concern it, the owner all of them.
- Records of a whole transfer (outgoing, templates) carry no delivery (`DeliveryId` 0, as
  Metrc's example answers): `/{id}/deliveries` lists them. `ShipmentLicenseType` is 0 for a
  licensed transfer, 1 for an external incoming one. Lab test batches have names, no ids, in
  the ledger: `LabTestBatchId` is null. What the ledger does not record (return trips, PDF
  documents, label counts) is the neutral value of the examples.
- GET /transfers/v2/hub also takes `estimatedArrivalStart`/`estimatedArrivalEnd` (ISO 8601,
  together, at most 24 hours apart), which filter on the delivery's estimated arrival; with
  `lastModifiedStart`/`lastModifiedEnd` as well, it answers 400, as documented.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field
from sqlalchemy.orm import Session

from leafledger.dialects.kit.bodies import Loads
from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.endpoint import Handler
from leafledger.dialects.kit.errors import bad_request
from leafledger.dialects.kit.factories import at_facility, bulk, listing, remove
from leafledger.dialects.kit.loaders import ById
from leafledger.dialects.kit.results import Listing
from leafledger.dialects.kit.window import parse_window
from leafledger.dialects.metrc.bodies import MetrcBody
from leafledger.dialects.metrc.resources import items
from leafledger.dialects.metrc.resources.packages import product_label
from leafledger.dialects.metrc.wire import (
    BatchNumber,
    ExternalId,
    Licence,
    Name,
    Note,
    WireBool,
    WireDate,
    WireId,
    WireInt,
    WireQuantity,
    WireTimestamp,
)
from leafledger.domain import queries
from leafledger.domain.errors import Forbidden, NotFound, Unauthenticated
from leafledger.domain.models import PackageShipment, Transfer, TransferDelivery
from leafledger.domain.models.base import fits
from leafledger.domain.models.transfer import EXTERNAL, TEMPLATE
from leafledger.domain.queries.base import Listed
from leafledger.domain.queries.transfers import (
    Counts,
    DeliveryColumns,
    DeliveryRecord,
    DriverRow,
    FirstLeg,
    LegRow,
    LineRecord,
    LineRow,
    Parties,
    TransferRecord,
)
from leafledger.domain.reference import TRANSFER_TYPES, find_named
from leafledger.domain.services import external_transfers, transfer_hub
from leafledger.domain.services import transfers as service

# --- bodies ----------------------------------------------------------------------------------


class _Driving(MetrcBody):
    """A driver and vehicle, as every transporter object names them."""

    command = service.TransporterDriver
    driver_occupational_license_number: Licence | None = None
    driver_name: Name | None = None
    drivers_license_number: Licence | None = Field(default=None, alias="DriverLicenseNumber")
    layover_leg: Licence | None = Field(default=None, alias="DriverLayoverLeg")
    vehicle_make: Name | None = None
    vehicle_model: Name | None = None
    license_plate_number: Licence | None = Field(default=None, alias="VehicleLicensePlateNumber")


class TransporterDetailBody(_Driving):
    """A further driver and vehicle of a layover leg (`TransporterDetails`)."""


class TransporterBody(_Driving):
    command = service.Leg
    transporter_license_number: Licence | None = Field(
        default=None, alias="TransporterFacilityLicenseNumber"
    )
    phone_number: Licence | None = Field(default=None, alias="PhoneNumberForQuestions")
    is_layover: WireBool = False
    estimated_departure: WireTimestamp | None = Field(
        default=None, alias="EstimatedDepartureDateTime"
    )
    estimated_arrival: WireTimestamp | None = Field(default=None, alias="EstimatedArrivalDateTime")
    details: list[TransporterDetailBody] | None = Field(default=None, alias="TransporterDetails")


class _Destination(MetrcBody):
    recipient_license_number: Licence | None = None
    transfer_type: Name | None = Field(default=None, alias="TransferTypeName")
    invoice_number: BatchNumber | None = None
    planned_route: Note | None = None
    estimated_departure: WireTimestamp | None = Field(
        default=None, alias="EstimatedDepartureDateTime"
    )
    estimated_arrival: WireTimestamp | None = Field(default=None, alias="EstimatedArrivalDateTime")
    gross_weight: WireQuantity | None = None
    gross_unit_of_weight_id: WireId | None = None
    gross_unit_of_weight: Licence | None = Field(default=None, alias="GrossUnitOfWeightName")
    # 0 or null: a new destination (Metrc's examples send 0).
    destination_id: WireInt | None = Field(default=None, alias="TransferDestinationId")
    transporters: list[TransporterBody] = Field(default_factory=list)


class PlannedPackageBody(MetrcBody):
    command = service.PlannedPackage
    label: Licence | None = Field(default=None, alias="PackageLabel")
    wholesale_price: WireQuantity | None = None
    gross_weight: WireQuantity | None = None
    gross_unit_of_weight: Licence | None = Field(default=None, alias="GrossUnitOfWeightName")


class DestinationBody(_Destination):
    command = service.Destination
    packages: list[PlannedPackageBody] = Field(default_factory=list)


class _LegacyTransporter(MetrcBody):
    """The transfer-level transporter fields of older bodies: read, not kept."""

    transporter_facility_license_number: Licence | None = None
    driver_occupational_license_number: Licence | None = None
    driver_name: Name | None = None
    driver_license_number: Licence | None = None
    phone_number_for_questions: Licence | None = None
    vehicle_make: Name | None = None
    vehicle_model: Name | None = None
    vehicle_license_plate_number: Licence | None = None


class _TemplateFields(_LegacyTransporter):
    name: Name | None = None
    destinations: list[DestinationBody] = Field(default_factory=list)


class TemplateBody(_TemplateFields):
    command = service.NewTemplate


class TemplateChangeBody(_TemplateFields):
    command = service.TemplateChange
    template: Annotated[WireId, Loads(Transfer, "transfer template")] = Field(
        alias="TransferTemplateId"
    )


class ExternalPackageBody(MetrcBody):
    command = external_transfers.ExternalPackage
    label: Licence | None = Field(default=None, alias="PackageLabel")
    item: Name | None = Field(default=None, alias="ItemName")
    quantity: WireQuantity | None = None
    unit_of_measure: Licence | None = Field(default=None, alias="UnitOfMeasureName")
    packaged_date: WireDate | None = None
    expiration_date: WireDate | None = None
    sell_by_date: WireDate | None = None
    use_by_date: WireDate | None = None
    gross_weight: WireQuantity | None = None
    gross_unit_of_weight: Licence | None = Field(default=None, alias="GrossUnitOfWeightName")
    wholesale_price: WireQuantity | None = None
    external_id: ExternalId | None = None
    is_finished_good: WireBool = False


class ExternalDestinationBody(_Destination):
    command = external_transfers.ExternalDestination
    packages: list[ExternalPackageBody] = Field(default_factory=list)


class _ExternalFields(_LegacyTransporter):
    shipper_license_number: Licence | None = None
    shipper_name: Name | None = None
    shipper_main_phone_number: Licence | None = None
    shipper_address1: Name | None = None
    shipper_address2: Name | None = None
    shipper_address_city: Name | None = None
    shipper_address_state: Licence | None = None
    shipper_address_postal_code: Licence | None = None
    destinations: list[ExternalDestinationBody] = Field(default_factory=list)


class ExternalBody(_ExternalFields):
    command = external_transfers.NewExternalTransfer


class ExternalChangeBody(_ExternalFields):
    command = external_transfers.ExternalTransferChange
    transfer: Annotated[WireId, Loads(Transfer, "transfer")] = Field(alias="TransferId")


class HubStepBody(MetrcBody):
    command = transfer_hub.HubStep
    delivery_id: WireId = Field(alias="ShipmentDeliveryId")
    direction: Licence | None = Field(default=None, alias="TransporterDirection")


# --- rendering -------------------------------------------------------------------------------


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _transaction_type(name: str | None) -> str | None:
    found = None if name is None else find_named(TRANSFER_TYPES, name)
    return None if found is None else found.transaction_type


def _leg(leg: FirstLeg | None) -> dict[str, Any]:
    driver = None if leg is None else leg.driver
    return {
        "TransporterFacilityLicenseNumber": None if leg is None else leg.transporter_license_number,
        "TransporterFacilityName": None if leg is None else leg.transporter_name,
        "DriverName": None if driver is None else driver.driver_name,
        "DriverOccupationalLicenseNumber": None if driver is None else driver.driver_employee_id,
        "DriverVehicleLicenseNumber": None if driver is None else driver.drivers_license_number,
        "VehicleMake": None if driver is None else driver.vehicle_make,
        "VehicleModel": None if driver is None else driver.vehicle_model,
        "VehicleLicensePlateNumber": None if driver is None else driver.license_plate_number,
    }


def _totals(counts: Counts) -> dict[str, Any]:
    return {
        "DeliveryCount": counts.deliveries,
        "ReceivedDeliveryCount": counts.received_deliveries,
        "PackageCount": counts.packages,
        "ReceivedPackageCount": counts.accepted,
    }


def _contents(counts: Counts) -> dict[str, Any]:
    return {
        "ContainsPlantPackage": counts.plants,
        "ContainsProductPackage": counts.products,
        "ContainsTradeSample": counts.trade_samples,
        "ContainsDonation": counts.donations,
        "ContainsTestingSample": counts.testing_samples,
        "ContainsProductRequiresRemediation": counts.requires_remediation,
        "ContainsRemediatedProductPackage": counts.remediated,
    }


_NO_RETURN = {
    "EstimatedReturnDepartureDateTime": None,
    "ActualReturnDepartureDateTime": None,
    "EstimatedReturnArrivalDateTime": None,
    "ActualReturnArrivalDateTime": None,
}


def _delivery_part(delivery: DeliveryColumns | None, counts: Counts) -> dict[str, Any]:
    """The fields of a record about one delivery (none: a whole transfer's record)."""
    if delivery is None:
        return {
            "DeliveryId": 0,
            "RecipientFacilityLicenseNumber": None,
            "RecipientFacilityName": None,
            "ShipmentTypeName": None,
            "ShipmentTransactionType": None,
            "EstimatedDepartureDateTime": None,
            "EstimatedArrivalDateTime": None,
            "ActualArrivalDateTime": None,
            "DeliveryPackageCount": 0,
            "DeliveryReceivedPackageCount": 0,
            "ReceivedDateTime": None,
        }
    return {
        "DeliveryId": delivery.id,
        "RecipientFacilityLicenseNumber": delivery.recipient_license_number,
        "RecipientFacilityName": delivery.recipient_name,
        "ShipmentTypeName": delivery.transfer_type_name,
        "ShipmentTransactionType": _transaction_type(delivery.transfer_type_name),
        "EstimatedDepartureDateTime": _iso(delivery.estimated_departure_at),
        "EstimatedArrivalDateTime": _iso(delivery.estimated_arrival_at),
        "ActualArrivalDateTime": _iso(delivery.received_at),
        "DeliveryPackageCount": counts.packages,
        "DeliveryReceivedPackageCount": counts.accepted,
        "ReceivedDateTime": _iso(delivery.received_at),
    }


@dataclass(frozen=True)
class _Head:
    """What a record shows of its transfer, from a transfer row or a delivery row."""

    id: int
    kind: str
    manifest_number: str | None
    name: str | None
    shipper_license_number: str
    shipper_name: str
    voided: bool
    created_at: datetime
    created_by: str | None
    last_modified: datetime
    template_id: int | None
    departed_at: datetime | None


def _record(
    head: _Head,
    counts: Counts,
    leg: FirstLeg | None,
    delivery: DeliveryColumns | None,
    delivery_counts: Counts,
) -> dict[str, Any]:
    part = _delivery_part(delivery, delivery_counts)
    return {
        "Id": head.id,
        "ManifestNumber": head.manifest_number,
        "InvoiceNumber": None if delivery is None else delivery.invoice_number,
        "ShipmentLicenseType": 1 if head.kind == EXTERNAL else 0,
        "ShipperFacilityLicenseNumber": head.shipper_license_number,
        "ShipperFacilityName": head.shipper_name,
        "Name": head.name,
        **_leg(leg),
        **_totals(counts),
        **_contents(counts),
        "IsVoided": head.voided,
        "CreatedDateTime": head.created_at.isoformat(),
        "CreatedByUserName": head.created_by,
        "LastModified": head.last_modified.isoformat(),
        "DeliveryId": part["DeliveryId"],
        "RecipientFacilityLicenseNumber": part["RecipientFacilityLicenseNumber"],
        "RecipientFacilityName": part["RecipientFacilityName"],
        "ShipmentTypeName": part["ShipmentTypeName"],
        "ShipmentTransactionType": part["ShipmentTransactionType"],
        "EstimatedDepartureDateTime": part["EstimatedDepartureDateTime"],
        "ActualDepartureDateTime": _iso(head.departed_at),
        "EstimatedArrivalDateTime": part["EstimatedArrivalDateTime"],
        "ActualArrivalDateTime": part["ActualArrivalDateTime"],
        "DeliveryPackageCount": part["DeliveryPackageCount"],
        "DeliveryReceivedPackageCount": part["DeliveryReceivedPackageCount"],
        "ReceivedDateTime": part["ReceivedDateTime"],
        **_NO_RETURN,
        "OriginatingTemplateId": head.template_id,
    }


def _head_of_delivery(delivery: DeliveryColumns) -> _Head:
    return _Head(
        delivery.transfer_id,
        delivery.transfer_kind,
        delivery.manifest_number,
        delivery.transfer_name,
        delivery.shipper_license_number,
        delivery.shipper_name,
        delivery.voided_at is not None,
        delivery.transfer_created_at,
        delivery.created_by_user_name,
        delivery.last_modified,
        delivery.template_id,
        delivery.departed_at,
    )


def render_transfer(record: TransferRecord) -> dict[str, Any]:
    """A whole transfer (or template): outgoing and template lists."""
    row = record.transfer
    head = _Head(
        row.id,
        row.kind,
        row.manifest_number,
        row.name,
        row.shipper_license_number,
        row.shipper_name,
        row.voided_at is not None,
        row.created_at,
        row.created_by_user_name,
        row.last_modified,
        row.template_id,
        row.departed_at,
    )
    return _record(head, record.counts, record.leg, None, Counts())


def render_incoming(record: DeliveryRecord) -> dict[str, Any]:
    """One delivery with its transfer's fields: incoming and rejected lists."""
    delivery = record.delivery
    head = _head_of_delivery(delivery)
    return _record(head, record.transfer_counts, record.leg, delivery, record.counts)


def render_delivery(record: DeliveryRecord) -> dict[str, Any]:
    """One delivery of a transfer or template (`/{id}/deliveries`)."""
    delivery, counts = record.delivery, record.counts
    return {
        "Id": delivery.id,
        "ManifestNumber": delivery.manifest_number,
        "DeliveryNumber": delivery.delivery_number,
        "RecipientFacilityLicenseNumber": delivery.recipient_license_number,
        "RecipientFacilityName": delivery.recipient_name,
        "ShipmentTypeName": delivery.transfer_type_name,
        "ShipmentTransactionType": _transaction_type(delivery.transfer_type_name),
        "InvoiceNumber": delivery.invoice_number,
        "EstimatedDepartureDateTime": _iso(delivery.estimated_departure_at),
        "ActualDepartureDateTime": _iso(delivery.departed_at),
        "EstimatedArrivalDateTime": _iso(delivery.estimated_arrival_at),
        "ActualArrivalDateTime": _iso(delivery.received_at),
        "GrossWeight": delivery.gross_weight,
        "GrossUnitOfWeightId": None,
        "GrossUnitOfWeightName": delivery.gross_unit,
        "PlannedRoute": delivery.planned_route,
        "DeliveryPackageCount": counts.packages,
        "DeliveryReceivedPackageCount": counts.accepted,
        "ReceivedDateTime": _iso(delivery.received_at),
        **_NO_RETURN,
        "RejectedPackagesReturned": counts.rejected > 0,
        "PDFDocumentFileSystemId": None,
    }


def render_driver(driver: DriverRow) -> dict[str, Any]:
    return {
        "ShipmentDeliveryId": driver.delivery_id,
        "DriverName": driver.driver_name,
        "DriverOccupationalLicenseNumber": driver.driver_employee_id,
        "DriverVehicleLicenseNumber": driver.drivers_license_number,
        "DriverLayoverLeg": driver.layover_leg,
        "VehicleMake": driver.vehicle_make,
        "VehicleModel": driver.vehicle_model,
        "VehicleLicensePlateNumber": driver.license_plate_number,
        "ActualDriverStartDateTime": None,
    }


def render_hub(record: DeliveryRecord) -> dict[str, Any]:
    """A delivery at a hub, with its layover leg there and that leg's drivers."""
    stop = record.delivery
    assert isinstance(stop, queries.transfers.HubRow)
    head = _head_of_delivery(stop)
    whole = _record(head, record.transfer_counts, record.leg, stop, record.counts)
    keys = (
        "Id", "ManifestNumber", "ShipperFacilityLicenseNumber", "ShipperFacilityName",
        "DeliveryCount", "ReceivedDeliveryCount", "PackageCount", "ReceivedPackageCount",
        "IsVoided", "CreatedDateTime", "CreatedByUserName", "LastModified", "DeliveryId",
        "RecipientFacilityLicenseNumber", "RecipientFacilityName", "ShipmentTypeName",
        "ShipmentTransactionType", "EstimatedDepartureDateTime", "ActualDepartureDateTime",
        "EstimatedArrivalDateTime", "ActualArrivalDateTime", "DeliveryPackageCount",
        "DeliveryReceivedPackageCount", "ReceivedDateTime", *_NO_RETURN,
    )  # fmt: skip
    return {
        **{key: whole[key] for key in keys},
        "RejectedPackagesReturned": record.counts.rejected > 0,
        **_leg(record.leg),
        "TransporterAcceptedDateTime": _iso(stop.hub_checked_in_at),
        "IsLayover": stop.is_layover,
        "TransporterEstimatedDepartureDateTime": _iso(stop.leg_estimated_departure_at),
        "TransporterActualDepartureDateTime": _iso(stop.hub_departed_at),
        "TransporterEstimatedArrivalDateTime": _iso(stop.leg_estimated_arrival_at),
        "TransporterActualArrivalDateTime": _iso(stop.hub_arrived_at),
        "ShipmentTransporterDetails": [render_driver(driver) for driver in record.drivers],
    }


def render_leg(leg: LegRow) -> dict[str, Any]:
    return {
        "ShipmentDeliveryId": leg.delivery_id,
        "TransporterFacilityLicenseNumber": leg.transporter_license_number,
        "TransporterFacilityName": leg.transporter_name,
        "TransporterDirection": "Undesignated",
    }


# The item fields a delivery package shows, each the item's own field of that name
# (items.render) prefixed with "Item".
_POTENCY = ("Percent", "Content", "ContentUnitOfMeasureName", "ContentDose")
_ITEM_FIELDS = (
    *(
        f"Unit{wire}{suffix}"
        for wire in ("Cbd", "Thc", "CbdA", "ThcA")
        for suffix in (*_POTENCY, "ContentDoseUnitOfMeasureName")
    ),
    "UnitVolume",
    "UnitVolumeUnitOfMeasureName",
    "UnitWeight",
    "UnitWeightUnitOfMeasureName",
    "ServingSize",
    "SupplyDurationDays",
    "UnitQuantity",
    "UnitQuantityUnitOfMeasureName",
)


def _joined(names: tuple[str, ...]) -> str | None:
    return ", ".join(names) or None


def render_line(record: LineRecord) -> dict[str, Any]:
    """A package on a delivery (or a template's delivery: not shipped, as it is now)."""
    line = record.line
    item = {} if record.item is None else items.render(record.item)
    return {
        "PackageId": line.package_id,
        "PackageLabel": line.package_label,
        "PackageType": line.package_type,
        "SourceHarvestNames": _joined(record.sources.harvest_names),
        "SourcePackageLabels": _joined(record.sources.package_labels),
        "ItemId": line.item_id,
        "ItemName": item.get("Name"),
        "ItemCategoryName": item.get("ProductCategoryName"),
        "ItemStrainName": item.get("StrainName"),
        "ItemBrandName": item.get("ItemBrandName"),
        **{f"Item{name}": item.get(name) for name in _ITEM_FIELDS},
        "LabTestingState": line.lab_testing_state,
        "ProductionBatchNumber": line.production_batch_number,
        "IsTradeSample": line.is_trade_sample,
        "IsTradeSamplePersistent": False,
        "SourcePackageIsTradeSample": False,
        "IsDonation": line.is_donation,
        "SourcePackageIsDonation": False,
        "IsTestingSample": line.is_testing_sample,
        "ProductRequiresRemediation": line.product_requires_remediation,
        "ContainsRemediatedProduct": line.contains_remediated_product,
        "RemediationDate": _iso(line.remediation_date),
        "ShipmentPackageState": line.state,
        "ShippedQuantity": line.shipped_quantity,
        "ShippedUnitOfMeasureName": line.shipped_unit,
        "PackagedDate": _iso(line.packaged_date),
        "ExpirationDate": _iso(line.expiration_date),
        "SellByDate": _iso(line.sell_by_date),
        "UseByDate": _iso(line.use_by_date),
        "GrossUnitOfWeightName": line.gross_unit,
        "ReceivedQuantity": line.received_quantity,
        "ReceivedUnitOfMeasureName": line.received_unit,
        "ProductLabel": product_label(line.finished_date, line.archived_date),
        "SourceProductionBatchNumbers": None,
        "ExternalId": line.external_id,
        "IsFinishedGood": line.is_finished_good,
    }


def render_wholesale(line: LineRow) -> dict[str, Any]:
    return {
        "PackageId": line.package_id,
        "PackageLabel": line.package_label,
        "ShipperWholesalePrice": line.shipper_wholesale_price,
        "ReceiverWholesalePrice": line.receiver_wholesale_price,
    }


def render_lab_test_batch(batch: tuple[int, str]) -> dict[str, Any]:
    package_id, name = batch
    return {"PackageId": package_id, "LabTestBatchId": None, "LabTestBatchName": name}


# --- what a path names, for the rows without a licence ---------------------------------------


@dataclass(frozen=True)
class Seen:
    """A transfer, template, delivery or delivery package the caller may read, and the
    facilities (party to it) it may read it for."""

    row: Any
    parties: Parties
    facilities: frozenset[int]

    @property
    def visible_to(self) -> frozenset[int] | None:
        """None when the caller reads for the owner (who sees everything), else its parties."""
        return None if self.parties.owner in self.facilities else self.facilities


Find = Callable[[Session, int], "tuple[Any, Parties] | None"]


@dataclass(frozen=True)
class Visible:
    """Loads the row a path's {id} names when the caller works, with the row's permissions,
    at a facility party to it (see the module docstring)."""

    what: str
    find: Find

    def __call__(self, call: Call) -> Seen:
        row_id = int(call.path_params["id"])
        found = self.find(call.session, row_id)
        if found is None:
            raise NotFound(f"No {self.what} {row_id} was found.")
        row, parties = found
        held = queries.transfers.employments(call.session, call.actor.user_id or 0, parties.every)
        if not held:
            raise Unauthenticated(f"The {self.what} {row_id} is not one of your facilities'.")
        wanted = call.endpoint.permissions
        allowed = frozenset(
            facility for facility, permissions in held.items() if set(wanted) <= set(permissions)
        )
        if not allowed:
            raise Forbidden(
                "Missing permission(s) at the facilities of this transfer: "
                + ", ".join(wanted)
                + "."
            )
        return Seen(row, parties, allowed)


def _transfer(templates: bool) -> Find:
    def find(session: Session, transfer_id: int) -> tuple[Any, Parties] | None:
        transfer = session.get(Transfer, transfer_id) if fits(Transfer.id, transfer_id) else None
        if transfer is None or (transfer.kind == TEMPLATE) != templates:
            return None
        if templates:
            return transfer, Parties(transfer.facility_id, frozenset())
        return transfer, queries.transfers.transfer_parties(session, transfer)

    return find


def _delivery(templates: bool) -> Find:
    def find(session: Session, delivery_id: int) -> tuple[Any, Parties] | None:
        delivery = (
            session.get(TransferDelivery, delivery_id)
            if fits(TransferDelivery.id, delivery_id)
            else None
        )
        transfer = None if delivery is None else session.get(Transfer, delivery.transfer_id)
        if delivery is None or transfer is None or (transfer.kind == TEMPLATE) != templates:
            return None
        if templates:
            return delivery, Parties(delivery.facility_id, frozenset())
        return delivery, queries.transfers.delivery_parties(session, delivery)

    return find


def _shipped_package(session: Session, shipment_id: int) -> tuple[Any, Parties] | None:
    line = (
        queries.transfers.line_named(session, shipment_id)
        if fits(PackageShipment.id, shipment_id)
        else None
    )
    delivery = None if line is None else session.get(TransferDelivery, line.delivery_id)
    if line is None or delivery is None:
        return None
    return line, queries.transfers.delivery_parties(session, delivery)


TRANSFER = Visible("transfer", _transfer(templates=False))
TEMPLATE_VISIBLE = Visible("transfer template", _transfer(templates=True))
DELIVERY = Visible("delivery", _delivery(templates=False))
TEMPLATE_DELIVERY = Visible("template delivery", _delivery(templates=True))
DELIVERY_PACKAGE = Visible("delivery package", _shipped_package)
# Rows with a licence: a transfer or template of the licence's facility.
OWN_TRANSFER = ById(Transfer, "transfer")
OWN_TEMPLATE = ById(Transfer, "transfer template")


# --- handlers --------------------------------------------------------------------------------


def _of_target(query: Callable[[Seen], Listed], render: Callable[[Any], Any]) -> Handler:
    """A list about the row the path names (`call.target`, a `Seen`)."""

    def of_call(call: Call) -> Listed:
        seen: Seen = call.target
        return query(seen)

    return listing(of_call, render)


def _by_id(query: Callable[[int], Listed]) -> Callable[[Seen], Listed]:
    return lambda seen: query(seen.row.id)


outgoing = listing(at_facility(queries.transfers.outgoing), render_transfer)
templates = listing(at_facility(queries.transfers.templates), render_transfer)
incoming = listing(at_facility(queries.transfers.incoming), render_incoming)
rejected = listing(at_facility(queries.transfers.rejected), render_incoming)
deliveries = _of_target(
    lambda seen: queries.transfers.deliveries(seen.row.id, seen.visible_to), render_delivery
)
template_deliveries = _of_target(_by_id(queries.transfers.deliveries), render_delivery)
delivery_packages = _of_target(_by_id(queries.transfers.lines), render_line)
wholesale = _of_target(
    lambda seen: queries.transfers.lines(seen.row.id, completed=False), render_wholesale
)
transporters = _of_target(_by_id(queries.transfers.legs), render_leg)
transporter_details = _of_target(_by_id(queries.transfers.drivers), render_driver)
required_lab_test_batches = _of_target(
    lambda seen: queries.transfers.required_lab_test_batches(seen.row), render_lab_test_batch
)

_HUB = listing(at_facility(queries.transfers.hub), render_hub)


def hub(call: Call) -> Listing:
    """GET /transfers/v2/hub: by last change (the row's window), or by estimated arrival."""
    start, end = call.query.get("estimatedArrivalStart"), call.query.get("estimatedArrivalEnd")
    if not start and not end:
        result: Listing = _HUB(call)
        return result
    if call.window is not None:
        raise bad_request(
            "Filter by lastModifiedStart/lastModifiedEnd or by "
            "estimatedArrivalStart/estimatedArrivalEnd, not both."
        )
    window = parse_window(
        start, end, start_name="estimatedArrivalStart", end_name="estimatedArrivalEnd"
    )
    listed = queries.transfers.hub(call.facility, by_arrival=True)
    if window is not None:
        listed = listed.within(window.start, window.end)
    return Listing(listed, render_hub)


create_templates = bulk(service.create_template)
update_templates = bulk(service.update_template)
archive_template = remove(service.archive_template)
create_external = bulk(external_transfers.create_external_transfer)
update_external = bulk(external_transfers.update_external_transfer)
void_external = remove(external_transfers.void_external_transfer)
hub_arrive = bulk(transfer_hub.hub_arrive)
hub_check_in = bulk(transfer_hub.hub_check_in)
hub_check_out = bulk(transfer_hub.hub_check_out)
hub_depart = bulk(transfer_hub.hub_depart)
