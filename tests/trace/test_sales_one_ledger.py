"""One ledger: a sale made through Trace is a Metrc receipt (active list, by id, by external
number), and a Metrc receipt is a Trace sale, with the same lines and totals both ways."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.conftest import unique
from tests.metrc.test_harvests import Api, Grow
from tests.metrc.test_sales import line, quantity, receipt, sellable
from tests.trace.conftest import TraceClient
from tests.trace.test_sales import TAXES, api, item, lot_id, made, sale, sales, shop

__all__ = ["api", "sales", "shop"]  # fixtures


def _money(value: Any) -> Decimal:
    return Decimal(str(value))


def same_lines(trace_sale: dict[str, Any], metrc_receipt: dict[str, Any]) -> None:
    """The sale's lines and totals are the receipt's."""
    lines = metrc_receipt["Transactions"]
    assert len(trace_sale["line_items"]) == len(lines)
    for mine, theirs in zip(trace_sale["line_items"], lines, strict=True):
        assert mine["lot"]["id"] == str(theirs["PackageId"])
        assert mine["barcode"] == theirs["PackageLabel"]
        assert _money(mine["quantity"]) == _money(theirs["QuantitySold"])
        assert mine["unit_of_measure"] == theirs["UnitOfMeasureName"]
        assert _money(mine["total"]) == _money(theirs["TotalPrice"])
    assert _money(trace_sale["totals"]["total"]) == _money(metrc_receipt["TotalPrice"])
    assert trace_sale["external_id"] == metrc_receipt["ExternalReceiptNumber"]
    assert trace_sale["created_at"]["local_time"] == metrc_receipt["SalesDateTime"][:19]


def test_a_trace_sale_is_a_metrc_receipt(sales: TraceClient, shop: Grow, api: Api) -> None:
    buds, more = sellable(shop, "10"), sellable(shop, "10")
    number = unique("TRACE")
    body = sale(
        shop,
        item(lot_id(shop, buds), "1.5", discount="1.00", taxes=TAXES),
        item(lot_id(shop, more), "2", "7.25"),
        external_id=number,
    )
    made_sale = made(sales, body)["results"]["data"]
    [active] = api.ok("GET", "/sales/v2/receipts/active")["Data"]
    assert active["Id"] == int(made_sale["id"])
    same_lines(made_sale, active)
    by_number = api.ok("GET", f"/sales/v2/receipts/external/{number}")
    same_lines(made_sale, by_number)
    first = by_number["Transactions"][0]
    assert (first["Price"], first["DiscountAmount"], first["SubTotal"]) == (10, 1, 14)
    assert (first["SalesTax"], first["ExciseTax"]) == (1, 1.5)
    assert by_number["SalesCustomerType"] == "Consumer"
    assert by_number["IdentificationMethod"] == "drivers_license"
    assert [r["Id"] for r in api.ok("GET", "/sales/v1/receipts/active")] == [active["Id"]]
    # Changed through Trace, the receipt changes with it.
    changed = sales.data(
        "PUT",
        f"/{made_sale['id']}",
        {
            "actions": {"id": "KMSAN0001"},
            "line_items": [{"lot": {"id": lot_id(shop, more)}, "quantity": "3"}],
        },
    )
    same_lines(changed, api.ok("GET", f"/sales/v2/receipts/{made_sale['id']}"))
    assert quantity(shop, more) == 7


def test_a_metrc_receipt_is_a_trace_sale(sales: TraceClient, shop: Grow, api: Api) -> None:
    buds, more = sellable(shop, "10"), sellable(shop, "10", "Each")
    number = unique("METRC")
    body = receipt(
        shop,
        line(
            buds,
            "2.5",
            total="27.50",
            Price="10",
            DiscountAmount="1",
            SubTotal="24",
            SalesTax="2.4",
            ExciseTax="1.1",
        ),
        line(more, 3, "Each", total=12),
        ExternalReceiptNumber=number,
    )
    (receipt_id,) = api.ok("POST", "/sales/v2/receipts", [body])["Ids"]
    metrc_receipt = api.ok("GET", f"/sales/v2/receipts/{receipt_id}")
    [listed] = sales.get().json()["results"]["data"]
    assert listed["id"] == str(receipt_id)
    same_lines(listed, metrc_receipt)
    first, second = listed["line_items"]
    assert (first["unit_price"], first["discount"], first["subtotal"]) == ("10.00", "1.00", "24.00")
    assert [(t["type"]["id"], t["total"]) for t in first["taxes"]] == [
        ("KOMTAX0001", "2.40"),
        ("KOMTAX0002", "1.10"),
    ]
    assert (second["unit_price"], second["quantity"], second["total"]) == ("4.00", "3", "12.00")
    assert listed["customer_types"]["name"] == "adult"
    assert [h["state"] for h in listed["entity_state"]] == ["active"]
    assert sales.data("GET", f"/{receipt_id}") == listed

    # A Trace action on a Metrc receipt: the price of its counted line changes.
    changed = sales.data(
        "PUT",
        f"/{receipt_id}",
        {
            "actions": {"id": "KMSAN0002"},
            "line_items": [{"lot": {"id": lot_id(shop, more)}, "amount": "5"}],
        },
    )
    assert changed["line_items"][1]["total"] == "15.00"
    same_lines(changed, api.ok("GET", f"/sales/v2/receipts/{receipt_id}"))
    # Voided through Metrc, the sale is inactive in Trace.
    api.ok("DELETE", f"/sales/v2/receipts/{receipt_id}")
    assert sales.get().json()["results"]["data"] == []
    [inactive] = sales.get(entity_state="inactive").json()["results"]["data"]
    assert [h["state"] for h in inactive["entity_state"]][-1] == "inactive"
    assert quantity(shop, buds) == 10
