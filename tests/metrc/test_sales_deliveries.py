"""Sales deliveries and retailer deliveries through the Metrc dialect: what each endpoint
does and refuses (a 400 naming the row and the wire field, nothing changed), the shapes of
Metrc's examples, and what a page of each list costs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from leafledger.domain.models import PatientPurchase
from tests.conftest import SHARED, DemoAccess, Ledger, unique
from tests.metrc.test_harvests import Api, Grow
from tests.metrc.test_package_inventory import allow, stock
from tests.statements import page_statements
from tests.transfers import audit_length, package_row

SALE_TIME = "2024-03-06T10:10:19.000"
DEPARTURE = "2024-03-06T11:00:00.000"
ARRIVAL = "2024-03-06T13:00:00.000"


@dataclass
class Shop:
    """A dispensary that delivers, with a driver and a vehicle on record and tested stock."""

    grow: Grow
    api: Api
    driver: str
    plate: str

    @classmethod
    def start(
        cls,
        client: TestClient,
        demo: DemoAccess,
        ledger: Ledger,
        license_type: str = "Dispensary",
        flags: tuple[str, ...] = ("RetailerDelivery",),
    ) -> Shop:
        grow = Grow.start(ledger, ledger.store, license_type)
        if flags:
            allow(ledger.store, grow.facility.id, *flags)
        api = Api(client, demo, grow.license)
        driver, plate = unique("DL"), unique("PLATE")
        drivers = [
            {"Name": "Dee Driver", "EmployeeId": unique("E"), "DriversLicenseNumber": driver}
        ]
        api.ok("POST", "/transporters/v2/drivers", drivers)
        vehicles = [{"Make": "Car", "Model": "Small", "LicensePlateNumber": plate}]
        api.ok("POST", "/transporters/v2/vehicles", vehicles)
        return cls(grow, api, driver, plate)

    @property
    def license(self) -> str:
        return self.grow.license

    def package(self, quantity: str = "100", unit: str = "Grams", **columns: Any) -> str:
        columns.setdefault("lab_testing_state", "TestPassed")
        return stock(self.grow, quantity, unit, **columns)

    def quantity(self, label: str) -> Decimal:
        return package_row(self.grow.store, label).quantity

    def carrying(self) -> dict[str, Any]:
        return {
            "DriverEmployeeId": "1",
            "DriverName": "John Doe",
            "DriversLicenseNumber": self.driver,
            "VehicleMake": "Car",
            "VehicleModel": "Small",
            "VehicleLicensePlateNumber": self.plate,
        }

    def delivery(self, *lines: dict[str, Any], **more: Any) -> dict[str, Any]:
        return {
            "SalesDateTime": SALE_TIME,
            "SalesCustomerType": "Consumer",
            "ConsumerId": "123ABC",
            "RecipientName": "Ray Recipient",
            "PhoneNumberForQuestions": "+1-123-456-7890",
            **self.carrying(),
            "RecipientAddressStreet1": "1 Someplace Road",
            "RecipientAddressCity": "Denver",
            "RecipientAddressState": "CO",
            "RecipientAddressPostalCode": "11111",
            "PlannedRoute": "Drive to destination.",
            "EstimatedDepartureDateTime": DEPARTURE,
            "EstimatedArrivalDateTime": ARRIVAL,
            "Transactions": list(lines),
            **more,
        }

    def deliver(self, *lines: dict[str, Any], version: str = "v2", **more: Any) -> int:
        self.api.ok("POST", f"/sales/{version}/deliveries", [self.delivery(*lines, **more)])
        return self.newest()

    def newest(self) -> int:
        listed = self.api.ok("GET", "/sales/v1/deliveries/active")
        return max(int(d["Id"]) for d in listed)

    def get(self, delivery_id: int) -> dict[str, Any]:
        found: dict[str, Any] = self.api.ok("GET", f"/sales/v2/deliveries/{delivery_id}")
        return found

    def step(self, step: str, delivery_id: int, **more: Any) -> httpx.Response:
        return self.api.call("PUT", f"/sales/v2/deliveries/{step}", [{"Id": delivery_id, **more}])


def line(label: str, quantity: str = "10", unit: str = "Grams", **more: Any) -> dict[str, Any]:
    return {
        "PackageLabel": label,
        "Quantity": float(quantity),
        "UnitOfMeasure": unit,
        "TotalAmount": 9.99,
        **more,
    }


def returned(label: str, quantity: str, reason: str = "Spoilage", **more: Any) -> dict[str, Any]:
    return {
        "Label": label,
        "ReturnQuantityVerified": float(quantity),
        "ReturnUnitOfMeasure": "Grams",
        "ReturnReason": reason,
        "ReturnReasonNote": "",
        **more,
    }


def refused(response: httpx.Response, row: int, *words: str) -> str:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body[0]["row"] == row, body
    message = str(body[0]["message"])
    for word in words:
        assert word in message, message
    return message


@pytest.fixture()
def shop(client: TestClient, demo: DemoAccess, ledger: Ledger) -> Shop:
    return Shop.start(client, demo, ledger)


@pytest.fixture(scope="module")
def examples() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SHARED / "spec" / "metrc" / "v2-examples.json").read_text())
    return data


# --- sales deliveries


def test_a_delivery_takes_its_lines_from_the_packages_in_their_units(
    shop: Shop, examples: dict[str, Any]
) -> None:
    grams, ounces = shop.package("100"), shop.package("100")
    delivery_id = shop.deliver(line(grams, "10"), line(ounces, "1", "Ounces"))
    assert shop.quantity(grams) == Decimal("90")
    assert shop.quantity(ounces) == Decimal("100") - Decimal("28.349523125")
    shown = shop.get(delivery_id)
    example = examples["GET /sales/v2/deliveries/{id}"]["response_example"]
    assert set(example) <= set(shown)
    assert shown["SalesDateTime"] == SALE_TIME
    assert shown["SalesDeliveryState"] == "InProgress"
    assert shown["DriversLicenseNumber"] == shop.driver
    assert shown["DriverName"] == "Dee Driver"  # the record's, not the body's
    assert shown["TotalPackages"] == 2 and shown["TotalPrice"] == pytest.approx(19.98)
    assert [t["PackageLabel"] for t in shown["Transactions"]] == [grams, ounces]
    assert shown["Transactions"][1]["UnitOfMeasureName"] == "Ounces"
    active = shop.api.ok("GET", "/sales/v2/deliveries/active")
    assert set(active) == set(examples["GET /sales/v2/deliveries/active"]["response_example"])
    assert delivery_id in [d["Id"] for d in active["Data"]]


def test_metrc_s_example_body_is_read(shop: Shop, examples: dict[str, Any]) -> None:
    body = examples["POST /sales/v2/deliveries"]["request_example"]
    first, second = shop.package("100", "Ounces"), shop.package("100", "Ounces")
    sent = dict(body[0], **shop.carrying(), ConsumerId="1", RecipientName="R")
    sent.pop("TransporterFacilityLicenseNumber")
    sent["Transactions"] = [
        dict(sent["Transactions"][0], PackageLabel=first),
        dict(sent["Transactions"][1], PackageLabel=second),
    ]
    answer = shop.api.ok("POST", "/sales/v2/deliveries", [sent])
    assert set(answer) == {"Ids", "Warnings"} and len(answer["Ids"]) == 1
    assert shop.quantity(first) == Decimal("99")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"is_on_hold": True}, "Transactions[0].PackageLabel"),
        ({"lab_testing_state": "TestFailed"}, "Transactions[0].PackageLabel"),
    ],
)
def test_a_package_that_may_not_leave_is_refused(
    shop: Shop, change: dict[str, Any], field: str
) -> None:
    label = shop.package("100", **change)
    before = audit_length(shop.grow.store)
    response = shop.api.call("POST", "/sales/v2/deliveries", [shop.delivery(line(label))])
    refused(response, 0, field)
    assert shop.quantity(label) == Decimal("100")
    assert audit_length(shop.grow.store) == before


def test_a_refused_row_keeps_nothing_of_the_body(shop: Shop) -> None:
    first, second = shop.package("100"), shop.package("5")
    body = [shop.delivery(line(first, "10")), shop.delivery(line(second, "6"))]
    refused(shop.api.call("POST", "/sales/v2/deliveries", body), 1, "Transactions[0].Quantity")
    assert shop.quantity(first) == Decimal("100")
    assert shop.quantity(second) == Decimal("5")
    # Two lines of one package together may not take more than it holds either.
    both = shop.delivery(line(second, "3"), line(second, "3"))
    refused(shop.api.call("POST", "/sales/v2/deliveries", [both]), 0, "Transactions[1].Quantity")
    assert shop.quantity(second) == Decimal("5")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"DriversLicenseNumber": "NOBODY"}, "DriversLicenseNumber"),
        ({"VehicleLicensePlateNumber": "NOPLATE"}, "VehicleLicensePlateNumber"),
        ({"SalesCustomerType": "Martian"}, "SalesCustomerType"),
        ({"SalesCustomerType": "Patient", "PatientLicenseNumber": "P-1"}, "SalesCustomerType"),
        ({"ConsumerId": None}, "ConsumerId"),
        ({"SalesDateTime": None}, "SalesDateTime"),
        ({"Transactions": []}, "Transactions"),
    ],
)
def test_refusals_name_the_wire_field(shop: Shop, change: dict[str, Any], field: str) -> None:
    label = shop.package("100")
    body = shop.delivery(line(label), **change)
    refused(shop.api.call("POST", "/sales/v2/deliveries", [body]), 0, field)
    assert shop.quantity(label) == Decimal("100")


def test_a_line_s_unit_must_measure_its_package(shop: Shop) -> None:
    label = shop.package("100")
    body = shop.delivery(line(label, "1", "Each"))
    refused(
        shop.api.call("POST", "/sales/v2/deliveries", [body]), 0, "Transactions[0].UnitOfMeasure"
    )


def test_a_facility_that_may_not_deliver_is_refused(
    client: TestClient, demo: DemoAccess, ledger: Ledger
) -> None:
    farm = Shop.start(client, demo, ledger, "Cultivator", flags=())
    label = farm.package("100")
    response = farm.api.call("POST", "/sales/v2/deliveries", [farm.delivery(line(label))])
    refused(response, 0, "SalesCustomerType", "may not deliver sales to consumers")
    response = farm.api.call("POST", "/sales/v2/deliveries/retailer", [{"Packages": []}])
    refused(response, 0, "may not make retailer deliveries")


def test_a_change_gives_back_the_old_lines_and_takes_the_new(shop: Shop) -> None:
    first, second = shop.package("100"), shop.package("100")
    delivery_id = shop.deliver(line(first, "10"))
    change = shop.delivery(line(second, "4"), Id=delivery_id, RecipientName="Someone Else")
    assert shop.api.ok("PUT", "/sales/v2/deliveries", [change]) == {
        "Ids": [delivery_id],
        "Warnings": None,
    }
    assert (shop.quantity(first), shop.quantity(second)) == (Decimal("100"), Decimal("96"))
    shown = shop.get(delivery_id)
    assert shown["RecipientName"] == "Someone Else"
    assert [t["PackageLabel"] for t in shown["Transactions"]] == [second]


def test_voiding_gives_everything_back(shop: Shop) -> None:
    label = shop.package("100")
    delivery_id = shop.deliver(line(label, "10"))
    assert shop.api.ok("DELETE", f"/sales/v2/deliveries/{delivery_id}") == {
        "Ids": [delivery_id],
        "Warnings": None,
    }
    assert shop.quantity(label) == Decimal("100")
    inactive = shop.api.ok("GET", "/sales/v2/deliveries/inactive")["Data"]
    assert [d["SalesDeliveryState"] for d in inactive if d["Id"] == delivery_id] == ["Voided"]
    assert shop.api.call("DELETE", f"/sales/v2/deliveries/{delivery_id}").status_code == 400


def test_a_departed_delivery_can_be_neither_changed_nor_voided(shop: Shop) -> None:
    label = shop.package("100")
    delivery_id = shop.deliver(line(label, "10"))
    assert shop.step("hub/depart", delivery_id).status_code == 200
    assert shop.get(delivery_id)["SalesDeliveryState"] == "InTransit"
    change = shop.delivery(line(label, "1"), Id=delivery_id)
    refused(shop.api.call("PUT", "/sales/v2/deliveries", [change]), 0, "departed")
    response = shop.api.call("DELETE", f"/sales/v2/deliveries/{delivery_id}")
    assert response.status_code == 400, response.text
    assert shop.quantity(label) == Decimal("90")
    refused(shop.step("hub/depart", delivery_id), 0, "already departed")


def test_completing_records_acceptance_and_returns(shop: Shop) -> None:
    kept, back = shop.package("100"), shop.package("100")
    delivery_id = shop.deliver(line(kept, "10"), line(back, "10"))
    complete = {
        "Id": delivery_id,
        "ActualArrivalDateTime": ARRIVAL,
        "PaymentType": "Cash",
        "AcceptedPackages": [kept],
        "ReturnedPackages": [returned(back, "4")],
    }
    for wrong, field in (
        ({"ReturnReason": None}, "ReturnedPackages[0].ReturnReason"),
        ({"ReturnReason": "Boredom"}, "ReturnedPackages[0].ReturnReason"),
        ({"ReturnReason": "Other"}, "ReturnedPackages[0].ReturnReasonNote"),
        ({"ReturnQuantityVerified": 11}, "ReturnedPackages[0].ReturnQuantityVerified"),
        ({"ReturnUnitOfMeasure": "Each"}, "ReturnedPackages[0].ReturnUnitOfMeasure"),
        ({"Label": "NOT-ON-IT"}, "ReturnedPackages[0].Label"),
    ):
        body = dict(complete, ReturnedPackages=[returned(back, "4", **wrong)])
        refused(shop.api.call("PUT", "/sales/v2/deliveries/complete", [body]), 0, field)
    both = dict(complete, AcceptedPackages=[kept, back])
    refused(shop.api.call("PUT", "/sales/v2/deliveries/complete", [both]), 0, "named twice")
    assert shop.quantity(back) == Decimal("90")
    assert shop.api.ok("PUT", "/sales/v2/deliveries/complete", [complete]) == {
        "Ids": [delivery_id],
        "Warnings": None,
    }
    assert (shop.quantity(kept), shop.quantity(back)) == (Decimal("90"), Decimal("94"))
    shown = shop.get(delivery_id)
    assert shown["SalesDeliveryState"] == "Completed"
    assert shown["ActualArrivalDateTime"] == ARRIVAL
    assert shown["PaymentType"] == "Cash"
    states = {t["PackageLabel"]: t for t in shown["Transactions"]}
    assert states[kept]["SalesDeliveryState"] == "Accepted"
    assert states[back]["SalesDeliveryState"] == "Returned"
    assert states[back]["ReturnReason"] == "Spoilage"
    assert states[back]["ReturnQuantityVerified"] == 4
    refused(shop.api.call("PUT", "/sales/v2/deliveries/complete", [complete]), 0, "completed")


def test_the_return_reasons_list(shop: Shop) -> None:
    reasons = shop.api.ok("GET", "/sales/v2/deliveries/returnreasons")["Data"]
    assert {"Name": "Spoilage"}.items() <= reasons[0].items()


def test_a_hub_accepts_departs_and_verifies_in_order(
    client: TestClient, demo: DemoAccess, ledger: Ledger, shop: Shop
) -> None:
    hub = Shop.start(client, demo, ledger, "Distributor", flags=())
    label = shop.package("100")
    delivery_id = shop.deliver(line(label, "10"))
    refused(shop.step("hub/accept", delivery_id), 0, "no hub")
    assign = {
        **hub.carrying(),
        "TransporterFacilityId": hub.license,
        "PlannedRoute": "Via the hub.",
        "EstimatedDepartureDateTime": DEPARTURE,
        "EstimatedArrivalDateTime": ARRIVAL,
    }
    wrong = dict(assign, DriversLicenseNumber=shop.driver)  # the shop's driver, not the hub's
    refused(shop.step("hub", delivery_id, **wrong), 0, "DriversLicenseNumber")
    assert shop.step("hub", delivery_id, **assign).status_code == 200
    shown = shop.get(delivery_id)
    assert shown["TransporterFacilityLicenseNumber"] == hub.license
    assert shown["DriversLicenseNumber"] == hub.driver
    refused(shop.step("hub/depart", delivery_id), 0, "accepted by its hub")
    refused(shop.step("hub/verifyID", delivery_id, PaymentType="Cash"), 0, "must depart")
    assert shop.step("hub/accept", delivery_id).status_code == 200
    refused(shop.step("hub/accept", delivery_id), 0, "already accepted")
    change = shop.delivery(line(label, "1"), Id=delivery_id)
    refused(shop.api.call("PUT", "/sales/v2/deliveries", [change]), 0, "accepted by its hub")
    assert shop.step("hub/depart", delivery_id).status_code == 200
    complete = {"Id": delivery_id, "AcceptedPackages": [label]}
    refused(shop.api.call("PUT", "/sales/v2/deliveries/complete", [complete]), 0, "verified")
    refused(shop.step("hub/verifyID", delivery_id, PaymentType="Gold"), 0, "PaymentType")
    assert shop.step("hub/verifyID", delivery_id, PaymentType="Cash").status_code == 200
    assert shop.api.ok("PUT", "/sales/v2/deliveries/complete", [complete])["Ids"] == [delivery_id]
    shown = shop.get(delivery_id)
    assert shown["SalesDeliveryState"] == "Completed"
    assert shown["AcceptedDateTime"] is not None and shown["PaymentType"] == "Cash"
    assert shop.quantity(label) == Decimal("90")


def test_a_patient_sale_over_the_limit_is_refused(
    client: TestClient, demo: DemoAccess, ledger: Ledger
) -> None:
    flags = ("CanSellToPatients", "CanDeliverSalesToPatients")
    shop = Shop.start(client, demo, ledger, flags=flags)
    licence = unique("PAT")
    registration = {
        "LicenseNumber": licence,
        "LicenseEffectiveStartDate": "2024-01-01",
        "LicenseEffectiveEndDate": "2030-12-31",
        "FlowerOuncesAllowed": 1.0,
        "ActualDate": "2024-01-08",
    }
    shop.api.ok("POST", "/patients/v2", [registration])
    label = shop.package("200")
    patient = {"SalesCustomerType": "Patient", "PatientLicenseNumber": licence}
    over = shop.delivery(line(label, "30"), **patient)
    message = refused(shop.api.call("POST", "/sales/v2/deliveries", [over]), 0, "flower")
    assert "left" in message
    assert shop.quantity(label) == Decimal("200")
    unknown = shop.delivery(line(label, "3"), SalesCustomerType="Patient")
    refused(shop.api.call("POST", "/sales/v2/deliveries", [unknown]), 0, "PatientLicenseNumber")
    delivery_id = shop.deliver(line(label, "20"), **patient)
    assert shop.quantity(label) == Decimal("180")
    # The patient's purchase is recorded when the delivery is completed, net of the return.
    complete = {"Id": delivery_id, "ReturnedPackages": [returned(label, "5")]}
    shop.api.ok("PUT", "/sales/v2/deliveries/complete", [complete])
    with shop.grow.store.read() as session:
        bought = session.scalars(
            select(PatientPurchase.quantity).where(
                PatientPurchase.patient_license_number == licence
            )
        ).all()
    assert bought == [Decimal("15")]
    # What is left (about 13.35 g) refuses a second sale of 14 g.
    again = shop.delivery(line(label, "14"), **patient)
    refused(shop.api.call("POST", "/sales/v2/deliveries", [again]), 0, "flower")


def test_v1_writes_answer_an_empty_200(shop: Shop) -> None:
    label = shop.package("100")
    response = shop.api.call("POST", "/sales/v1/deliveries", [shop.delivery(line(label, "10"))])
    assert response.status_code == 200 and response.content == b""
    delivery_id = shop.newest()
    listed = shop.api.ok("GET", "/sales/v1/deliveries/active")
    assert isinstance(listed, list) and delivery_id in [d["Id"] for d in listed]
    assert shop.api.ok("GET", f"/sales/v1/deliveries/{delivery_id}")["Id"] == delivery_id
    response = shop.api.call("DELETE", f"/sales/v1/deliveries/{delivery_id}")
    assert response.status_code == 200 and response.content == b""
    assert shop.quantity(label) == Decimal("100")


def test_lists_filter_by_sales_date_or_last_change(shop: Shop) -> None:
    label = shop.package("100")
    early = shop.deliver(line(label, "1"), SalesDateTime="2024-03-06T08:00:00.000")
    late = shop.deliver(line(label, "1"), SalesDateTime="2024-03-07T08:00:00.000")
    window = {"salesDateStart": "2024-03-06T00:00:00", "salesDateEnd": "2024-03-06T23:59:59"}
    ids = [d["Id"] for d in shop.api.ok("GET", "/sales/v2/deliveries/active", **window)["Data"]]
    assert early in ids and late not in ids
    both = {**window, "lastModifiedStart": "2024-03-06T00:00:00Z"}
    both["lastModifiedEnd"] = "2024-03-06T10:00:00Z"
    response = shop.api.call("GET", "/sales/v2/deliveries/active", **both)
    assert response.status_code == 400, response.text
    wide = {"salesDateStart": "2024-03-01T00:00:00", "salesDateEnd": "2024-03-06T00:00:00"}
    assert shop.api.call("GET", "/sales/v2/deliveries/active", **wide).status_code == 400


def test_another_facility_s_delivery_is_not_found_here(
    client: TestClient, demo: DemoAccess, ledger: Ledger, shop: Shop
) -> None:
    other = Shop.start(client, demo, ledger)
    delivery_id = shop.deliver(line(shop.package("100"), "1"))
    assert other.api.call("GET", f"/sales/v2/deliveries/{delivery_id}").status_code == 401
    change = other.delivery(line(other.package("100"), "1"), Id=delivery_id)
    response = other.api.call("PUT", "/sales/v2/deliveries", [change])
    assert response.status_code in (400, 401), response.text
    assert shop.get(delivery_id)["SalesDeliveryState"] == "InProgress"


def test_a_page_of_deliveries_costs_the_same_at_any_size(client: TestClient, shop: Shop) -> None:
    label = shop.package("1000")
    for _ in range(3):
        shop.deliver(line(label, "1"), line(label, "2"))
    engine = shop.grow.store.engine
    headers = shop.api.headers
    params = {"licenseNumber": shop.license}
    counts = page_statements(client, engine, "/sales/v2/deliveries/active", headers, params, (1, 3))
    assert counts[1][0] == 1 and counts[3][0] == 3
    assert counts[1][1] == counts[3][1]
    retailer_id = _retailer(shop, label)
    assert retailer_id
    counts = page_statements(
        client, engine, "/sales/v2/deliveries/retailer/active", headers, params, (1, 20)
    )
    assert counts[1][1] == counts[20][1]


# --- retailer deliveries


def _retailer(shop: Shop, *labels: str, quantity: str = "10") -> int:
    body = {
        "DateTime": SALE_TIME,
        **shop.carrying(),
        "EstimatedDepartureDateTime": DEPARTURE,
        "Destinations": None,
        "Packages": [
            {"PackageLabel": label, "Quantity": float(quantity), "UnitOfMeasure": "Grams",
             "TotalPrice": 9.99}
            for label in labels
        ],
    }  # fmt: skip
    shop.api.ok("POST", "/sales/v2/deliveries/retailer", [body])
    listed = shop.api.ok("GET", "/sales/v1/deliveries/retailer/active")
    return max(int(d["Id"]) for d in listed)


def test_a_retailer_delivery_and_its_refusals(shop: Shop, examples: dict[str, Any]) -> None:
    label, other = shop.package("100"), shop.package("100")
    retailer_id = _retailer(shop, label, quantity="30")
    assert shop.quantity(label) == Decimal("100")  # nothing leaves before departure
    shown = shop.api.ok("GET", f"/sales/v2/deliveries/retailer/{retailer_id}")
    assert set(examples["GET /sales/v2/deliveries/retailer/{id}"]["response_example"]) <= set(shown)
    assert shown["RetailerDeliveryState"] == "InProgress"
    depart = [{"RetailerDeliveryId": retailer_id}]
    sale = {
        "RetailerDeliveryId": retailer_id,
        "SalesDateTime": SALE_TIME,
        "SalesCustomerType": "Consumer",
        "ConsumerId": "C-1",
        "RecipientName": "R",
        "Transactions": [line(label, "5")],
    }
    refused(shop.api.call("POST", "/sales/v2/deliveries/retailer/sale", [sale]), 0, "not departed")
    shop.api.ok("POST", "/sales/v2/deliveries/retailer/depart", depart)
    assert shop.quantity(label) == Decimal("70")
    refused(shop.api.call("POST", "/sales/v2/deliveries/retailer/depart", depart), 0, "on the road")
    too_much = dict(sale, Transactions=[line(label, "31")])
    response = shop.api.call("POST", "/sales/v2/deliveries/retailer/sale", [too_much])
    refused(response, 0, "Transactions[0].Quantity", "left on the delivery")
    elsewhere = dict(sale, Transactions=[line(other, "1")])
    response = shop.api.call("POST", "/sales/v2/deliveries/retailer/sale", [elsewhere])
    refused(response, 0, "Transactions[0].PackageLabel", "not carried")
    change = {"Id": retailer_id, **shop.carrying(), "Packages": []}
    refused(shop.api.call("PUT", "/sales/v2/deliveries/retailer", [change]), 0, "on the road")
    response = shop.api.call("DELETE", f"/sales/v2/deliveries/retailer/{retailer_id}")
    assert response.status_code == 400
    end = {"RetailerDeliveryId": retailer_id, "ActualArrivalDateTime": ARRIVAL}
    wrong = dict(end, Packages=[{"Label": label, "EndQuantity": 29, "EndUnitOfMeasure": "Grams"}])
    response = shop.api.call("POST", "/sales/v2/deliveries/retailer/end", [wrong])
    refused(response, 0, "Packages[0].EndQuantity")
    assert shop.quantity(label) == Decimal("70")


def test_a_retailer_delivery_is_changed_or_voided_before_it_departs(shop: Shop) -> None:
    label, other = shop.package("100"), shop.package("100")
    retailer_id = _retailer(shop, label)
    change = {
        "Id": retailer_id,
        "DateTime": SALE_TIME,
        **shop.carrying(),
        "Packages": [{"PackageLabel": other, "Quantity": 7, "UnitOfMeasure": "Grams"}],
        "Destinations": [
            {
                "SalesCustomerType": "Consumer",
                "ConsumerId": "C",
                "RecipientName": "R",
                "Transactions": [line(other, "8")],
            }
        ],
    }
    response = shop.api.call("PUT", "/sales/v2/deliveries/retailer", [change])
    refused(response, 0, "Destinations[0].Transactions[0].Quantity")
    change["Destinations"][0]["Transactions"] = [line(other, "2")]
    shop.api.ok("PUT", "/sales/v2/deliveries/retailer", [change])
    shown = shop.api.ok("GET", f"/sales/v2/deliveries/retailer/{retailer_id}")
    assert [p["PackageLabel"] for p in shown["Packages"]] == [other]
    assert len(shown["Destinations"]) == 1
    shop.api.ok("DELETE", f"/sales/v2/deliveries/retailer/{retailer_id}")
    inactive = shop.api.ok("GET", "/sales/v2/deliveries/retailer/inactive")["Data"]
    assert [d["RetailerDeliveryState"] for d in inactive if d["Id"] == retailer_id] == ["Voided"]
    assert (shop.quantity(label), shop.quantity(other)) == (Decimal("100"), Decimal("100"))


def test_the_purchase_count_is_unchanged_by_a_refused_sale(shop: Shop) -> None:
    with shop.grow.store.read() as session:
        before = session.scalar(select(func.count()).select_from(PatientPurchase))
    label = shop.package("1")
    refused(shop.api.call("POST", "/sales/v2/deliveries", [shop.delivery(line(label, "2"))]), 0)
    with shop.grow.store.read() as session:
        assert session.scalar(select(func.count()).select_from(PatientPurchase)) == before


def test_a_retailer_delivery_s_destination_moves_only_with_it(shop: Shop) -> None:
    label = shop.package("100")
    body = {
        "DateTime": SALE_TIME,
        **shop.carrying(),
        "Packages": [{"PackageLabel": label, "Quantity": 10, "UnitOfMeasure": "Grams"}],
        "Destinations": [
            {
                "SalesCustomerType": "Consumer",
                "ConsumerId": "C",
                "RecipientName": "R",
                "Transactions": [line(label, "4")],
            }
        ],
    }
    shop.api.ok("POST", "/sales/v2/deliveries/retailer", [body])
    destination = shop.newest()
    refused(shop.step("hub/depart", destination), 0, "part of the retailer delivery")
    assert shop.api.call("DELETE", f"/sales/v2/deliveries/{destination}").status_code == 400
    complete = {"Id": destination, "AcceptedPackages": [label]}
    response = shop.api.call("PUT", "/sales/v2/deliveries/complete", [complete])
    refused(response, 0, "has not left")
    assert shop.quantity(label) == Decimal("100")
