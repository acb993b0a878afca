"""What transfer tests share: a shipper with packages that may leave, a transporter facility
with a driver and a vehicle, recipients, and the requests that plan, ship and receive.

Packages are put in the ledger as tested (`TestPassed`): the lab results endpoints are
another part of the project, and the leave gate only reads the lab testing state.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from leafledger.domain.models import AuditEvent, Facility, Package
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger, unique
from tests.metrc.test_harvests import Api, Grow
from tests.metrc.test_package_inventory import stock

DEPARTURE = "2024-03-06T09:15:00Z"
ARRIVAL = "2024-03-06T12:24:00Z"


def audit_length(store: Store) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def package_row(store: Store, label: str) -> Package:
    with store.read() as session:
        found = session.scalars(select(Package).where(Package.label == label)).one()
        session.expunge(found)
        return found


@dataclass
class Party:
    """A facility the demo user works at, and its requests."""

    facility: Facility
    api: Api

    @property
    def license(self) -> str:
        return self.facility.license_number


@dataclass
class Carrier(Party):
    """A transporter facility with one driver and one vehicle on record."""

    driver: str
    plate: str

    def leg(self, *, layover: bool = False, **more: Any) -> dict[str, Any]:
        return {
            "TransporterFacilityLicenseNumber": self.license,
            "DriverLicenseNumber": self.driver,
            "VehicleLicensePlateNumber": self.plate,
            "IsLayover": layover,
            **more,
        }


@dataclass
class Shipping:
    client: TestClient
    demo: DemoAccess
    ledger: Ledger
    store: Store
    grow: Grow
    shipper: Party

    @classmethod
    def start(cls, client: TestClient, demo: DemoAccess, ledger: Ledger, store: Store) -> Shipping:
        grow = Grow.start(ledger, store)
        return cls(
            client, demo, ledger, store, grow, Party(grow.facility, Api(client, demo, grow.license))
        )

    def party(self, license_type: str) -> Party:
        facility = self.ledger.facility(license_type)
        self.ledger.grant_demo_user(facility.license_number)
        return Party(facility, Api(self.client, self.demo, facility.license_number))

    def carrier(self, license_type: str = "Distributor") -> Carrier:
        party = self.party(license_type)
        driver, plate = unique("DL"), unique("PLATE")
        party.api.ok(
            "POST",
            "/transporters/v2/drivers",
            [
                {
                    "Name": unique("Driver"),
                    "EmployeeId": unique("EMP"),
                    "DriversLicenseNumber": driver,
                }
            ],
        )
        party.api.ok(
            "POST",
            "/transporters/v2/vehicles",
            [{"Make": "Volvo", "Model": "FH16", "LicensePlateNumber": plate}],
        )
        return Carrier(party.facility, party.api, driver, plate)

    def packages(self, *quantities: str, item: str | None = None, **columns: Any) -> list[str]:
        """Packages of the shipper that may leave (tested and passed)."""
        columns.setdefault("lab_testing_state", "TestPassed")
        return [stock(self.grow, quantity, item=item, **columns) for quantity in quantities]

    @staticmethod
    def destination(
        recipient: Party,
        labels: list[str],
        legs: list[dict[str, Any]],
        transfer_type: str = "Transfer",
        **more: Any,
    ) -> dict[str, Any]:
        return {
            "RecipientLicenseNumber": recipient.license,
            "TransferTypeName": transfer_type,
            "PlannedRoute": "Down the road.",
            "EstimatedDepartureDateTime": DEPARTURE,
            "EstimatedArrivalDateTime": ARRIVAL,
            "Transporters": legs,
            "Packages": [{"PackageLabel": label} for label in labels],
            **more,
        }

    def register(self, *destinations: dict[str, Any], by: Party | None = None) -> int:
        """A licensed transfer (the extension), its id."""
        api = (by or self.shipper).api
        ids = api.ok("POST", "/leafledger/v1/transfers", [{"Destinations": list(destinations)}])
        return int(ids["Ids"][0])

    def depart(self, transfer_id: int, by: Party | None = None) -> None:
        (by or self.shipper).api.ok("POST", f"/leafledger/v1/transfers/{transfer_id}/depart")

    def delivery_of(self, transfer_id: int, recipient: Party) -> int:
        incoming = recipient.api.ok("GET", "/transfers/v2/incoming")["Data"]
        return int(next(d["DeliveryId"] for d in incoming if d["Id"] == transfer_id))

    @staticmethod
    def receive(
        recipient: Party, transfer_id: int, *decisions: dict[str, Any], **more: Any
    ) -> httpx.Response:
        return recipient.api.call(
            "POST",
            f"/leafledger/v1/transfers/{transfer_id}/receive",
            {"Packages": list(decisions), **more},
        )

    @staticmethod
    def hub_step(
        hub: Party, step: str, delivery_id: int, direction: str = "Outbound"
    ) -> httpx.Response:
        body = [{"ShipmentDeliveryId": delivery_id, "TransporterDirection": direction}]
        return hub.api.call("POST", f"/transfers/v2/hub/{step}", body)


def accept(label: str, quantity: str | Decimal, unit: str = "Grams", **more: Any) -> dict[str, Any]:
    return {
        "PackageLabel": label,
        "ShipmentPackageState": "Accepted",
        "ReceivedQuantity": str(quantity),
        "ReceivedUnitOfMeasureName": unit,
        **more,
    }


def reject(label: str, reason: str = "Damaged in transit") -> dict[str, Any]:
    return {"PackageLabel": label, "ShipmentPackageState": "Rejected", "RejectionReason": reason}
