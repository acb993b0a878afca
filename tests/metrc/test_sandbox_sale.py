"""A first sale on a fresh sandbox dispensary, by the requests the README's Sales section lists:
a strain, an item, a room and tags, then sandbox packages (sellable at once), then a receipt,
seen again as a Trace sale."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from tests.conftest import DemoAccess, Ledger, unique
from tests.metrc.test_harvests import Api
from tests.trace.conftest import kmp_token


def test_a_fresh_dispensary_sells_sandbox_stock(
    client: TestClient, demo: DemoAccess, ledger: Ledger
) -> None:
    shop = ledger.facility("Dispensary")
    ledger.grant_demo_user(shop.license_number)
    api = Api(client, demo, shop.license_number)

    # Nothing to make packages of yet: a clear refusal, not a 500.
    refused = api.call("POST", "/sandbox/v2/packages/create", {"Count": 1})
    assert refused.status_code == 400 and "make such an item first" in refused.text

    strain, item = unique("Demo Kush"), unique("Demo Flower")
    api.ok("POST", "/strains/v2/", [{"Name": strain, "TestingStatus": "None", "ThcLevel": 0.2,
                                     "CbdLevel": 0.01, "IndicaPercentage": 50,
                                     "SativaPercentage": 50}])  # fmt: skip
    api.ok("POST", "/items/v2/", [{"ItemCategory": "Buds", "Name": item,
                                   "UnitOfMeasure": "Grams", "Strain": strain}])  # fmt: skip
    api.ok("POST", "/locations/v2/", [{"Name": "Sales Floor", "LocationTypeName": "Sales Floor"}])
    tags = api.ok("POST", "/sandbox/v2/facility/tags", {"TagType": "Marijuana Package", "Count": 5})
    assert len(tags["Labels"]) == 5
    made = api.ok("POST", "/sandbox/v2/packages/create", {"Count": 2})
    assert len(made["Ids"]) == 2
    active = api.ok("GET", "/packages/v2/active")["Data"]
    assert [(p["Quantity"], p["UnitOfMeasureName"], p["LabTestingState"]) for p in active] == [
        (100, "Grams", "TestPassed")
    ] * 2
    label = active[0]["Label"]

    sold_at = datetime.now(ZoneInfo(shop.timezone)).replace(tzinfo=None) - timedelta(hours=1)
    number = unique("POS")
    receipt = {
        "SalesDateTime": sold_at.isoformat(timespec="seconds"),
        "SalesCustomerType": "Consumer",
        "ExternalReceiptNumber": number,
        "Transactions": [
            {"PackageLabel": label, "Quantity": 3.5, "UnitOfMeasure": "Grams", "TotalAmount": 35}
        ],
    }
    api.ok("POST", "/sales/v2/receipts", [receipt])
    left = {p["Label"]: p["Quantity"] for p in api.ok("GET", "/packages/v2/active")["Data"]}
    assert left[label] == 96.5

    trace = client.get(
        f"/{shop.state_code.lower()}/v1/sales",
        params={"license_number": shop.license_number},
        headers={
            "x-api-key": demo.trace_api_key,
            "Authorization": kmp_token(demo.vendor_key, demo.user_key),
        },
    )
    assert trace.status_code == 200, trace.text
    (sale,) = trace.json()["results"]["data"]
    assert sale["external_id"] == number
    assert [(i["barcode"], i["quantity"], i["total"]) for i in sale["line_items"]] == [
        (label, "3.5", "35.00")
    ]
