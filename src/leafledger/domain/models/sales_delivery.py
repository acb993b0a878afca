"""Sales deliveries: sales carried to a consumer's or patient's door, and retailer deliveries
(a vehicle loaded with stock that sells from the road).

A `SalesDelivery` is one sale delivered to one recipient, owned by the selling facility. Its
lines (`SalesDeliveryLine`) each take a quantity of one package. A delivery made on its own
takes its quantities from the packages when it is recorded; a destination of a retailer
delivery (`retailer_delivery_id`) takes them from that delivery's stock on the road instead.

A `RetailerDelivery` is one trip of one driver and vehicle. Its `RetailerDeliveryPackage`
rows are the stock it carries: planned when recorded, taken from the packages when it
departs, sold from on the way (its destinations and sales), restocked, and given back, what
is left of it, when it ends.

The life of a sales delivery (services/sales_deliveries.py): InProgress -> (a hub: accepted
by it) -> InTransit (departed) -> (a hub: the recipient's identity verified) -> Completed,
each line accepted or returned; before it departs it may be changed or voided. A retailer
delivery: InProgress -> InTransit (departed, restocked on the way) -> Completed (ended);
before it departs it may be changed or voided.

These tables are their own: sales receipts (domain/models/sales_receipt.py, another part)
keep theirs.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column

from leafledger.domain.models.base import Base, JsonColumn, Timestamped

IN_PROGRESS, IN_TRANSIT, COMPLETED, VOIDED = "InProgress", "InTransit", "Completed", "Voided"
ACTIVE_STATES = (IN_PROGRESS, IN_TRANSIT)
ACCEPTED, RETURNED = "Accepted", "Returned"


class RetailerDelivery(Timestamped, Base):
    __tablename__ = "retailer_deliveries"
    __table_args__ = (Index("ix_retailer_deliveries_facility_state", "facility_id", "state", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    state: Mapped[str] = mapped_column(String(16), default=IN_PROGRESS)
    recorded_at: Mapped[datetime]  # DateTime: when the trip was planned
    driver_id: Mapped[int] = mapped_column(ForeignKey("drivers.id"))
    vehicle_id: Mapped[int] = mapped_column(ForeignKey("vehicles.id"))
    phone_number: Mapped[str | None] = mapped_column(String(64))
    estimated_departure_at: Mapped[datetime | None]
    departed_at: Mapped[datetime | None]
    restocked_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]  # ActualArrivalDateTime of the end
    voided_at: Mapped[datetime | None]
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class RetailerDeliveryPackage(Timestamped, Base):
    """A package a retailer delivery carries; quantities in the package's own unit but the
    planned one, kept as posted."""

    __tablename__ = "retailer_delivery_packages"

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    retailer_delivery_id: Mapped[int] = mapped_column(
        ForeignKey("retailer_deliveries.id"), index=True
    )
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id"), index=True)
    quantity: Mapped[Decimal]  # planned, in `unit_of_measure_name`
    unit_of_measure_name: Mapped[str] = mapped_column(String(32))
    planned: Mapped[Decimal]  # the planned quantity in the package's unit
    total_price: Mapped[Decimal | None]
    taken: Mapped[Decimal] = mapped_column(default=Decimal(0))  # from the package, in all
    on_road: Mapped[Decimal] = mapped_column(default=Decimal(0))  # carried now
    sold: Mapped[Decimal] = mapped_column(default=Decimal(0))
    given_back: Mapped[Decimal] = mapped_column(default=Decimal(0))  # returned to the package
    removed: Mapped[bool] = mapped_column(default=False, server_default=false())


class SalesDelivery(Timestamped, Base):
    __tablename__ = "sales_deliveries"
    __table_args__ = (
        Index("ix_sales_deliveries_facility_state", "facility_id", "state", "id"),
        Index("ix_sales_deliveries_facility_sales_at", "facility_id", "sales_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    # A destination of (or sale from) a retailer delivery: its lines take that delivery's stock.
    retailer_delivery_id: Mapped[int | None] = mapped_column(
        ForeignKey("retailer_deliveries.id"), index=True
    )
    state: Mapped[str] = mapped_column(String(16), default=IN_PROGRESS)
    sales_at: Mapped[datetime]
    customer_type: Mapped[str] = mapped_column(String(32))
    patient_license_number: Mapped[str | None] = mapped_column(String(64))
    consumer_id: Mapped[str | None] = mapped_column(String(64))
    # Who carries it: the facility's own (or the hub's) driver and vehicle on record.
    transporter_facility_id: Mapped[int | None] = mapped_column(ForeignKey("facilities.id"))
    driver_id: Mapped[int | None] = mapped_column(ForeignKey("drivers.id"))
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicles.id"))
    phone_number: Mapped[str | None] = mapped_column(String(64))
    recipient_name: Mapped[str | None] = mapped_column(String(200))
    recipient_address_street1: Mapped[str | None] = mapped_column(String(200))
    recipient_address_street2: Mapped[str | None] = mapped_column(String(200))
    recipient_address_city: Mapped[str | None] = mapped_column(String(200))
    recipient_address_county: Mapped[str | None] = mapped_column(String(200))
    recipient_address_state: Mapped[str | None] = mapped_column(String(64))
    recipient_address_postal_code: Mapped[str | None] = mapped_column(String(64))
    recipient_zone_id: Mapped[str | None] = mapped_column(String(64))
    planned_route: Mapped[str | None] = mapped_column(String(1000))
    estimated_departure_at: Mapped[datetime | None]
    estimated_arrival_at: Mapped[datetime | None]
    # A hub (a facility that carries sales deliveries for others), once one is named.
    is_hub: Mapped[bool] = mapped_column(default=False, server_default=false())
    hub_accepted_at: Mapped[datetime | None]
    departed_at: Mapped[datetime | None]
    id_verified_at: Mapped[datetime | None]
    arrived_at: Mapped[datetime | None]
    payment_type: Mapped[str | None] = mapped_column(String(64))
    completed_at: Mapped[datetime | None]
    voided_at: Mapped[datetime | None]
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SalesDeliveryLine(Timestamped, Base):
    """One package of a sales delivery: what was sold of it, and, once completed, whether the
    recipient accepted it or what came back and why."""

    __tablename__ = "sales_delivery_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    delivery_id: Mapped[int] = mapped_column(ForeignKey("sales_deliveries.id"), index=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id"), index=True)
    quantity: Mapped[Decimal]  # as posted, in `unit_of_measure_name`
    unit_of_measure_name: Mapped[str] = mapped_column(String(32))
    drawn: Mapped[Decimal]  # the same quantity in the package's unit
    total_amount: Mapped[Decimal]
    # The sale's other figures, kept as posted (numbers as strings, null when not sent).
    details: Mapped[dict[str, object]] = mapped_column(JsonColumn, default=dict)
    state: Mapped[str | None] = mapped_column(String(16))  # ACCEPTED or RETURNED, at completion
    returned_quantity: Mapped[Decimal | None]
    returned_unit_of_measure_name: Mapped[str | None] = mapped_column(String(32))
    returned: Mapped[Decimal | None]  # given back, in the package's unit
    return_reason: Mapped[str | None] = mapped_column(String(100))
    return_reason_note: Mapped[str | None] = mapped_column(String(1000))
