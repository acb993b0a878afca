"""A day at a dispensary through Metrc v2, Metrc v1 and Trace, mixed, over one ledger.

Sandbox packages are made at the dispensary (`POST /sandbox/v2/packages/create`, sellable at
once); 50 sales are recorded (20 through Metrc v2, 10 through Metrc v1, 20 through Trace);
a price change (Trace, on a Metrc receipt), a void (Metrc, of a Trace sale) and a refund
(Trace, of a v1 receipt) follow; a patient buys up to their limit (one ounce of flower,
through Trace) and the next sale is refused in both dialects; then every receipt is
finalized. After each step every package's quantity, and the count and total of the sales,
are checked from both dialects (Metrc packages and receipts, Trace lots and sales).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from leafledger.domain.services.lookups import facility_today
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger, unique
from tests.metrc.test_harvests import Api, Grow
from tests.metrc.test_package_inventory import allow
from tests.metrc.test_sales import line, receipt
from tests.trace.conftest import TraceAccess, TraceClient
from tests.trace.test_sales import item, sale
from tests.trace.test_sales_one_ledger import same_lines

PRICE = Decimal(10)


def _d(value: Any) -> Decimal:
    return Decimal(str(value))


class Books:
    """What the scenario expects: each package's quantity, and the active sales' total."""

    def __init__(self, labels: dict[int, str]) -> None:
        self.labels = labels
        self.left = {package_id: Decimal(100) for package_id in labels}
        self.total = Decimal(0)
        self.count = 0

    def sold(self, package_id: int, grams: Decimal, money: Decimal) -> None:
        self.left[package_id] -= grams
        self.total += money
        self.count += 1


def _metrc_receipts(api: Api) -> list[dict[str, Any]]:
    found, page = [], 1
    while True:
        body = api.ok("GET", "/sales/v2/receipts/active", pageNumber=str(page), pageSize="20")
        found += body["Data"]
        if page >= body["TotalPages"]:
            return found
        page += 1


def _trace_sales(sales: TraceClient) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = sales.get(limit=1000).json()["results"]["data"]
    return data


def check(api: Api, sales: TraceClient, lots: TraceClient, books: Books) -> None:
    for package_id, left in books.left.items():
        assert _d(api.ok("GET", f"/packages/v2/{package_id}")["Quantity"]) == left
        assert _d(lots.data("GET", f"/{package_id}")["quantity"]) == left
    metrc, trace = _metrc_receipts(api), _trace_sales(sales)
    assert len(metrc) == len(trace) == books.count
    assert sum(_d(r["TotalPrice"]) for r in metrc) == books.total
    assert sum(_d(s["totals"]["total"]) for s in trace) == books.total
    for theirs, mine in zip(metrc, trace, strict=True):
        assert str(theirs["Id"]) == mine["id"]
        same_lines(mine, theirs)
    assert [r["Id"] for r in api.ok("GET", "/sales/v1/receipts/active")] == [r["Id"] for r in metrc]


def test_a_retail_day_in_three_dialects(
    client: TestClient, demo: DemoAccess, ledger: Ledger, store: Store
) -> None:
    trace = TraceAccess(demo.trace_api_key, demo.vendor_key, demo.user_key)
    shop = Grow.start(ledger, store, "Dispensary")
    allow(store, shop.facility.id, "CanSellToPatients")
    api = Api(client, demo, shop.license)
    sales = TraceClient(client, trace, shop.license, resource="sales")
    lots = sales.at("lots")

    # Sandbox packages at the dispensary, sellable at once.
    shop.item("Buds")
    shop.package_tags(3)
    ids = api.ok("POST", "/sandbox/v2/packages/create", {"Count": 3})["Ids"]
    labels = {pid: api.ok("GET", f"/packages/v2/{pid}")["Label"] for pid in ids}
    books = Books(labels)
    check(api, sales, lots, books)

    # 50 sales: 20 through Metrc v2, 10 through Metrc v1, 20 through Trace.
    def metrc_body(n: int) -> dict[str, Any]:
        pid = ids[n % 3]
        books.sold(pid, Decimal(1), PRICE)
        return receipt(
            shop, line(labels[pid], 1, "Grams", total="10.00"), ExternalReceiptNumber=unique("M")
        )

    for batch in range(2):
        api.ok("POST", "/sales/v2/receipts", [metrc_body(batch * 10 + n) for n in range(10)])
    v1 = [metrc_body(20 + n) for n in range(10)]
    assert api.call("POST", "/sales/v1/receipts", v1).content == b""
    for _ in range(2):
        bodies = []
        for n in range(10):
            pid = ids[n % 3]
            books.sold(pid, Decimal(2), Decimal(20))
            bodies.append(sale(shop, item(str(pid), "2", "10.00"), external_id=unique("T")))
        response = client.post(
            sales.url(),
            params={"license_number": shop.license},
            json={"sales": bodies},
            headers=trace.headers,
        )
        assert response.status_code == 200, response.text
    check(api, sales, lots, books)
    metrc = _metrc_receipts(api)
    assert len(metrc) == 50

    # A price change through Trace on a Metrc v2 receipt (10.00 -> 12.50).
    first = metrc[0]
    pid = first["Transactions"][0]["PackageId"]
    changed = sales.data(
        "PUT",
        f"/{first['Id']}",
        {
            "actions": {"id": "KMSAN0002"},
            "line_items": [{"lot": {"id": str(pid)}, "amount": "12.50"}],
        },
    )
    assert changed["totals"]["total"] == "12.50"
    books.total += Decimal("2.50")
    check(api, sales, lots, books)

    # A void through Metrc of a Trace sale: its 2 g go back.
    trace_sale = metrc[30]
    api.ok("DELETE", f"/sales/v2/receipts/{trace_sale['Id']}")
    books.left[trace_sale["Transactions"][0]["PackageId"]] += 2
    books.total -= Decimal(20)
    books.count -= 1
    check(api, sales, lots, books)
    assert sales.get(entity_state="inactive").json()["results"]["data"][0]["id"] == str(
        trace_sale["Id"]
    )

    # A refund through Trace of a v1 receipt's whole line: the receipt is voided.
    v1_receipt = metrc[20]
    v1_pid = v1_receipt["Transactions"][0]["PackageId"]
    sales.data(
        "PUT",
        f"/{v1_receipt['Id']}",
        {"actions": {"id": "KMSAN0004"}, "line_items": [{"lot": {"id": str(v1_pid)}}]},
    )
    books.left[v1_pid] += 1
    books.total -= PRICE
    books.count -= 1
    check(api, sales, lots, books)
    # And a partial refund of a Trace sale: 1 of its 2 g.
    partial = _metrc_receipts(api)[-1]
    p_pid = partial["Transactions"][0]["PackageId"]
    refunded = sales.data(
        "PUT",
        f"/{partial['Id']}",
        {
            "actions": {"id": "KMSAN0004"},
            "line_items": [{"lot": {"id": str(p_pid)}, "quantity": "1"}],
        },
    )
    assert refunded["refunds"] == [{"lot": {"id": str(p_pid)}, "quantity": "1"}]
    books.left[p_pid] += 1
    books.total -= PRICE
    check(api, sales, lots, books)

    # A patient buys up to their limit (1 oz of flower) through Trace; the next gram is refused
    # in both dialects.
    patient = unique("PAT")
    today = facility_today(shop.facility)
    api.ok(
        "POST",
        "/patients/v2",
        [
            {
                "LicenseNumber": patient,
                "FlowerOuncesAllowed": 1,
                "ActualDate": today.isoformat(),
                "LicenseEffectiveStartDate": (today - timedelta(days=30)).isoformat(),
                "LicenseEffectiveEndDate": (today + timedelta(days=300)).isoformat(),
            }
        ],
    )
    as_patient = {
        "customer_types": {"id": "COKOMCT0002"},
        "identifications": [{"types": {"id": "COKOMIT0002"}, "id": patient}],
    }
    ounce = sale(shop, item(str(ids[0]), "1", "250.00", unit_of_measure="Ounces"), **as_patient)
    response = client.post(
        sales.url(),
        params={"license_number": shop.license},
        json={"sales": [ounce]},
        headers=trace.headers,
    )
    assert response.status_code == 200, response.text
    books.sold(ids[0], Decimal("28.349523125"), Decimal(250))
    check(api, sales, lots, books)
    status = api.ok("GET", f"/patients/v2/statuses/{patient}")
    assert status
    one_more = sale(shop, item(str(ids[1]), "1", "10.00"), **as_patient)
    refused = client.post(
        sales.url(),
        params={"license_number": shop.license},
        json={"sales": [one_more]},
        headers=trace.headers,
    )
    assert refused.status_code == 400 and refused.json()["warnings"][0]["type"] == "purchase_limit"
    metrc_one = receipt(
        shop, line(labels[ids[1]], 1), SalesCustomerType="Patient", PatientLicenseNumber=patient
    )
    assert api.call("POST", "/sales/v2/receipts", [metrc_one]).status_code == 400
    check(api, sales, lots, books)

    # Finalize every active receipt (Metrc, 10 per request); Trace shows them final and
    # refuses to change them.
    active = [r["Id"] for r in _metrc_receipts(api)]
    for start in range(0, len(active), 10):
        api.ok(
            "PUT", "/sales/v2/receipts/finalize", [{"Id": i} for i in active[start : start + 10]]
        )
    finals = _trace_sales(sales)
    assert all(s["is_final"] for s in finals) and len(finals) == books.count == 49
    blocked = sales.send("PUT", f"/{active[0]}", {"actions": {"id": "KMSAN0003"}})
    assert blocked.status_code == 400 and "finalized" in blocked.text
    check(api, sales, lots, books)
