"""Sales receipts and transactions through HTTP, v2 and v1: what a sale draws and gives back,
what each endpoint answers (shapes against v2-examples.json), and what it refuses (a 400
naming the row and the field in wire words, nothing changed)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from leafledger.domain.models import (
    AuditEvent,
    Facility,
    PatientPurchase,
    SalesReceipt,
    SalesTransaction,
)
from leafledger.domain.services.audit import snapshot
from leafledger.domain.services.audit_chain import verify
from leafledger.domain.services.lookups import facility_today
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger, unique
from tests.metrc.test_harvests import Api, Grow, example
from tests.metrc.test_package_inventory import allow, stock, stored_package
from tests.statements import counted_statements, page_statements
from tests.transfers import audit_length


@pytest.fixture()
def shop(ledger: Ledger, store: Store) -> Grow:
    """A fresh dispensary the demo user works at (it sells to consumers)."""
    return Grow.start(ledger, store, "Dispensary")


@pytest.fixture()
def api(client: TestClient, demo: DemoAccess, shop: Grow) -> Api:
    return Api(client, demo, shop.license)


def sellable(shop: Grow, quantity: str = "10", unit: str = "Grams", **columns: Any) -> str:
    columns.setdefault("lab_testing_state", "TestPassed")
    return stock(shop, quantity, unit, **columns)


def now_at(facility: Facility) -> str:
    """The facility's clock, as a point of sale writes a sale time."""
    local = datetime.now(ZoneInfo(facility.timezone)).replace(tzinfo=None, microsecond=0)
    return (local - timedelta(minutes=1)).isoformat(timespec="milliseconds")


def line(
    label: str, quantity: Any = 1, unit: str = "Grams", total: Any = 9.99, **more: Any
) -> dict[str, Any]:
    return {
        "PackageLabel": label,
        "Quantity": quantity,
        "UnitOfMeasure": unit,
        "TotalAmount": total,
        **more,
    }


def receipt(shop: Grow, *lines: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {
        "SalesDateTime": now_at(shop.facility),
        "SalesCustomerType": "Consumer",
        "Transactions": list(lines),
        **more,
    }


def quantity(shop: Grow, label: str) -> Decimal:
    return stored_package(shop.store, label).quantity


def refused(response: Any, row: int | None = 0) -> str:
    assert response.status_code == 400, response.text
    body = response.json()
    if row is None:
        return str(body["Message"])
    assert body[0]["row"] == row, body
    return str(body[0]["message"])


def receipts_count(store: Store) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(SalesReceipt)) or 0)


# --- recording and reading


def test_a_receipt_draws_its_lines_and_reads_as_documented(api: Api, shop: Grow) -> None:
    buds, more = sellable(shop, "10"), sellable(shop, "5")
    body = receipt(
        shop,
        line(buds, "1.5", total="15.00", Price="10", SalesTax="1.25"),
        line(more, 2, total=20),
        ExternalReceiptNumber=unique("POS"),
    )
    (receipt_id,) = api.ok("POST", "/sales/v2/receipts", [body])["Ids"]
    assert quantity(shop, buds) == Decimal("8.5")
    assert quantity(shop, more) == 3

    shown = api.ok("GET", f"/sales/v2/receipts/{receipt_id}")
    assert list(shown) == list(example("GET /sales/v2/receipts/{id}"))
    assert shown["SalesDateTime"] == body["SalesDateTime"]
    assert shown["ExternalReceiptNumber"] == body["ExternalReceiptNumber"]
    assert (shown["TotalPackages"], Decimal(str(shown["TotalPrice"]))) == (2, Decimal(35))
    assert shown["IsFinal"] is False and shown["ArchivedDate"] is None
    first = shown["Transactions"][0]
    assert (first["PackageLabel"], first["QuantitySold"], first["UnitOfMeasureName"]) == (
        buds,
        1.5,
        "Grams",
    )
    assert (first["TotalPrice"], first["Price"], first["SalesTax"]) == (15, 10, 1.25)
    assert first["UnitOfMeasureAbbreviation"] == "g"

    listed = api.ok("GET", "/sales/v2/receipts/active")
    assert list(listed) == list(example("GET /sales/v2/receipts/active"))
    assert [r["Id"] for r in listed["Data"]] == [receipt_id]
    assert api.ok("GET", "/sales/v2/receipts/inactive")["Data"] == []
    assert [r["Id"] for r in api.ok("GET", "/sales/v1/receipts/active")] == [receipt_id]
    by_number = api.ok("GET", f"/sales/v2/receipts/external/{body['ExternalReceiptNumber']}")
    assert by_number["Id"] == receipt_id


def _numbers_read(values: dict[str, Any]) -> dict[str, Any]:
    """A snapshot with its numbers read as Decimals: a stored row gives back 15 for the
    15.00 it was given."""

    def read(value: Any) -> Any:
        try:
            return Decimal(value) if isinstance(value, str) else value
        except ArithmeticError:
            return value

    return {key: read(value) for key, value in values.items()}


def test_a_batch_of_receipts_is_audited_row_by_row_as_written(
    api: Api, shop: Grow, store: Store
) -> None:
    """Receipts posted together are written as rows, not ORM objects: their events still say
    what each row holds, column by column, as a snapshot of the stored row would, and each
    draw on a package chains from the one before it; the log verifies."""
    buds = sellable(shop, "10")
    body = [
        receipt(shop, line(buds, "1.5", total="15.00"), line(buds, 2, total=20)),
        receipt(shop, line(buds, "0.5", total=5), ExternalReceiptNumber=unique("POS")),
    ]
    ids = api.ok("POST", "/sales/v2/receipts", body)["Ids"]
    assert len(ids) == 2
    assert quantity(shop, buds) == Decimal(6)
    with store.read() as session:
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.facility_id == shop.facility.id, AuditEvent.seq > 0)
            .order_by(AuditEvent.id)
        ).all()
        written = [e for e in events if e.entity_type.startswith("sales_") or e.action == "sell"]
        assert [(e.entity_type, e.action) for e in written] == [
            ("packages", "sell"),
            ("sales_transactions", "create"),
            ("packages", "sell"),
            ("sales_transactions", "create"),
            ("sales_receipts", "create"),
            ("packages", "sell"),
            ("sales_transactions", "create"),
            ("sales_receipts", "create"),
        ]
        draws = [e for e in written if e.action == "sell"]
        steps = [(Decimal(e.before["quantity"]), Decimal(e.after["quantity"])) for e in draws]
        assert steps == [
            (10, Decimal("8.5")),
            (Decimal("8.5"), Decimal("6.5")),
            (Decimal("6.5"), 6),
        ]
        for event in written:
            if event.action != "create":
                continue
            model = SalesReceipt if event.entity_type == "sales_receipts" else SalesTransaction
            row = session.get(model, event.entity_id)
            assert row is not None
            assert _numbers_read(event.after) == _numbers_read(snapshot(row)), event.entity_type
        assert [e.entity_id for e in written if e.entity_type == "sales_receipts"] == ids
        assert verify(session).ok


def test_the_receipt_count_row_is_locked_last_of_all(api: Api, shop: Grow, store: Store) -> None:
    """The facility's count of receipts is one row every sale of the facility updates: a
    request takes its lock after its audit events are written, so that the lock is held
    for the commit alone."""
    buds = sellable(shop, "10")
    with counted_statements(store.engine) as seen:
        api.ok("POST", "/sales/v2/receipts", [receipt(shop, line(buds, 1))])
    count = [k for k, sql in enumerate(seen) if "sales_receipt_counts" in sql]
    audit = [k for k, sql in enumerate(seen) if "audit_chains" in sql or "audit_events" in sql]
    assert count and audit
    assert min(count) > max(audit)


def test_a_line_converts_its_unit_into_the_packages(api: Api, shop: Grow) -> None:
    label = sellable(shop, "100")
    api.ok("POST", "/sales/v2/receipts", [receipt(shop, line(label, 1, "Ounces"))])
    assert quantity(shop, label) == Decimal("100") - Decimal("28.349523125")


def test_v1_writes_answer_an_empty_200(api: Api, shop: Grow) -> None:
    label = sellable(shop, "10")
    response = api.call("POST", "/sales/v1/receipts", [receipt(shop, line(label, 3))])
    assert (response.status_code, response.content) == (200, b"")
    assert quantity(shop, label) == 7


# --- refusals


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"Quantity": 11}, "Transactions[0].Quantity"),
        ({"Quantity": 0}, "Transactions[0].Quantity"),
        ({"UnitOfMeasure": "Each"}, "Transactions[0].UnitOfMeasure"),
        ({"PackageLabel": "NO-SUCH-PACKAGE"}, "Transactions[0].PackageLabel"),
        ({"TotalAmount": -1}, "Transactions[0].TotalAmount"),
    ],
)
def test_a_bad_line_is_refused_naming_its_row_and_field(
    api: Api, shop: Grow, store: Store, change: dict[str, Any], field: str
) -> None:
    label = sellable(shop, "10")
    good = receipt(shop, line(label, 1))
    bad = receipt(shop, {**line(label, 1), **change})
    before = (audit_length(store), receipts_count(store))
    message = refused(api.call("POST", "/sales/v2/receipts", [good, bad]), row=1)
    assert field in message, message
    assert quantity(shop, label) == 10
    assert (audit_length(store), receipts_count(store)) == before
    assert api.ok("GET", "/sales/v2/receipts/active")["Total"] == 0


@pytest.mark.parametrize(
    ("columns", "reason"),
    [
        ({"lab_testing_state": "NotSubmitted"}, "NotSubmitted in lab testing"),
        ({"is_on_hold": True}, "on hold"),
        ({"lab_testing_state": "TestFailed"}, "TestFailed"),
        ({"is_testing_sample": True}, "lab sample"),
        ({"in_transit": True}, "in transit"),
    ],
)
def test_only_packages_the_gate_lets_leave_are_sold(
    api: Api, shop: Grow, columns: dict[str, Any], reason: str
) -> None:
    label = sellable(shop, "10", **columns)
    message = refused(api.call("POST", "/sales/v2/receipts", [receipt(shop, line(label))]))
    assert reason in message and label in message and "Transactions[0].PackageLabel" in message
    assert quantity(shop, label) == 10


def test_a_package_is_never_drawn_below_zero(api: Api, shop: Grow) -> None:
    label = sellable(shop, "3")
    body = receipt(shop, line(label, 2), line(label, 2))
    message = refused(api.call("POST", "/sales/v2/receipts", [body]))
    assert "Transactions[1].Quantity" in message and label in message
    assert quantity(shop, label) == 3


def test_a_facility_that_may_not_sell_is_refused(
    client: TestClient, demo: DemoAccess, ledger: Ledger, store: Store
) -> None:
    grow = Grow.start(ledger, store, "Cultivator")
    label = sellable(grow, "10")
    grower = Api(client, demo, grow.license)
    message = refused(grower.call("POST", "/sales/v2/receipts", [receipt(grow, line(label))]))
    assert "may not sell" in message
    assert quantity(grow, label) == 10


def test_the_receipt_fields_are_checked(api: Api, shop: Grow) -> None:
    label = sellable(shop, "10")
    cases = [
        ({"SalesCustomerType": "Martian"}, "SalesCustomerType"),
        ({"SalesCustomerType": "Patient"}, "SalesCustomerType"),  # CanSellToPatients is off
        ({"SalesDateTime": "2200-01-01T10:00:00"}, "SalesDateTime"),
        ({"SalesDateTime": "yesterday"}, "SalesDateTime"),
        ({"Transactions": []}, "Transactions"),
        ({"PatientRegistrationLocationId": 999}, "PatientRegistrationLocationId"),
    ]
    for change, field in cases:
        message = refused(
            api.call("POST", "/sales/v2/receipts", [receipt(shop, line(label), **change)])
        )
        assert field in message, (change, message)
    assert quantity(shop, label) == 10


def test_external_numbers_are_unique_per_facility(
    api: Api, shop: Grow, client: TestClient, demo: DemoAccess, ledger: Ledger, store: Store
) -> None:
    label = sellable(shop, "10")
    number = unique("POS")
    api.ok("POST", "/sales/v2/receipts", [receipt(shop, line(label), ExternalReceiptNumber=number)])
    again = receipt(shop, line(label), ExternalReceiptNumber=number)
    assert "ExternalReceiptNumber" in refused(api.call("POST", "/sales/v2/receipts", [again]))
    twice = [receipt(shop, line(label), ExternalReceiptNumber=n) for n in ("A-1", "A-1")]
    assert "ExternalReceiptNumber" in refused(api.call("POST", "/sales/v2/receipts", twice), row=1)
    assert quantity(shop, label) == 9
    # Another facility may use the same number; it cannot read this one's.
    other = Grow.start(ledger, store, "Dispensary")
    other_api = Api(client, demo, other.license)
    theirs = sellable(other, "10")
    other_api.ok(
        "POST", "/sales/v2/receipts", [receipt(other, line(theirs), ExternalReceiptNumber=number)]
    )
    shown = other_api.ok("GET", f"/sales/v2/receipts/external/{number}")
    mine = api.ok("GET", f"/sales/v2/receipts/external/{number}")
    assert shown["Id"] != mine["Id"]
    assert other_api.call("GET", f"/sales/v2/receipts/{mine['Id']}").status_code == 401
    assert api.call("GET", "/sales/v2/receipts/external/NOPE-404").status_code == 404


# --- update, void, finalize


def test_an_update_gives_back_the_old_lines_and_draws_the_new(api: Api, shop: Grow) -> None:
    first, second = sellable(shop, "10"), sellable(shop, "10")
    (receipt_id,) = api.ok("POST", "/sales/v2/receipts", [receipt(shop, line(first, 4))])["Ids"]
    change = {"Id": receipt_id, **receipt(shop, line(first, 10), line(second, 2))}
    assert api.ok("PUT", "/sales/v2/receipts", [change])["Ids"] == [receipt_id]
    assert (quantity(shop, first), quantity(shop, second)) == (0, 8)
    shown = api.ok("GET", f"/sales/v2/receipts/{receipt_id}")
    assert [t["PackageLabel"] for t in shown["Transactions"]] == [first, second]
    # Refused as a whole: nothing is given back when the new lines cannot be drawn.
    too_much = {"Id": receipt_id, **receipt(shop, line(second, 11))}
    assert "Transactions[0].Quantity" in refused(api.call("PUT", "/sales/v2/receipts", [too_much]))
    assert (quantity(shop, first), quantity(shop, second)) == (0, 8)


def test_a_void_gives_back_and_moves_the_receipt_to_inactive(api: Api, shop: Grow) -> None:
    label = sellable(shop, "10")
    (receipt_id,) = api.ok("POST", "/sales/v2/receipts", [receipt(shop, line(label, 6))])["Ids"]
    assert api.ok("DELETE", f"/sales/v2/receipts/{receipt_id}") == {
        "Ids": [receipt_id],
        "Warnings": None,
    }
    assert quantity(shop, label) == 10
    active = api.ok("GET", "/sales/v2/receipts/active")
    assert (active["Data"], active["Total"]) == ([], 0)
    inactive = api.ok("GET", "/sales/v2/receipts/inactive")
    assert inactive["Total"] == 1
    (voided,) = inactive["Data"]
    assert voided["Id"] == receipt_id and voided["ArchivedDate"] is not None
    assert len(voided["Transactions"]) == 1
    assert "voided" in refused(api.call("DELETE", f"/sales/v2/receipts/{receipt_id}"), None)
    assert quantity(shop, label) == 10


def test_a_finalized_receipt_refuses_update_and_void_until_unfinalized(
    api: Api, shop: Grow
) -> None:
    label = sellable(shop, "10")
    (receipt_id,) = api.ok("POST", "/sales/v2/receipts", [receipt(shop, line(label, 1))])["Ids"]
    assert api.ok("PUT", "/sales/v2/receipts/finalize", [{"Id": receipt_id}])["Ids"] == [receipt_id]
    assert api.ok("GET", f"/sales/v2/receipts/{receipt_id}")["IsFinal"] is True
    change = {"Id": receipt_id, **receipt(shop, line(label, 2))}
    assert "finalized" in refused(api.call("PUT", "/sales/v2/receipts", [change]))
    assert "finalized" in refused(api.call("DELETE", f"/sales/v2/receipts/{receipt_id}"), None)
    assert "already" in refused(
        api.call("PUT", "/sales/v2/receipts/finalize", [{"Id": receipt_id}])
    )
    assert quantity(shop, label) == 9
    api.ok("PUT", "/sales/v2/receipts/unfinalize", [{"Id": receipt_id}])
    api.ok("PUT", "/sales/v2/receipts", [change])
    assert quantity(shop, label) == 8
    api.ok("DELETE", f"/sales/v2/receipts/{receipt_id}")
    assert quantity(shop, label) == 10


def test_giving_back_to_a_finished_package_is_refused(api: Api, shop: Grow, store: Store) -> None:
    label = sellable(shop, "10")
    (receipt_id,) = api.ok("POST", "/sales/v2/receipts", [receipt(shop, line(label, 10))])["Ids"]
    with store.transaction() as session:
        from leafledger.domain.models import Package

        package = session.scalars(select(Package).where(Package.label == label)).one()
        package.finished_date = facility_today(shop.facility)
    assert "finished" in refused(api.call("DELETE", f"/sales/v2/receipts/{receipt_id}"), None)
    assert quantity(shop, label) == 0


# --- lists and filters


def test_sales_date_and_last_modified_filters(api: Api, shop: Grow) -> None:
    label = sellable(shop, "10")
    early = receipt(shop, line(label), SalesDateTime="2024-03-05T10:00:00.000")
    late = receipt(shop, line(label), SalesDateTime="2024-03-06T18:30:00.000")
    ids = api.ok("POST", "/sales/v2/receipts", [early, late])["Ids"]
    day = api.ok(
        "GET", "/sales/v2/receipts/active", salesDateStart="2024-03-06", salesDateEnd="2024-03-06"
    )
    assert [r["Id"] for r in day["Data"]] == [ids[1]]
    timed = api.ok(
        "GET",
        "/sales/v1/receipts/active",
        salesDateStart="2024-03-05T09:00:00",
        salesDateEnd="2024-03-05T11:00:00",
    )
    assert [r["Id"] for r in timed] == [ids[0]]
    start = (datetime.now(ZoneInfo("UTC")) - timedelta(hours=1)).isoformat()
    end = (datetime.now(ZoneInfo("UTC")) + timedelta(hours=1)).isoformat()
    recent = api.ok(
        "GET", "/sales/v2/receipts/active", lastModifiedStart=start, lastModifiedEnd=end
    )
    assert [r["Id"] for r in recent["Data"]] == ids
    both = api.call(
        "GET",
        "/sales/v2/receipts/active",
        salesDateStart="2024-03-05",
        salesDateEnd="2024-03-06",
        lastModifiedStart=start,
        lastModifiedEnd=end,
    )
    assert both.status_code == 400
    assert api.call("GET", "/sales/v2/receipts/active", salesDateStart="soon").status_code == 400
    one_sided = api.call("GET", "/sales/v2/receipts/active", salesDateStart="2024-03-05")
    assert one_sided.status_code == 400


def test_a_page_of_receipts_costs_the_same_statements_at_any_size(
    api: Api, shop: Grow, client: TestClient, store: Store
) -> None:
    label = sellable(shop, "100")
    for _ in range(3):
        body = [receipt(shop, line(label), line(label)) for _ in range(8)]
        api.ok("POST", "/sales/v2/receipts", body)
    counts = page_statements(
        client,
        store.engine,
        "/sales/v2/receipts/active",
        api.headers,
        {"licenseNumber": shop.license},
    )
    assert counts[1][0] == 1 and counts[20][0] == 20
    assert counts[1][1] == counts[20][1], counts


# --- v1 transactions


def test_v1_transactions_post_by_date_and_sum_by_day(api: Api, shop: Grow) -> None:
    label = sellable(shop, "10")
    day = facility_today(shop.facility).isoformat()
    response = api.call("POST", f"/sales/v1/transactions/{day}", [line(label, 2, total=5)])
    assert response.status_code == 200, response.text
    api.ok("POST", f"/sales/v1/transactions/{day}", [line(label, 1, total="2.5")])
    assert quantity(shop, label) == 7
    (summary,) = api.ok("GET", "/sales/v1/transactions")
    assert summary == {
        "SalesDate": day,
        "TotalTransactions": 2,
        "TotalPackages": 1,
        "TotalPrice": 7.5,
    }
    lines = api.ok("GET", f"/sales/v1/transactions/{day}/{day}")
    assert [(t["PackageLabel"], t["QuantitySold"]) for t in lines] == [(label, 2), (label, 1)]
    # Each post moves the day's receipt totals by its own lines.
    other = sellable(shop, "10")
    api.ok("POST", f"/sales/v1/transactions/{day}", [line(other, 1, total=3), line(label, 1)])
    with shop.store.read() as session:
        book = session.scalars(
            select(SalesReceipt).where(
                SalesReceipt.facility_id == shop.facility.id, SalesReceipt.by_date
            )
        ).one()
        prices = session.scalars(
            select(SalesTransaction.total_price).where(SalesTransaction.receipt_id == book.id)
        ).all()
        sold = sum(prices, Decimal(0))
    assert (book.total_packages, book.total_price) == (2, sold)
    assert quantity(shop, label) == 6 and quantity(shop, other) == 9
    # PUT replaces the day's lines: the old ones give back what they drew.
    api.ok("PUT", f"/sales/v1/transactions/{day}", [line(label, 4, total=8)])
    assert quantity(shop, label) == 6 and quantity(shop, other) == 10
    (summary,) = api.ok("GET", "/sales/v1/transactions")
    assert (summary["TotalTransactions"], summary["TotalPrice"]) == (1, 8)
    bad = api.call("POST", f"/sales/v1/transactions/{day}", [line(label, 1), line(label, 99)])
    assert "Quantity" in refused(bad, row=1)
    assert api.call("POST", "/sales/v1/transactions/not-a-date", [line(label)]).status_code == 400
    assert quantity(shop, label) == 6


# --- patients


def test_a_patient_sale_over_the_limit_is_refused_and_one_within_is_recorded(
    api: Api, shop: Grow, store: Store
) -> None:
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
    label = sellable(shop, "100", item=shop.item("Buds"))
    sale = receipt(shop, line(label, 20), SalesCustomerType="Patient", PatientLicenseNumber=patient)
    (receipt_id,) = api.ok("POST", "/sales/v2/receipts", [sale])["Ids"]
    with store.read() as session:
        bought = session.scalars(
            select(PatientPurchase).where(PatientPurchase.receipt_id == receipt_id)
        ).all()
        assert [(p.category, p.quantity) for p in bought] == [("flower", Decimal(20))]
    over = receipt(shop, line(label, 10), SalesCustomerType="Patient", PatientLicenseNumber=patient)
    message = refused(api.call("POST", "/sales/v2/receipts", [over]))
    assert "more than" in message
    assert quantity(shop, label) == 80
    # A void frees the allowance again.
    api.ok("DELETE", f"/sales/v2/receipts/{receipt_id}")
    api.ok("POST", "/sales/v2/receipts", [over])
    assert quantity(shop, label) == 90
    unknown = receipt(shop, line(label), SalesCustomerType="Patient", PatientLicenseNumber="NOPE")
    assert "PatientLicenseNumber" in refused(api.call("POST", "/sales/v2/receipts", [unknown]))


# --- sandbox


def test_sandbox_packages_are_sellable_at_once(api: Api, shop: Grow) -> None:
    shop.item("Buds")
    shop.package_tags(1)
    ids = api.ok("POST", "/sandbox/v2/packages/create", {"Count": 1})["Ids"]
    assert len(ids) == 1
    package = api.ok("GET", f"/packages/v2/{ids[0]}")
    assert package["LabTestingState"] == "TestPassed"
    api.ok("POST", "/sales/v2/receipts", [receipt(shop, line(package["Label"], 1))])


def test_the_receipts_lists_document_their_sales_date_filters(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    for path in ("/sales/v2/receipts/active", "/sales/v1/receipts/inactive"):
        operation = document["paths"][path]["get"]
        names = {parameter["name"] for parameter in operation["parameters"]}
        assert {"salesDateStart", "salesDateEnd", "lastModifiedStart"} <= names, path
