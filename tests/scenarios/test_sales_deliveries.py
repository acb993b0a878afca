"""A dispensary's deliveries through the HTTP API, on v2 and on v1: a sale delivered to a
consumer (recorded, departed, completed with one package returned), then a retailer
delivery (loaded, departed, restocked on the way, selling, ended), every package's quantity
checked after every step."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import DemoAccess, Ledger
from tests.metrc.test_sales_deliveries import ARRIVAL, DEPARTURE, SALE_TIME, Shop, line, returned

OUNCE = Decimal("28.349523125")


def _ids(answer: Any, version: str) -> None:
    if version == "v2":
        assert set(answer) == {"Ids", "Warnings"}
    else:
        assert answer is None  # v1 writes answer an empty 200


@pytest.mark.parametrize("version", ["v2", "v1"])
def test_a_delivery_and_a_retailer_delivery(
    client: TestClient, demo: DemoAccess, ledger: Ledger, version: str
) -> None:
    shop = Shop.start(client, demo, ledger)
    api = shop.api
    flower, preroll, edible = shop.package("100"), shop.package("50"), shop.package("500")

    def quantities() -> tuple[Decimal, Decimal, Decimal]:
        return shop.quantity(flower), shop.quantity(preroll), shop.quantity(edible)

    # A sale delivered to a consumer: 1 ounce of flower and 10 g of the other package.
    body = shop.delivery(line(flower, "1", "Ounces"), line(preroll, "10"))
    _ids(api.ok("POST", f"/sales/{version}/deliveries", [body]), version)
    delivery_id = shop.newest()
    assert quantities() == (Decimal(100) - OUNCE, Decimal(40), Decimal(500))
    assert shop.get(delivery_id)["SalesDeliveryState"] == "InProgress"

    _ids(api.ok("PUT", f"/sales/{version}/deliveries/hub/depart", [{"Id": delivery_id}]), version)
    shown = shop.get(delivery_id)
    assert shown["SalesDeliveryState"] == "InTransit"
    assert shown["ActualDepartureDateTime"] is not None

    # The customer takes the flower and sends back 4 g of the other package.
    complete = {
        "Id": delivery_id,
        "ActualArrivalDateTime": ARRIVAL,
        "PaymentType": "Cash",
        "AcceptedPackages": [flower],
        "ReturnedPackages": [returned(preroll, "4", "Customer Refused")],
    }
    _ids(api.ok("PUT", f"/sales/{version}/deliveries/complete", [complete]), version)
    assert quantities() == (Decimal(100) - OUNCE, Decimal(44), Decimal(500))
    done = api.ok("GET", f"/sales/{version}/deliveries/{delivery_id}")
    assert done["SalesDeliveryState"] == "Completed"
    assert {t["PackageLabel"]: t["SalesDeliveryState"] for t in done["Transactions"]} == {
        flower: "Accepted",
        preroll: "Returned",
    }
    # A recall of the returned package finds the delivery that carried it, with what came back.
    recalled = api.ok("GET", f"/leafledger/v1/recall/packages/{preroll}")
    assert recalled["Sales"] == []
    [carried] = recalled["SalesDeliveries"]
    assert (carried["DeliveryId"], carried["DeliveryState"], carried["PackageLabel"]) == (
        delivery_id,
        "Completed",
        preroll,
    )
    assert (Decimal(str(carried["Quantity"])), Decimal(str(carried["ReturnedQuantity"]))) == (
        Decimal(10),
        Decimal(4),
    )
    assert carried["Visible"] is True
    inactive = api.ok("GET", f"/sales/{version}/deliveries/inactive")
    records = inactive["Data"] if version == "v2" else inactive
    assert delivery_id in [d["Id"] for d in records]

    # A retailer delivery: 30 g of the edible package loaded, one destination planned.
    retailer = {
        "DateTime": SALE_TIME,
        **shop.carrying(),
        "EstimatedDepartureDateTime": DEPARTURE,
        "Destinations": [
            {
                "SalesCustomerType": "Consumer",
                "ConsumerId": "456DEF",
                "RecipientName": "First Stop",
                "RecipientAddressStreet1": "1 Someplace Road",
                "EstimatedArrivalDateTime": ARRIVAL,
                "Transactions": [line(edible, "5")],
            }
        ],
        "Packages": [
            {"PackageLabel": edible, "Quantity": 30, "UnitOfMeasure": "Grams", "TotalPrice": 60}
        ],
    }
    _ids(api.ok("POST", f"/sales/{version}/deliveries/retailer", [retailer]), version)
    listed = api.ok("GET", "/sales/v1/deliveries/retailer/active")
    retailer_id = max(int(d["Id"]) for d in listed)
    assert quantities()[2] == Decimal(500)  # planned, not taken yet

    depart = [{"RetailerDeliveryId": retailer_id}]
    _ids(api.ok("POST", f"/sales/{version}/deliveries/retailer/depart", depart), version)
    assert quantities()[2] == Decimal(470)
    stock = _stock(shop, retailer_id, version)[edible]
    assert (stock["OnRoadQuantity"], stock["SoldQuantity"]) == (25, 5)

    # Restocked on the way with 20 g more of it, and 10 g of the flower.
    restock = {
        "RetailerDeliveryId": retailer_id,
        "DateTime": SALE_TIME,
        "Destinations": None,
        "Packages": [
            {"PackageLabel": edible, "Quantity": 20, "UnitOfMeasure": "Grams", "TotalPrice": 40},
            {"PackageLabel": flower, "Quantity": 10, "UnitOfMeasure": "Grams", "TotalPrice": 30},
        ],
    }
    _ids(api.ok("POST", f"/sales/{version}/deliveries/retailer/restock", [restock]), version)
    assert quantities() == (Decimal(90) - OUNCE, Decimal(44), Decimal(450))

    # A sale from the road: 12 g of the edible package, 3 g of the flower.
    sale = {
        "RetailerDeliveryId": retailer_id,
        "SalesDateTime": SALE_TIME,
        "SalesCustomerType": "Consumer",
        "ConsumerId": "123ABC",
        "RecipientName": "Second Stop",
        "Transactions": [line(edible, "12"), line(flower, "3")],
    }
    _ids(api.ok("POST", f"/sales/{version}/deliveries/retailer/sale", [sale]), version)
    assert quantities() == (Decimal(90) - OUNCE, Decimal(44), Decimal(450))  # from the road
    stock = _stock(shop, retailer_id, version)
    assert (stock[edible]["OnRoadQuantity"], stock[edible]["SoldQuantity"]) == (33, 17)
    assert (stock[flower]["OnRoadQuantity"], stock[flower]["SoldQuantity"]) == (7, 3)

    # The end: what is left on the road goes back to its package.
    end = {
        "RetailerDeliveryId": retailer_id,
        "ActualArrivalDateTime": ARRIVAL,
        "Packages": [
            {"Label": edible, "EndQuantity": 33, "EndUnitOfMeasure": "Grams"},
            {"Label": flower, "EndQuantity": 7, "EndUnitOfMeasure": "Grams"},
        ],
    }
    _ids(api.ok("POST", f"/sales/{version}/deliveries/retailer/end", [end]), version)
    assert quantities() == (Decimal(97) - OUNCE, Decimal(44), Decimal(483))
    ended = api.ok("GET", f"/sales/{version}/deliveries/retailer/{retailer_id}")
    assert ended["RetailerDeliveryState"] == "Completed"
    assert len(ended["Destinations"]) == 2
    assert ended["TotalPriceSold"] == pytest.approx(9.99 * 3)
    inactive = api.ok("GET", f"/sales/{version}/deliveries/retailer/inactive")
    records = inactive["Data"] if version == "v2" else inactive
    assert retailer_id in [d["Id"] for d in records]
    # 500 g of the edible package: 5 + 12 sold from the road, the rest back.
    assert Decimal(500) - quantities()[2] == Decimal(17)


def _stock(shop: Shop, retailer_id: int, version: str) -> dict[str, dict[str, Any]]:
    shown = shop.api.ok("GET", f"/sales/{version}/deliveries/retailer/{retailer_id}")
    return {package["PackageLabel"]: package for package in shown["Packages"]}
