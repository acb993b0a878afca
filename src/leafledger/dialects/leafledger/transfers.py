"""Transfers beyond Metrc's API: register one (from a template or directly), void it before
it departs, depart it, and receive a delivery of it. The rules are the services'
(domain/services/transfers.py, transfer_receipts.py); a transfer registered here is read
through Metrc's rows like any other (`/transfers/v2/outgoing`, `/{id}/deliveries`...).

- POST /leafledger/v1/transfers: up to 10 transfers, each `{"TransferTemplateId": id}` (a
  copy of the shipper's template, as it is now) or `{"Destinations": [...]}` in the shape of
  a template's (`POST /transfers/v2/templates/outgoing`); answers the transfer ids.
- DELETE /leafledger/v1/transfers/{id}: void a transfer that has not departed.
- POST /leafledger/v1/transfers/{id}/depart: the transfer leaves; its packages are in transit.
- POST /leafledger/v1/transfers/{id}/receive: the licence's delivery of transfer {id},
  received: `{"ReceivedDateTime": ..., "Packages": [...]}`, every package of the delivery
  once, `"ShipmentPackageState": "Accepted"` with `ReceivedQuantity` and
  `ReceivedUnitOfMeasureName` (and optionally `Location`, `Sublocation`,
  `ReceiverWholesalePrice`), or `"Rejected"` with a `RejectionReason`; answers the delivery id.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from leafledger.dialects.kit.bodies import Loads
from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.factories import bulk, remove
from leafledger.dialects.kit.results import Written
from leafledger.dialects.metrc.bodies import MetrcBody
from leafledger.dialects.metrc.resources.transfers import DestinationBody
from leafledger.dialects.metrc.wire import Licence, Name, Note, WireId, WireQuantity, WireTimestamp
from leafledger.domain.models import Transfer, TransferDelivery
from leafledger.domain.services import transfer_receipts as receipts
from leafledger.domain.services import transfers as service


class NewTransferBody(MetrcBody):
    command = service.NewTransfer
    template: Annotated[WireId | None, Loads(Transfer, "transfer template")] = Field(
        default=None, alias="TransferTemplateId"
    )
    destinations: list[DestinationBody] = Field(default_factory=list)


class PackageReceiptBody(MetrcBody):
    command = receipts.PackageReceipt
    label: Licence | None = Field(default=None, alias="PackageLabel")
    state: Licence | None = Field(default=None, alias="ShipmentPackageState")
    received_quantity: WireQuantity | None = None
    received_unit: Licence | None = Field(default=None, alias="ReceivedUnitOfMeasureName")
    location: Name | None = None
    sublocation: Name | None = None
    receiver_wholesale_price: WireQuantity | None = None
    rejection_reason: Note | None = None


class ReceiptBody(MetrcBody):
    command = receipts.DeliveryReceipt
    received_at: WireTimestamp | None = Field(default=None, alias="ReceivedDateTime")
    packages: list[PackageReceiptBody] = Field(
        default_factory=list, max_length=service.MAX_PACKAGES
    )


def delivery_to_licence(call: Call) -> TransferDelivery:
    """The loader of /{id}/receive: the delivery of transfer {id} to the licence."""
    return receipts.delivery_to(call.session, call.facility, int(call.path_params["id"]))


register = bulk(service.register_transfer)
void = remove(service.void_transfer)
depart = remove(service.depart_transfer)


def receive(call: Call) -> Written:
    delivery = receipts.receive_delivery(
        call.session, call.actor, call.facility, call.target, call.command
    )
    return Written([delivery.id])
