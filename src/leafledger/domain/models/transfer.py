"""Transfers: what leaves one facility for others, as planned, shipped and received.

A `Transfer` is one manifest (or one template of manifests), owned by the facility that keeps
it (`facility_id`): the shipper of a licensed transfer or of a template, the receiver of an
external incoming transfer (whose shipper is outside the ledger and described by the
`shipper_*` columns). Its `kind` says which of the three it is.

Each transfer goes to one or more destinations, one `TransferDelivery` each (a licensed
facility of the ledger). A delivery is carried by one or more `TransferTransporter` legs (a
transporter facility, its driver and vehicle, perhaps a layover at that facility: a hub), and
each leg by one or more `TransferDriver` pairs (the leg's own driver and vehicle, then the
further ones a layover leg names). The packages of a delivery are `PackageShipment` rows
(domain/models/package.py); a template's are `TemplatePackage` rows, mere plans.

The life of a licensed transfer (services/transfers.py):
registered -> departed (its packages in transit) -> each delivery, through its hubs (arrived,
checked in, checked out, departed), received: each package accepted (the receiver's from then
on) or rejected (back at the shipper). Before departure it may be voided.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column

from leafledger.domain.models.base import Base, Timestamped

TEMPLATE, LICENSED, EXTERNAL = "Template", "Licensed", "External"


class Transfer(Timestamped, Base):
    __tablename__ = "transfers"
    __table_args__ = (Index("ix_transfers_facility_kind", "facility_id", "kind", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    kind: Mapped[str] = mapped_column(String(16))  # TEMPLATE, LICENSED or EXTERNAL
    name: Mapped[str | None] = mapped_column(String(200))  # a template's
    # Ten digits, the transfer's id: a template has none.
    manifest_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    # The template a transfer was registered from.
    template_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id"))
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    departed_at: Mapped[datetime | None]
    voided_at: Mapped[datetime | None]
    archived_at: Mapped[datetime | None]  # a template taken out of use
    # The shipper of an external incoming transfer, as the receiver describes it.
    shipper_license_number: Mapped[str | None] = mapped_column(String(64))
    shipper_name: Mapped[str | None] = mapped_column(String(200))
    shipper_main_phone_number: Mapped[str | None] = mapped_column(String(64))
    shipper_address1: Mapped[str | None] = mapped_column(String(200))
    shipper_address2: Mapped[str | None] = mapped_column(String(200))
    shipper_address_city: Mapped[str | None] = mapped_column(String(200))
    shipper_address_state: Mapped[str | None] = mapped_column(String(64))
    shipper_address_postal_code: Mapped[str | None] = mapped_column(String(64))


class TransferDelivery(Timestamped, Base):
    """One destination of a transfer: a recipient facility, by one transfer type."""

    __tablename__ = "transfer_deliveries"
    __table_args__ = (
        Index("ix_transfer_deliveries_facility", "facility_id", "id"),
        Index("ix_transfer_deliveries_recipient", "recipient_facility_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))  # the transfer's
    transfer_id: Mapped[int] = mapped_column(ForeignKey("transfers.id"), index=True)
    delivery_number: Mapped[int]  # 1, 2... within the transfer
    recipient_facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    transfer_type_name: Mapped[str] = mapped_column(String(64))
    invoice_number: Mapped[str | None] = mapped_column(String(100))
    planned_route: Mapped[str | None] = mapped_column(String(1000))
    estimated_departure_at: Mapped[datetime]
    estimated_arrival_at: Mapped[datetime]
    gross_weight: Mapped[Decimal | None]
    gross_unit: Mapped[str | None] = mapped_column(String(32))
    departed_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]


class TransferTransporter(Timestamped, Base):
    """One leg of a delivery: the facility that carries it and, for a layover leg, holds it
    at its hub on the way (`is_layover`), with the hub's steps as they happen."""

    __tablename__ = "transfer_transporters"
    __table_args__ = (
        Index("ix_transfer_transporters_hub", "transporter_facility_id", "is_layover", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))  # the transfer's
    delivery_id: Mapped[int] = mapped_column(ForeignKey("transfer_deliveries.id"), index=True)
    transporter_facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    phone_number: Mapped[str | None] = mapped_column(String(64))
    is_layover: Mapped[bool] = mapped_column(default=False, server_default=false())
    estimated_departure_at: Mapped[datetime | None]
    estimated_arrival_at: Mapped[datetime | None]
    # At a hub (a layover leg): the last step done (services/transfer_hub.py) and when each was.
    hub_state: Mapped[str | None] = mapped_column(String(16))
    hub_arrived_at: Mapped[datetime | None]
    hub_checked_in_at: Mapped[datetime | None]
    hub_checked_out_at: Mapped[datetime | None]
    hub_departed_at: Mapped[datetime | None]


class TransferDriver(Timestamped, Base):
    """A driver and vehicle of a leg, from the transporter facility's records."""

    __tablename__ = "transfer_drivers"

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))  # the transfer's
    transporter_id: Mapped[int] = mapped_column(ForeignKey("transfer_transporters.id"), index=True)
    driver_id: Mapped[int] = mapped_column(ForeignKey("drivers.id"))
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicles.id"))
    # ToLayover, FromLayover, FromAndToLayover, or none.
    layover_leg: Mapped[str | None] = mapped_column(String(32))


class TemplatePackage(Timestamped, Base):
    """A package a template plans to send; checked again when a transfer is made from it."""

    __tablename__ = "transfer_template_packages"

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    delivery_id: Mapped[int] = mapped_column(ForeignKey("transfer_deliveries.id"), index=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id"))
    wholesale_price: Mapped[Decimal | None]
    gross_weight: Mapped[Decimal | None]
    gross_unit: Mapped[str | None] = mapped_column(String(32))
