"""A transfer as its manifest shows it: the shipper, each destination (stop) with its route,
times, transporters, drivers and vehicles, and every package it carries.

One read model serves every rendering of a transfer that needs the whole of it: the PDF and
HTML manifests (documents/manifest.py) and the Trace transfer objects
(dialects/trace/resources/transfers.py). `complete` reads a page of transfers (rows of
`TransferRow`) in a fixed number of statements, whatever the number of transfers, stops or
packages: the deliveries, the legs, the drivers, the packages, their items and the shippers'
addresses, one statement each.

`visible_to`: a recipient reads only the stops that go to it (as the Metrc rows show a
recipient the deliveries that concern it); the owner reads them all.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session

from leafledger.domain.models import Facility, Transfer, TransferDelivery
from leafledger.domain.models.transfer import TEMPLATE
from leafledger.domain.queries.base import Complete, Listed
from leafledger.domain.queries.items import item_rows
from leafledger.domain.queries.transfers import (
    DeliveryRow,
    DriverRow,
    LegRow,
    LineRow,
    TransferRow,
)


@dataclass(frozen=True)
class ManifestDriver:
    name: str
    employee_id: str
    drivers_license_number: str
    vehicle_make: str
    vehicle_model: str
    license_plate_number: str
    layover_leg: str | None


@dataclass(frozen=True)
class ManifestLeg:
    transporter_facility_id: int
    transporter_name: str
    transporter_license_number: str
    phone_number: str | None
    is_layover: bool
    estimated_departure_at: datetime | None
    estimated_arrival_at: datetime | None
    drivers: tuple[ManifestDriver, ...]


@dataclass(frozen=True)
class ManifestPackage:
    package_id: int
    label: str
    item_id: int
    item_name: str | None
    quantity: Decimal  # as shipped (a template's, or before departure: as it is now)
    unit: str
    lab_testing_state: str
    state: str | None  # Shipped, Accepted, Rejected; None on a template
    received_quantity: Decimal | None
    received_unit: str | None
    shortage: Decimal | None
    rejection_reason: str | None
    gross_weight: Decimal | None
    gross_unit: str | None


@dataclass(frozen=True)
class ManifestStop:
    delivery_id: int
    number: int
    recipient_facility_id: int
    recipient_name: str
    recipient_license_number: str
    transfer_type: str
    invoice_number: str | None
    planned_route: str | None
    estimated_departure_at: datetime
    estimated_arrival_at: datetime
    departed_at: datetime | None
    received_at: datetime | None
    gross_weight: Decimal | None
    gross_unit: str | None
    legs: tuple[ManifestLeg, ...]
    packages: tuple[ManifestPackage, ...]


@dataclass(frozen=True)
class Manifest:
    transfer_id: int
    facility_id: int  # the owner: the shipper (an external transfer's: its receiver)
    kind: str
    name: str | None
    manifest_number: str | None
    template_id: int | None
    shipper_name: str
    shipper_license_number: str
    # What the ledger knows of the shipper's address (an external shipper's, as described).
    shipper_address: tuple[str, ...]
    shipper_phone: str | None
    created_at: datetime
    created_by: str | None
    departed_at: datetime | None
    voided_at: datetime | None
    archived_at: datetime | None
    last_modified: datetime
    stops: tuple[ManifestStop, ...]

    @property
    def packages(self) -> tuple[ManifestPackage, ...]:
        return tuple(package for stop in self.stops for package in stop.packages)


def _addresses(
    session: Session, ids: Collection[int]
) -> dict[int, tuple[tuple[str, ...], str | None]]:
    rows = session.execute(
        select(
            Transfer.id,
            Transfer.shipper_address1,
            Transfer.shipper_address2,
            Transfer.shipper_address_city,
            Transfer.shipper_address_state,
            Transfer.shipper_address_postal_code,
            Transfer.shipper_main_phone_number,
        ).where(Transfer.id.in_(sorted(ids)))
    )
    found = {}
    for transfer_id, one, two, city, state, postal, phone in rows:
        town = " ".join(part for part in (state, postal) if part)
        last = ", ".join(part for part in (city, town) if part)
        found[transfer_id] = (tuple(line for line in (one, two, last) if line), phone)
    return found


def complete(
    session: Session, transfers: list[TransferRow], visible_to: int | None = None
) -> list[Manifest]:
    """A page of transfers as manifests (six statements at most, whatever the page holds);
    `visible_to`: only the stops to that facility, on the transfers it does not own."""
    if not transfers:
        return []
    ids = [transfer.id for transfer in transfers]
    deliveries = list(
        session.scalars(
            select(DeliveryRow)
            .where(DeliveryRow.transfer_id.in_(sorted(ids)))
            .order_by(DeliveryRow.transfer_id, DeliveryRow.delivery_number, DeliveryRow.id)
        )
    )
    owners = {transfer.id: transfer.facility_id for transfer in transfers}
    if visible_to is not None:
        deliveries = [
            delivery
            for delivery in deliveries
            if owners[delivery.transfer_id] == visible_to
            or delivery.recipient_facility_id == visible_to
        ]
    delivery_ids = sorted(delivery.id for delivery in deliveries)
    legs: dict[int, list[LegRow]] = {delivery_id: [] for delivery_id in delivery_ids}
    drivers: dict[int, list[ManifestDriver]] = {}
    lines: dict[int, list[LineRow]] = {delivery_id: [] for delivery_id in delivery_ids}
    if delivery_ids:
        for leg in session.scalars(
            select(LegRow).where(LegRow.delivery_id.in_(delivery_ids)).order_by(LegRow.id)
        ):
            legs[leg.delivery_id].append(leg)
        for driver in session.scalars(
            select(DriverRow).where(DriverRow.delivery_id.in_(delivery_ids)).order_by(DriverRow.id)
        ):
            drivers.setdefault(driver.transporter_id, []).append(
                ManifestDriver(
                    driver.driver_name,
                    driver.driver_employee_id,
                    driver.drivers_license_number,
                    driver.vehicle_make,
                    driver.vehicle_model,
                    driver.license_plate_number,
                    driver.layover_leg,
                )
            )
        for line in session.scalars(
            select(LineRow).where(LineRow.delivery_id.in_(delivery_ids)).order_by(LineRow.id)
        ):
            lines[line.delivery_id].append(line)
    items = item_rows(session, {line.item_id for found in lines.values() for line in found})
    addresses = _addresses(session, ids)

    def package(line: LineRow) -> ManifestPackage:
        item = items.get(line.item_id)
        return ManifestPackage(
            line.package_id,
            line.package_label,
            line.item_id,
            None if item is None else item.name,
            line.shipped_quantity,
            line.shipped_unit,
            line.lab_testing_state,
            line.state,
            line.received_quantity,
            line.received_unit,
            line.shortage,
            line.rejection_reason,
            line.gross_weight,
            line.gross_unit,
        )

    stops: dict[int, list[ManifestStop]] = {transfer_id: [] for transfer_id in ids}
    for delivery in deliveries:
        stops[delivery.transfer_id].append(
            ManifestStop(
                delivery.id,
                delivery.delivery_number,
                delivery.recipient_facility_id,
                delivery.recipient_name,
                delivery.recipient_license_number,
                delivery.transfer_type_name,
                delivery.invoice_number,
                delivery.planned_route,
                delivery.estimated_departure_at,
                delivery.estimated_arrival_at,
                delivery.departed_at,
                delivery.received_at,
                delivery.gross_weight,
                delivery.gross_unit,
                tuple(
                    ManifestLeg(
                        leg.transporter_facility_id,
                        leg.transporter_name,
                        leg.transporter_license_number,
                        leg.phone_number,
                        leg.is_layover,
                        leg.estimated_departure_at,
                        leg.estimated_arrival_at,
                        tuple(drivers.get(leg.id, ())),
                    )
                    for leg in legs[delivery.id]
                ),
                tuple(package(line) for line in lines[delivery.id]),
            )
        )
    manifests = []
    for transfer in transfers:
        address, phone = addresses.get(transfer.id, ((), None))
        manifests.append(
            Manifest(
                transfer.id,
                transfer.facility_id,
                transfer.kind,
                transfer.name,
                transfer.manifest_number,
                transfer.template_id,
                transfer.shipper_name,
                transfer.shipper_license_number,
                address,
                phone,
                transfer.created_at,
                transfer.created_by_user_name,
                transfer.departed_at,
                transfer.voided_at,
                transfer.archived_at,
                transfer.last_modified,
                tuple(stops[transfer.id]),
            )
        )
    return manifests


def is_party(session: Session, transfer: TransferRow, facility_id: int) -> bool:
    """Whether the facility owns the transfer or receives a delivery of it."""
    if transfer.facility_id == facility_id:
        return True
    to_it = session.scalar(
        select(TransferDelivery.id)
        .where(
            TransferDelivery.transfer_id == transfer.id,
            TransferDelivery.recipient_facility_id == facility_id,
        )
        .limit(1)
    )
    return to_it is not None


def manifest_for(session: Session, transfer_id: int, facility_id: int) -> Manifest | None:
    """The manifest of a transfer (not a template) as `facility` may read it: its owner all
    of it, a recipient its own stops; None for any other facility (or no such transfer)."""
    row = session.get(TransferRow, transfer_id)
    if row is None or row.kind == TEMPLATE or not is_party(session, row, facility_id):
        return None
    [found] = complete(session, [row], visible_to=facility_id)
    return found


def completing(facility_id: int) -> Complete:
    """The completing step of transfers read by the facility (its stops of others')."""

    def step(session: Session, rows: list[Any]) -> list[Any]:
        return list(complete(session, rows, visible_to=facility_id))

    return step


OUTGOING, INCOMING = "outgoing", "incoming"
# The standings a list of transfers may be narrowed to.
STANDINGS = ("active", "in_transit", "received", "voided")


def transfers_of(
    facility: Facility, *, direction: str | None = None, standing: str | None = None
) -> Listed:
    """The transfers (not templates) the facility ships (`outgoing`), receives (`incoming`)
    or either (no direction), oldest first, as manifests; `standing`: only those registered
    (active), departed and not all received (in_transit), all received, or voided."""
    to_it = exists().where(
        TransferDelivery.transfer_id == TransferRow.id,
        TransferDelivery.recipient_facility_id == facility.id,
    )
    mine = TransferRow.facility_id == facility.id
    conditions: list[ColumnElement[bool]] = [TransferRow.kind != TEMPLATE]
    conditions.append({OUTGOING: mine, INCOMING: to_it}.get(direction or "", or_(mine, to_it)))
    waiting = exists().where(
        TransferDelivery.transfer_id == TransferRow.id, TransferDelivery.received_at.is_(None)
    )
    live = TransferRow.voided_at.is_(None)
    if standing == "active":
        conditions += [live, TransferRow.departed_at.is_(None)]
    elif standing == "in_transit":
        conditions += [live, TransferRow.departed_at.is_not(None), waiting]
    elif standing == "received":
        conditions += [live, TransferRow.departed_at.is_not(None), ~waiting]
    elif standing == "voided":
        conditions.append(TransferRow.voided_at.is_not(None))
    source = select(TransferRow).where(*conditions).order_by(TransferRow.id)
    return Listed(source, modified=TransferRow.last_modified, complete=completing(facility.id))
