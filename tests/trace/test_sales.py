"""Trace sales through HTTP: making sales (one and several), what they answer (money as
strings, histories, warnings), each action of PUT /sales/{id}, each refusal (nothing changed),
the helper lists with the samples' ids, paging, and a patient's purchase limit override."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from leafledger.domain.models import PatientPurchase, SalesReceipt
from leafledger.domain.services.lookups import facility_today
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger, unique
from tests.metrc.test_harvests import Api, Grow
from tests.metrc.test_package_inventory import allow, stored_package
from tests.metrc.test_sales import quantity, sellable
from tests.trace.conftest import TraceAccess, TraceClient


@pytest.fixture()
def shop(ledger: Ledger, store: Store) -> Grow:
    return Grow.start(ledger, store, "Dispensary")


@pytest.fixture()
def sales(client: TestClient, trace: TraceAccess, shop: Grow) -> TraceClient:
    return TraceClient(client, trace, shop.license, resource="sales")


@pytest.fixture()
def api(client: TestClient, demo: DemoAccess, shop: Grow) -> Api:
    return Api(client, demo, shop.license)


def lot_id(shop: Grow, label: str) -> str:
    return str(stored_package(shop.store, label).id)


def local_now(shop: Grow, behind: timedelta = timedelta(minutes=1)) -> datetime:
    local = datetime.now(ZoneInfo(shop.facility.timezone)).replace(tzinfo=None, microsecond=0)
    return local - behind


def item(lot: str, quantity: str = "1", price: str = "10.00", **more: Any) -> dict[str, Any]:
    return {"lot": {"id": lot}, "quantity": quantity, "unit_price": price, **more}


TAXES = [
    {"type": {"id": "KOMTAX0001"}, "name": "CA MJ Sales Tax", "rate": "10.00", "total": "1.00"},
    {"type": {"id": "KOMTAX0002"}, "name": "Excise Tax", "rate": "15.00", "total": "1.50"},
]


def sale(
    shop: Grow, *items: dict[str, Any], behind: timedelta = timedelta(minutes=1), **more: Any
) -> dict[str, Any]:
    local = local_now(shop, behind)
    moment = local.replace(tzinfo=ZoneInfo(shop.facility.timezone)).astimezone(UTC)
    return {
        "license": {"license_number": shop.license},
        "customer_types": {"id": "COKOMCT0001"},
        "terminal": "23678-AM",
        "created_at": {
            "date": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "local_time": local.isoformat(timespec="seconds"),
        },
        "out_of_state_sale": False,
        "identifications": [{"types": {"id": "COKOMIT0001"}, "id": "CODL123"}],
        "employees": {"id": "0a50cbaf8c1b471aaa427de20facb641"},
        "line_items": list(items),
        "currency": {"id": "KOMCURT0001"},
        "payments": [{"id": "DEB123", "amount": "23.00", "type": {"id": "COKOMPT0002"}}],
        **more,
    }


def post(sales: TraceClient, *bodies: dict[str, Any], **query: str) -> Any:
    return sales.client.post(
        sales.url(),
        params={"license_number": sales.license_number, **query},
        json={"sales": list(bodies)},
        headers=sales.access.headers,
    )


def made(sales: TraceClient, *bodies: dict[str, Any], **query: str) -> Any:
    response = post(sales, *bodies, **query)
    assert response.status_code == 200, response.text
    return response.json()


def refused(response: Any) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    payload: dict[str, Any] = response.json()
    assert payload["results"] is None
    return payload


def receipt_count(store: Store) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(SalesReceipt)) or 0)


# --- making and reading


def test_a_sale_draws_its_lots_and_reads_as_the_samples_show(
    sales: TraceClient, shop: Grow
) -> None:
    buds, more = sellable(shop, "10"), sellable(shop, "5")
    body = sale(
        shop,
        item(lot_id(shop, buds), "1", discount="1.00", taxes=TAXES, total="11.50"),
        item(
            lot_id(shop, more), "2", discount="1.00", taxes=[{"type": "KOMTAX0001", "rate": "10"}]
        ),
        external_id=unique("POS"),
        totals={"subtotal": "28.00", "quantity": "3", "total": "32.40"},
    )
    answer = made(sales, body)
    assert answer["results"]["type"] == "object" and answer["warnings"] == []
    data = answer["results"]["data"]
    assert quantity(shop, buds) == 9 and quantity(shop, more) == 3
    assert data["external_id"] == body["external_id"]
    assert data["receipt_number"] == data["id"]
    assert data["customer_types"] == {"id": "COKOMCT0001", "name": "adult"}
    assert data["terminal"] == "23678-AM" and data["out_of_state_sale"] is False
    assert data["created_at"] == body["created_at"]
    assert data["identifications"] == [{"types": {"id": "COKOMIT0001", "name": "drivers_license"}}]
    assert data["employees"]["id"] == "0a50cbaf8c1b471aaa427de20facb641"
    first, second = data["line_items"]
    assert first["lot"] == {"id": lot_id(shop, buds)}
    assert (first["quantity"], first["unit_price"], first["discount"]) == ("1", "10.00", "1.00")
    assert (first["subtotal"], first["total"], first["unit_of_measure"]) == (
        "9.00",
        "11.50",
        "Grams",
    )
    assert first["taxes"][0] == {
        "type": {"id": "KOMTAX0001", "name": "Sales Tax"},
        "name": "CA MJ Sales Tax",
        "rate": "10.00",
        "total": "1.00",
    }
    # A tax without its total is made from its rate.
    assert second["taxes"][0]["total"] == "1.90" and second["total"] == "20.90"
    assert data["currency"] == {"id": "KOMCURT0001", "name": "USD"}
    assert data["totals"] == {
        "subtotal": "28.00",
        "quantity": "3",
        "taxes": [
            {"type": {"id": "KOMTAX0001", "name": "Sales Tax"}, "total": "2.90"},
            {"type": {"id": "KOMTAX0002", "name": "Excise Tax"}, "total": "1.50"},
        ],
        "total": "32.40",
    }
    assert data["payments"] == [
        {"id": "DEB123", "amount": "23.00", "type": {"id": "COKOMPT0002", "name": "cash"}}
    ]
    assert data["purchase_limit_override"] is False
    assert [(h["state"], h["reason"]) for h in data["entity_state"]] == [("active", "sale created")]
    assert data["entity_state"][0]["actioned_by"] == "Demo User"
    assert sales.data("GET", f"/{data['id']}") == data


def test_stated_totals_that_differ_are_warned_and_old_sales_warned_in_hours(
    sales: TraceClient, shop: Grow
) -> None:
    label = sellable(shop, "10")
    body = sale(
        shop,
        item(lot_id(shop, label), "1", total="99.00"),
        behind=timedelta(hours=5),
        totals={"total": "5.00"},
    )
    answer = made(sales, body)
    types = [w["type"] for w in answer["warnings"]]
    assert types == ["created_at", "local_time", "line_items.total", "totals.total"]
    assert answer["warnings"][0]["detail"].startswith("sales.created_at entered is 5 hours before")
    data = answer["results"]["data"]
    assert data["line_items"][0]["total"] == "99.00"  # the stated total is kept
    assert data["warnings"] == answer["warnings"]  # and the sale shows its warnings


def test_several_sales_are_made_together_and_answer_an_array(
    sales: TraceClient, shop: Grow
) -> None:
    label = sellable(shop, "10")
    lot = lot_id(shop, label)
    answer = made(sales, *(sale(shop, item(lot, "1")) for _ in range(3)))
    assert answer["results"]["type"] == "array" and len(answer["results"]["data"]) == 3
    assert quantity(shop, label) == 7


def test_the_helper_lists_have_the_samples_ids(sales: TraceClient) -> None:
    def listed(name: str) -> list[Any]:
        return [(e["id"], e["name"]) for e in sales.data("GET", f"/{name}")]

    assert listed("actions") == [
        ("KMSAN0001", "change_quantity"),
        ("KMSAN0002", "change_price"),
        ("KMSAN0003", "void_sale"),
        ("KMSAN0004", "refund_sale"),
    ]
    assert listed("customer_types") == [
        ("COKOMCT0001", "adult"),
        ("COKOMCT0002", "patient"),
        ("COKOMCT0003", "caregiver"),
        ("COKOMCT0004", "external_patient"),
    ]
    assert listed("identification_types")[3] == ("COKOMIT0004", "externalpatient_id")
    assert listed("currency_types") == [("KOMCURT0001", "USD")]
    assert listed("payment_types") == [
        ("COKOMPT0001", "debit"),
        ("COKOMPT0002", "cash"),
        ("COKOMPT0003", "ach"),
    ]
    assert listed("tax_types")[:3] == [
        ("KOMTAX0001", "Sales Tax"),
        ("KOMTAX0002", "Excise Tax"),
        ("KOMTAX0003", "Other Tax"),
    ]
    assert sales.data("GET", "/actions")[2]["description"] == (
        "remove sale and return items to inventory"
    )


def test_sales_list_pages_by_limit_and_offset(sales: TraceClient, shop: Grow) -> None:
    lot = lot_id(shop, sellable(shop, "10"))
    made(sales, *(sale(shop, item(lot)) for _ in range(5)))
    page = sales.get(limit=2, offset=2).json()["results"]
    assert page["records"]["total"] == 5 and page["records"]["count"] == "2 - 4"
    assert page["records"]["next"] is not None and page["records"]["previous"] is not None
    everything = [s["id"] for s in sales.get().json()["results"]["data"]]
    assert [s["id"] for s in page["data"]] == everything[2:4]
    later = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert sales.get(start_date=later).json()["results"]["data"] == []
    assert sales.get(entity_state="inactive").json()["results"]["data"] == []


# --- actions


def change(sales: TraceClient, sale_id: str, action: str, *items: dict[str, Any]) -> Any:
    body = {"actions": {"id": action}, "currency": {"id": "KOMCURT0001"}, "line_items": list(items)}
    return sales.data("PUT", f"/{sale_id}", body)


def test_change_price_restates_the_line_and_its_taxes(sales: TraceClient, shop: Grow) -> None:
    lot = lot_id(shop, sellable(shop, "10"))
    taxed = [{"type": {"id": "KOMTAX0001"}, "rate": "10.00"}]
    data = made(sales, sale(shop, item(lot, "2", "8.00", taxes=taxed)))["results"]["data"]
    assert data["line_items"][0]["total"] == "17.60"
    changed = change(sales, data["id"], "KMSAN0002", {"lot": {"id": lot}, "amount": "10.00"})
    assert changed["actions"] == {"id": "KMSAN0002", "name": "change_price"}
    line = changed["line_items"][0]
    assert (line["unit_price"], line["subtotal"], line["total"]) == ("10.00", "20.00", "22.00")
    assert line["taxes"][0]["total"] == "2.00"
    assert changed["totals"]["total"] == "22.00"
    assert [(h["state"], h["reason"]) for h in changed["entity_state"]] == [
        ("active", "sale created"),
        ("updated", "sale updated"),
        ("change_price", f"price updated on {lot} from 8 to 10"),
    ]
    assert quantity(shop, stored_package(shop.store, _label(shop, lot)).label) == 8


def _label(shop: Grow, lot: str) -> str:
    from leafledger.domain.models import Package

    with shop.store.read() as session:
        package = session.get(Package, int(lot))
        assert package is not None
        return package.label


def test_change_quantity_redraws_the_lot(sales: TraceClient, shop: Grow) -> None:
    label = sellable(shop, "10")
    lot = lot_id(shop, label)
    data = made(sales, sale(shop, item(lot, "2", "10.00", discount="2.00")))["results"]["data"]
    changed = change(sales, data["id"], "KMSAN0001", {"lot": {"id": lot}, "quantity": "5"})
    assert quantity(shop, label) == 5
    line = changed["line_items"][0]
    assert (line["quantity"], line["discount"], line["total"]) == ("5", "5.00", "45.00")
    assert changed["entity_state"][-1]["state"] == "change_quantity"


def test_refund_returns_the_quantity_and_shows_on_both_sides(
    sales: TraceClient, shop: Grow, api: Api
) -> None:
    label = sellable(shop, "10")
    lot = lot_id(shop, label)
    data = made(sales, sale(shop, item(lot, "4", "5.00")))["results"]["data"]
    refunded = change(sales, data["id"], "KMSAN0004", {"lot": {"id": lot}, "quantity": "1"})
    assert quantity(shop, label) == 7
    assert refunded["refunds"] == [{"lot": {"id": lot}, "quantity": "1"}]
    assert refunded["line_items"][0]["quantity"] == "3"
    assert refunded["totals"]["total"] == "15.00"
    assert refunded["entity_state"][-1] == {
        **refunded["entity_state"][-1],
        "state": "refund_sale",
        "reason": f"refunded 1 of {lot}",
    }
    receipt = api.ok("GET", f"/sales/v2/receipts/{data['id']}")
    assert receipt["Transactions"][0]["QuantitySold"] == 3 and receipt["TotalPrice"] == 15
    # Refunding what is left voids the sale.
    change(sales, data["id"], "KMSAN0004", {"lot": {"id": lot}})
    assert quantity(shop, label) == 10
    assert api.ok("GET", "/sales/v2/receipts/active")["Data"] == []
    voided = sales.get(entity_state="inactive").json()["results"]["data"]
    assert [s["id"] for s in voided] == [data["id"]]


def test_void_returns_everything(sales: TraceClient, shop: Grow, api: Api) -> None:
    label = sellable(shop, "10")
    data = made(sales, sale(shop, item(lot_id(shop, label), "3")))["results"]["data"]
    voided = change(sales, data["id"], "KMSAN0003")
    assert quantity(shop, label) == 10
    assert [h["state"] for h in voided["entity_state"]] == ["active", "inactive", "void_sale"]
    assert api.ok("GET", "/sales/v2/receipts/inactive")["Data"][0]["Id"] == int(data["id"])
    again = sales.send("PUT", f"/{data['id']}", {"actions": {"id": "KMSAN0003"}})
    assert "voided" in refused(again)["errors"][0]["detail"]


# --- refusals


@pytest.mark.parametrize(
    ("change_of", "named"),
    [
        (lambda b: b["line_items"][0].update(quantity="11"), "line_items[0].quantity"),
        (lambda b: b["line_items"][0].update(unit_price="-1"), "line_items[0].unit_price"),
        (lambda b: b["line_items"][0].update(lot={"id": "999999"}), "lot"),
        (lambda b: b.update(customer_types={"id": "COKOMCT0009"}), "customer_types"),
        (lambda b: b.update(customer_types={"id": "COKOMCT0002"}), "customer_types"),
        (lambda b: b.update(line_items=[]), "line_items"),
        (lambda b: b["created_at"].update(local_time="2999-01-01T00:00:00"), "created_at"),
    ],
)
def test_a_refused_sale_names_its_field_and_changes_nothing(
    sales: TraceClient, shop: Grow, store: Store, change_of: Any, named: str
) -> None:
    label = sellable(shop, "10")
    body = sale(shop, item(lot_id(shop, label), "1"))
    change_of(body)
    before = receipt_count(store)
    detail = refused(post(sales, body))["errors"][0]["detail"]
    assert named in detail, detail
    assert receipt_count(store) == before and quantity(shop, label) == 10


def test_a_taken_external_id_refuses_the_whole_batch(sales: TraceClient, shop: Grow) -> None:
    label = sellable(shop, "10")
    lot = lot_id(shop, label)
    number = unique("POS")
    made(sales, sale(shop, item(lot), external_id=number))
    payload = refused(post(sales, sale(shop, item(lot)), sale(shop, item(lot), external_id=number)))
    [problem] = payload["errors"]
    assert problem["row"] == 1 and "sales[1].external_id" in problem["detail"]
    assert quantity(shop, label) == 9


def test_change_refusals(sales: TraceClient, shop: Grow, api: Api) -> None:
    label, other = sellable(shop, "10"), sellable(shop, "10")
    lot = lot_id(shop, label)
    data = made(sales, sale(shop, item(lot, "2")))["results"]["data"]
    url = f"/{data['id']}"

    def refusal(body: dict[str, Any]) -> str:
        return str(refused(sales.send("PUT", url, body))["errors"][0]["detail"])

    assert "lot" in refusal(
        {
            "actions": {"id": "KMSAN0002"},
            "line_items": [{"lot": {"id": lot_id(shop, other)}, "amount": "1"}],
        }
    )
    assert "amount" in refusal(
        {"actions": {"id": "KMSAN0002"}, "line_items": [{"lot": {"id": lot}}]}
    )
    assert "quantity" in refusal(
        {"actions": {"id": "KMSAN0004"}, "line_items": [{"lot": {"id": lot}, "quantity": "3"}]}
    )
    assert "quantity" in refusal(
        {"actions": {"id": "KMSAN0001"}, "line_items": [{"lot": {"id": lot}, "quantity": "0"}]}
    )
    assert "actions" in refusal({"actions": {"id": "KMSAN0009"}})
    assert "line_items" in refusal({"actions": {"id": "KMSAN0002"}})
    api.ok("PUT", "/sales/v2/receipts/finalize", [{"Id": int(data["id"])}])
    assert "finalized" in refusal({"actions": {"id": "KMSAN0003"}})
    assert quantity(shop, label) == 8


# --- patients


def _patient(api: Api, shop: Grow, store: Store) -> str:
    allow(store, shop.facility.id, "CanSellToPatients")
    patient = unique("PAT")
    today = facility_today(shop.facility)
    api.ok(
        "POST",
        "/patients/v2",
        [
            {
                "LicenseNumber": patient,
                "LicenseEffectiveStartDate": (today - timedelta(days=30)).isoformat(),
                "LicenseEffectiveEndDate": (today + timedelta(days=300)).isoformat(),
                "FlowerOuncesAllowed": 1,
                "ActualDate": today.isoformat(),
            }
        ],
    )
    return patient


def patient_sale(shop: Grow, patient: str, lot: str, grams: str) -> dict[str, Any]:
    return sale(
        shop,
        item(lot, grams),
        customer_types={"id": "COKOMCT0002"},
        identifications=[{"types": {"id": "COKOMIT0002"}, "id": patient}],
    )


def test_a_patient_over_the_limit_is_refused_with_a_warning_unless_overridden(
    sales: TraceClient, shop: Grow, api: Api, store: Store
) -> None:
    patient = _patient(api, shop, store)
    label = sellable(shop, "100", item=shop.item("Buds"))
    lot = lot_id(shop, label)
    first = made(sales, patient_sale(shop, patient, lot, "20"))["results"]["data"]
    assert first["customer_types"]["name"] == "patient"
    assert first["identifications"] == [{"types": {"id": "COKOMIT0002", "name": "patient_id"}}]
    payload = refused(post(sales, patient_sale(shop, patient, lot, "10")))
    assert "more than" in payload["errors"][0]["detail"]
    assert [w["type"] for w in payload["warnings"]] == ["purchase_limit"]
    assert "purchase_limit_override=true" in payload["warnings"][0]["detail"]
    assert quantity(shop, label) == 80

    over = made(sales, patient_sale(shop, patient, lot, "10"), purchase_limit_override="true")
    data = over["results"]["data"]
    assert data["purchase_limit_override"] is True
    assert [h["state"] for h in data["entity_state"]] == ["active", "purchase_limit_override"]
    assert quantity(shop, label) == 70
    with store.read() as session:
        bought = session.scalars(
            select(PatientPurchase.quantity).where(PatientPurchase.receipt_id == int(data["id"]))
        ).all()
    assert bought == [Decimal(10)]  # the purchases still count
    # Its price can still change (the override holds for its redraw).
    changed = change(sales, data["id"], "KMSAN0002", {"lot": {"id": lot}, "amount": "12.00"})
    assert changed["totals"]["total"] == "120.00"
    shown = api.ok("GET", f"/sales/v2/receipts/{data['id']}")
    assert shown["PatientLicenseNumber"] == patient and shown["SalesCustomerType"] == "Patient"
