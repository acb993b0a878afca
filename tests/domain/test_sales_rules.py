"""Sales receipts: the rules, without HTTP (the services both dialects call).

Each rule is checked on the service: what a line draws (converted into the package's unit,
never below zero, only from packages the gate lets leave), what an update and a void give
back, what finalizing locks, external numbers, who may sell, patient limits and caregivers,
and the lines posted by date. A refusal names the command field at fault and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import CLI
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import (
    AuditEvent,
    Facility,
    Package,
    PatientPurchase,
    SalesReceipt,
)
from leafledger.domain.queries import sales as queries
from leafledger.domain.services import sales as service
from leafledger.domain.services.audit import snapshot
from leafledger.domain.services.facilities import change_capabilities, get_facility
from leafledger.domain.services.lookups import facility_today
from leafledger.domain.services.patients import NewPatient, create_patient, designate_caregiver
from leafledger.domain.services.sales import NewReceipt, ReceiptChange, ReceiptRef, SaleLine
from leafledger.store import Store
from tests.conftest import Ledger, unique
from tests.metrc.test_harvests import Grow
from tests.metrc.test_package_inventory import stock, stored_package

OUNCE = Decimal("28.349523125")


@contextmanager
def at(store: Store, license_number: str) -> Iterator[tuple[Session, Facility]]:
    with store.transaction() as session:
        yield session, get_facility(session, license_number)


@pytest.fixture()
def shop(ledger: Ledger, store: Store) -> Grow:
    return Grow.start(ledger, store, "Dispensary")


def sellable(shop: Grow, quantity: str = "10", unit: str = "Grams", **columns: Any) -> str:
    columns.setdefault("lab_testing_state", "TestPassed")
    return stock(shop, quantity, unit, **columns)


def sold_at(shop: Grow) -> datetime:
    return service.local_now(shop.facility) - timedelta(minutes=1)


def sale(shop: Grow, *lines: SaleLine, **fields: Any) -> NewReceipt:
    fields.setdefault("customer_type", "Consumer")
    return NewReceipt(sales_date_time=sold_at(shop), lines=lines, **fields)


def one(label: str, quantity: str = "1", unit: str = "Grams", total: str = "5") -> SaleLine:
    return SaleLine(label, Decimal(quantity), unit, Decimal(total))


def held(shop: Grow, label: str) -> Decimal:
    return stored_package(shop.store, label).quantity


def record(store: Store, shop: Grow, command: NewReceipt) -> int:
    with at(store, shop.license) as (session, facility):
        return service.create_receipt(session, CLI, facility, command).id


def refusal(store: Store, shop: Grow, apply: Any) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught, at(store, shop.license) as (session, facility):
        apply(session, facility)
    return caught.value


def receipt_row(store: Store, receipt_id: int) -> SalesReceipt:
    with store.read() as session:
        found = session.get(SalesReceipt, receipt_id)
        assert found is not None
        session.expunge(found)
        return found


# --- drawing


def test_a_line_draws_in_the_packages_unit(store: Store, shop: Grow) -> None:
    label = sellable(shop, "100")
    record(store, shop, sale(shop, one(label, "1", "Ounces")))
    assert held(shop, label) == Decimal(100) - OUNCE


def test_several_lines_draw_in_turn_and_never_below_zero(store: Store, shop: Grow) -> None:
    label = sellable(shop, "3")
    command = sale(shop, one(label, "2"), one(label, "2"))
    error = refusal(store, shop, lambda s, f: service.create_receipt(s, CLI, f, command))
    assert error.field == ("lines", 1, "quantity") and label in str(error)
    assert held(shop, label) == 3


@pytest.mark.parametrize(
    "columns",
    [
        {"lab_testing_state": "SubmittedForTesting"},
        {"is_on_hold": True},
        {"product_requires_remediation": True},
        {"archived_date": date(2024, 1, 1)},
        {"finished_date": date(2024, 1, 1)},
    ],
)
def test_a_package_the_gate_holds_back_is_not_sold(
    store: Store, shop: Grow, columns: dict[str, Any]
) -> None:
    label = sellable(shop, "10", **columns)
    command = sale(shop, one(label))
    error = refusal(store, shop, lambda s, f: service.create_receipt(s, CLI, f, command))
    assert error.field == ("lines", 0, "package_label")
    assert held(shop, label) == 10


def test_a_unit_of_another_kind_is_refused(store: Store, shop: Grow) -> None:
    label = sellable(shop, "10")
    command = sale(shop, one(label, "1", "Each"))
    error = refusal(store, shop, lambda s, f: service.create_receipt(s, CLI, f, command))
    assert error.field == ("lines", 0, "unit_of_measure")


# --- who sells, and the receipt's fields


def test_only_a_facility_that_may_sell_sells(ledger: Ledger, store: Store) -> None:
    lab = Grow.start(ledger, store, "Testing Lab")
    label = sellable(lab, "10")
    command = sale(lab, one(label))
    error = refusal(store, lab, lambda s, f: service.create_receipt(s, CLI, f, command))
    assert "may not sell" in str(error)
    assert not service.sells(lab.facility)


def test_a_sale_in_the_future_is_refused(store: Store, shop: Grow) -> None:
    label = sellable(shop, "10")
    later = service.local_now(shop.facility) + timedelta(hours=2)
    command = NewReceipt(sales_date_time=later, lines=(one(label),), customer_type="Consumer")
    error = refusal(store, shop, lambda s, f: service.create_receipt(s, CLI, f, command))
    assert error.field == ("sales_date_time",)


def test_external_numbers_are_unique_among_active_receipts(store: Store, shop: Grow) -> None:
    label = sellable(shop, "10")
    number = unique("POS")
    first = record(store, shop, sale(shop, one(label), external_receipt_number=number))
    again = sale(shop, one(label), external_receipt_number=number)
    error = refusal(store, shop, lambda s, f: service.create_receipt(s, CLI, f, again))
    assert error.field == ("external_receipt_number",)
    with at(store, shop.license) as (session, facility):
        service.void_receipt(session, CLI, facility, session.get(SalesReceipt, first))
    record(store, shop, again)  # a voided receipt's number is free again


# --- update, void, finalize


def test_an_update_gives_back_then_draws_all_or_nothing(store: Store, shop: Grow) -> None:
    label = sellable(shop, "10")
    receipt_id = record(store, shop, sale(shop, one(label, "6")))
    with at(store, shop.license) as (session, facility):
        target = session.get(SalesReceipt, receipt_id)
        assert target is not None
        change = ReceiptChange(
            receipt=target,
            sales_date_time=sold_at(shop),
            customer_type="Consumer",
            lines=(one(label, "10", total="50"),),
        )
        service.update_receipt(session, CLI, facility, change)
    assert held(shop, label) == 0
    assert receipt_row(store, receipt_id).total_price == 50

    def too_much(session: Session, facility: Facility) -> None:
        target = session.get(SalesReceipt, receipt_id)
        assert target is not None
        change = ReceiptChange(
            receipt=target, sales_date_time=sold_at(shop), customer_type="Consumer",
            lines=(one(label, "11"),),
        )  # fmt: skip
        service.update_receipt(session, CLI, facility, change)

    assert refusal(store, shop, too_much).field == ("lines", 0, "quantity")
    assert held(shop, label) == 0


def test_void_gives_back_and_finalize_locks(store: Store, shop: Grow) -> None:
    label = sellable(shop, "10")
    receipt_id = record(store, shop, sale(shop, one(label, "4")))

    def target(session: Session) -> SalesReceipt:
        found = session.get(SalesReceipt, receipt_id)
        assert found is not None
        return found

    with at(store, shop.license) as (session, facility):
        service.finalize_receipt(session, CLI, facility, ReceiptRef(target(session)))
    error = refusal(store, shop, lambda s, f: service.void_receipt(s, CLI, f, target(s)))
    assert "finalized" in str(error)
    assert held(shop, label) == 6
    with at(store, shop.license) as (session, facility):
        service.unfinalize_receipt(session, CLI, facility, ReceiptRef(target(session)))
        service.void_receipt(session, CLI, facility, target(session))
    assert held(shop, label) == 10
    voided = receipt_row(store, receipt_id)
    assert (voided.active, voided.archived_at is not None) == (False, True)
    error = refusal(
        store, shop, lambda s, f: service.finalize_receipt(s, CLI, f, ReceiptRef(target(s)))
    )
    assert "voided" in str(error)


def test_lists_read_receipts_with_their_lines(store: Store, shop: Grow) -> None:
    label = sellable(shop, "10")
    receipt_id = record(store, shop, sale(shop, one(label), one(label, "2")))
    with store.read() as session:
        listed = queries.receipts(shop.facility, active=True)
        rows = list(session.scalars(listed.source))  # type: ignore[arg-type]
        (found,) = queries.complete_receipts(session, rows)
    assert found.receipt.id == receipt_id
    assert [line.quantity for line in found.lines] == [1, 2]
    assert found.lines[0].package_label == label


# --- patients


def _patient(store: Store, shop: Grow, **allowed: Any) -> str:
    licence = unique("PAT")
    today = facility_today(shop.facility)
    with at(store, shop.license) as (session, facility):
        create_patient(
            session,
            CLI,
            facility,
            NewPatient(
                license_number=licence,
                license_effective_start_date=today - timedelta(days=10),
                license_effective_end_date=today + timedelta(days=300),
                actual_date=today,
                **allowed,
            ),
        )
    return licence


def test_patient_limits_are_kept_through_the_patients_service(store: Store, shop: Grow) -> None:
    with at(store, shop.license) as (session, facility):
        change_capabilities(
            session, CLI, facility, enable=("CanSellToPatients", "CanSellToCaregivers")
        )
    patient = _patient(store, shop, flower_allowed=Decimal(1))
    label = sellable(shop, "100", item=shop.item("Buds"))
    receipt_id = record(
        store,
        shop,
        sale(
            shop, one(label, "1", "Ounces"), customer_type="Patient", patient_license_number=patient
        ),
    )
    over = sale(shop, one(label, "0.5"), customer_type="Patient", patient_license_number=patient)
    error = refusal(store, shop, lambda s, f: service.create_receipt(s, CLI, f, over))
    assert "more than" in str(error)
    # A caregiver not designated for the patient is refused; a designated one buys for them.
    care = sale(
        shop, one(label, "0.5"), customer_type="Caregiver", patient_license_number=patient,
        caregiver_license_number="CG-1",
    )  # fmt: skip
    error = refusal(store, shop, lambda s, f: service.create_receipt(s, CLI, f, care))
    assert error.field == ("caregiver_license_number",)
    with at(store, shop.license) as (session, facility):
        service.void_receipt(session, CLI, facility, session.get(SalesReceipt, receipt_id))
        designate_caregiver_for(session, facility, patient, "CG-1")
    record(store, shop, care)
    with store.read() as session:
        purchases = session.scalars(
            select(PatientPurchase).where(PatientPurchase.patient_license_number == patient)
        ).all()
    assert [(p.caregiver_license_number, p.quantity) for p in purchases] == [
        ("CG-1", Decimal("0.5"))
    ]
    packages_left = held(shop, label)
    assert packages_left == Decimal("99.5")


def designate_caregiver_for(session: Session, facility: Facility, patient: str, cg: str) -> None:
    from leafledger.domain.services.patients import CaregiverLink

    designate_caregiver(session, CLI, facility, CaregiverLink(cg, patient))


# --- lines by date


def test_lines_posted_by_date_share_one_receipt_per_day(store: Store, shop: Grow) -> None:
    label = sellable(shop, "10")
    today = facility_today(shop.facility)
    with at(store, shop.license) as (session, facility):
        first = service.post_day_lines(session, CLI, facility, today, [one(label)], replace=False)
        first_id = first.id
    with at(store, shop.license) as (session, facility):
        again = service.post_day_lines(session, CLI, facility, today, [one(label)], replace=False)
        assert again.id == first_id
    assert held(shop, label) == 8
    with at(store, shop.license) as (session, facility):
        service.post_day_lines(session, CLI, facility, today, [one(label, "5")], replace=True)
    assert held(shop, label) == 5
    with store.read() as session:
        (day,) = [d for d in queries.days_sold(session, shop.facility) if d.sales_date == today]
    assert (day.total_transactions, day.total_packages, day.total_price) == (1, 1, 5)
    with store.read() as session:
        package = session.scalars(select(Package).where(Package.label == label)).one()
        assert package.quantity == 5


# --- kept counts


def _counts(store: Store, facility_id: int) -> dict[bool, int]:
    from leafledger.domain.models import SalesReceiptCount

    with store.read() as session:
        rows = session.scalars(
            select(SalesReceiptCount).where(SalesReceiptCount.facility_id == facility_id)
        )
        return {row.active: row.count for row in rows}


def test_the_kept_counts_follow_records_voids_and_rollbacks(store: Store, shop: Grow) -> None:
    label = sellable(shop, "10")
    first = record(store, shop, sale(shop, one(label)))
    record(store, shop, sale(shop, one(label)))
    with at(store, shop.license) as (session, facility):
        service.void_receipt(session, CLI, facility, session.get(SalesReceipt, first))
    assert _counts(store, shop.facility.id) == {True: 1, False: 1}
    command = sale(shop, one(label), one(label, "100"))  # refused: the whole request undone
    refusal(store, shop, lambda s, f: service.create_receipt(s, CLI, f, command))
    assert _counts(store, shop.facility.id) == {True: 1, False: 1}


def test_a_batch_of_receipts_logs_each_draw_with_the_packages_whole_rows(
    store: Store, shop: Grow
) -> None:
    """The batch path writes rows without the ORM's flush; its "sell" events still hold the
    package as it was before and after each draw, every column, as `snapshot` reads it."""
    label = sellable(shop, "10")
    with at(store, shop.license) as (session, facility):
        [first] = service.create_receipts(session, CLI, facility, [sale(shop, one(label, "2"))])
        [second] = service.create_receipts(session, CLI, facility, [sale(shop, one(label, "3"))])
    with store.read() as session:
        package = session.scalars(select(Package).where(Package.label == label)).one()
        now = snapshot(package)
        sells = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "packages", AuditEvent.entity_id == package.id)
            .where(AuditEvent.action == "sell")
            .order_by(AuditEvent.id)
        ).all()
    assert first != second and len(sells) == 2
    assert [Decimal(e.before["quantity"]) for e in sells] == [Decimal(10), Decimal(8)]
    assert [Decimal(e.after["quantity"]) for e in sells] == [Decimal(8), Decimal(5)]
    assert sells[1].before == sells[0].after  # each draw starts where the one before ended
    assert sells[1].after == now  # and the last leaves the row as it is


def test_a_package_read_before_its_lock_is_drawn_as_the_lock_finds_it(
    store: Store, shop: Grow
) -> None:
    """A request may read a package before it locks it (a Trace body names its lots by id,
    and the kit reads them ahead): the lock reads the row again, and the sale draws on what
    the row holds then, not on what the first read saw (PostgreSQL; SQLite's writers hold
    its write lock from their first statement, so no sale can come between there)."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("no other writer can come between on SQLite")
    label = sellable(shop, "10")
    with at(store, shop.license) as (session, facility):
        early = session.scalars(select(Package).where(Package.label == label)).one()
        assert early.quantity == 10
        _sold_elsewhere(store, shop, label, "5")
        command = sale(shop, one(label, "4"))
        service.lock_packages(session, facility, [command])
        service.create_receipts(session, CLI, facility, [command])
    assert held(shop, label) == 1


def test_every_locked_read_refreshes_what_the_session_read_before(store: Store, shop: Grow) -> None:
    """The rule behind the test above holds for any locked read: `session.get` with
    `with_for_update` and a SELECT ... FOR UPDATE both give the row as it is now."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("no other writer can come between on SQLite")
    label = sellable(shop, "10")
    for sold, left in (("1", 9), ("2", 7)):
        with at(store, shop.license) as (session, _facility):
            early = session.scalars(select(Package).where(Package.label == label)).one()
            _sold_elsewhere(store, shop, label, sold)
            if sold == "1":
                locked = session.get(Package, early.id, with_for_update=True)
            else:
                query = select(Package).where(Package.id == early.id).with_for_update()
                locked = session.scalars(query).one()
            assert locked is early and early.quantity == left


def _sold_elsewhere(store: Store, shop: Grow, label: str, quantity: str) -> None:
    with at(store, shop.license) as (other, there):
        command = sale(shop, one(label, quantity))
        service.lock_packages(other, there, [command])
        service.create_receipts(other, CLI, there, [command])
