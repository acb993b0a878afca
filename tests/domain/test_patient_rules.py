"""Patients, their allowances, purchases, caregivers and check-ins: the rules, without HTTP.

Purchases are written directly (the sales service will write them through
`record_purchases`), so the period arithmetic is checked on its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leafledger.domain.actor import CLI
from leafledger.domain.errors import NotFound, RuleViolation
from leafledger.domain.models import (
    AuditEvent,
    CaregiverDesignation,
    Facility,
    Patient,
    PatientPurchase,
)
from leafledger.domain.reference import ITEM_CATEGORIES
from leafledger.domain.services import patient_check_ins as check_ins
from leafledger.domain.services import patients as service
from leafledger.domain.services.facilities import change_capabilities, get_facility
from leafledger.domain.services.patients import (
    Category,
    NewPatient,
    PatientChange,
    PatientSale,
    PurchaseLine,
)
from leafledger.store import Store
from tests.conftest import Ledger, unique

OUNCE = Decimal("28.349523125")  # grams
SERVES = ("CanSellToPatients",)
DAY = date(2024, 3, 31)  # an "on" date well in the past, inside every licence below


@contextmanager
def at(store: Store, license_number: str) -> Iterator[tuple[Session, Facility]]:
    """A transaction and the facility of `license_number` in it."""
    with store.transaction() as session:
        yield session, get_facility(session, license_number)


def facility_with(ledger: Ledger, store: Store, *flags: str) -> str:
    """A new dispensary with `flags` turned on; its licence number."""
    license_number = ledger.facility("Dispensary").license_number
    if flags:
        with at(store, license_number) as (session, facility):
            change_capabilities(session, CLI, facility, enable=flags)
    return license_number


@pytest.fixture()
def shop(ledger: Ledger, store: Store) -> str:
    return facility_with(
        ledger, store, "CanSellToPatients", "CanSellToCaregivers", "CanReportPatientCheckIns"
    )


def registration(licence: str | None = None, **fields: object) -> NewPatient:
    base = NewPatient(
        license_number=licence or unique("PAT"),
        license_effective_start_date=date(2024, 1, 1),
        license_effective_end_date=date(2030, 12, 31),
        actual_date=date(2024, 1, 2),
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def register(store: Store, license_number: str, command: NewPatient) -> Patient:
    with at(store, license_number) as (session, facility):
        return service.create_patient(session, CLI, facility, command)


def refused(store: Store, license_number: str, command: NewPatient) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught, at(store, license_number) as (session, facility):
        service.create_patient(session, CLI, facility, command)
    return caught.value


def bought(
    session: Session,
    patient: Patient,
    on: date,
    quantity: str,
    unit: str = "Grams",
    category: Category = Category.FLOWER,
    facility_id: int | None = None,
    licence: str | None = None,
) -> None:
    """A purchase written as the sales service would leave it."""
    session.add(
        PatientPurchase(
            facility_id=facility_id or patient.facility_id,
            patient_id=patient.id,
            patient_license_number=licence or patient.license_number,
            category=category.value,
            quantity=Decimal(quantity),
            unit_of_measure_name=unit,
            purchased_on=on,
        )
    )
    session.flush()


# --- registrations


def test_only_a_facility_that_serves_patients_registers_them(ledger: Ledger, store: Store) -> None:
    retail = facility_with(ledger, store)  # the Dispensary preset sells to consumers only
    error = refused(store, retail, registration())
    assert "may not register patients" in str(error)
    for flag in ("CanSellToPatients", "CanHaveMemberPatients"):
        assert register(store, facility_with(ledger, store, flag), registration()).id


def test_a_licence_is_registered_once_among_active_patients(shop: str, store: Store) -> None:
    licence = unique("PAT")
    first = register(store, shop, registration(licence))
    error = refused(store, shop, registration(licence))
    assert error.field == ("license_number",)
    with at(store, shop) as (session, facility):
        service.archive_patient(session, CLI, facility, session.get(Patient, first.id))
    again = register(store, shop, registration(licence))  # archived: may be registered anew
    assert again.id != first.id and again.purchase_period_days == 30


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"license_effective_end_date": date(2023, 12, 31)}, "license_effective_end_date"),
        ({"license_effective_start_date": None}, "license_effective_start_date"),
        ({"license_effective_end_date": None}, "license_effective_end_date"),
        ({"actual_date": date.today() + timedelta(days=3)}, "actual_date"),
        ({"recommended_plants": -1}, "recommended_plants"),
        ({"recommended_smokable_quantity": Decimal("-2")}, "recommended_smokable_quantity"),
        ({"flower_allowed": Decimal("-0.5")}, "flower_allowed"),
        ({"thc_allowed": Decimal("0.12345678901")}, "thc_allowed"),
        ({"max_flower_thc_percent": Decimal("100.5")}, "max_flower_thc_percent"),
        ({"max_concentrate_thc_percent": Decimal("-1")}, "max_concentrate_thc_percent"),
        ({"purchase_period_days": 0}, "purchase_period_days"),
        ({"purchase_period_days": 367}, "purchase_period_days"),
        ({"has_sales_limit_exemption": True}, "has_sales_limit_exemption"),
        ({"license_number": "   "}, "license_number"),
        ({"license_number": "X" * 65}, "license_number"),
    ],
)
def test_registration_fields_are_checked_naming_the_field(
    shop: str, store: Store, fields: dict[str, object], field: str
) -> None:
    error = refused(store, shop, registration(**fields))
    assert error.field == (field,), error


def test_an_exemption_needs_a_facility_that_may_grant_it(ledger: Ledger, store: Store) -> None:
    granting = facility_with(ledger, store, *SERVES, "CanSpecifyPatientSalesLimitExemption")
    patient = register(store, granting, registration(has_sales_limit_exemption=True))
    assert patient.has_sales_limit_exemption is True


def test_allowances_are_kept_as_posted_in_ounces(shop: str, store: Store) -> None:
    patient = register(
        store,
        shop,
        registration(
            recommended_plants=6,
            recommended_smokable_quantity=Decimal("2.0"),
            flower_allowed=Decimal("2.5"),
            max_flower_thc_percent=Decimal("30"),
        ),
    )
    assert (patient.flower_allowed, patient.allowance_unit) == (Decimal("2.5"), "Ounces")
    assert patient.thc_allowed is None and patient.recommended_plants == 6
    with at(store, shop) as (session, _facility):
        kept = session.get(Patient, patient.id)
        assert kept is not None and kept.flower_allowed == Decimal("2.5")
        assert kept.registration_date == date(2024, 1, 2)


def test_an_update_names_the_registration_by_licence_and_may_rename_it(
    shop: str, store: Store
) -> None:
    licence, other = unique("PAT"), unique("PAT")
    patient = register(store, shop, registration(licence, purchase_period_days=7))
    register(store, shop, registration(other))
    renamed = unique("PAT")
    with at(store, shop) as (session, facility):
        change = PatientChange(
            **{**registration(licence).__dict__, "flower_allowed": Decimal(1)},
            new_license_number=renamed,
        )
        updated = service.update_patient(session, CLI, facility, change)
    assert (updated.id, updated.license_number) == (patient.id, renamed)
    assert updated.flower_allowed == 1 and updated.purchase_period_days == 7  # kept
    with pytest.raises(RuleViolation) as caught, at(store, shop) as (session, facility):
        taken = PatientChange(**registration(renamed).__dict__, new_license_number=other)
        service.update_patient(session, CLI, facility, taken)
    assert caught.value.field == ("new_license_number",)
    with pytest.raises(NotFound), at(store, shop) as (session, facility):
        service.update_patient(session, CLI, facility, PatientChange(**registration().__dict__))


def test_an_archived_patient_is_not_archived_twice(shop: str, store: Store) -> None:
    patient = register(store, shop, registration())
    with at(store, shop) as (session, facility):
        kept = session.get(Patient, patient.id)
        assert kept is not None
        service.archive_patient(session, CLI, facility, kept)
        with pytest.raises(RuleViolation, match="archived already"):
            service.archive_patient(session, CLI, facility, kept)


# --- allowances: the period arithmetic


def test_the_period_holds_its_last_day_and_the_days_before_it(shop: str, store: Store) -> None:
    """A 30-day period ending on 31 March runs from 2 March: a purchase of 2 March counts, one
    of 1 March has fallen out, one dated after the day does not count yet."""
    patient = register(store, shop, registration(flower_allowed=Decimal(2)))
    with at(store, shop) as (session, facility):
        bought(session, patient, DAY, "3.5")
        bought(session, patient, DAY - timedelta(days=29), "1.5")  # 2 March: in
        bought(session, patient, DAY - timedelta(days=30), "100")  # 1 March: out
        bought(session, patient, DAY + timedelta(days=1), "100")  # 1 April: not yet
        allowance = service.purchase_allowance(session, facility, patient.license_number, DAY)
    assert allowance.period_start == date(2024, 3, 2)
    flower = allowance.of(Category.FLOWER)
    assert flower.allowed == 2 * OUNCE
    assert flower.bought == Decimal(5)
    assert flower.left == 2 * OUNCE - 5
    # The next day, the purchase of 2 March falls out and that of 1 April comes in.
    with at(store, shop) as (session, facility):
        later = service.purchase_allowance(
            session, facility, patient.license_number, DAY + timedelta(days=1)
        )
    assert later.of(Category.FLOWER).bought == Decimal("103.5")
    assert later.of(Category.FLOWER).left == 0  # never negative


def test_a_one_day_period_is_that_day_only(shop: str, store: Store) -> None:
    patient = register(
        store, shop, registration(concentrate_allowed=Decimal(1), purchase_period_days=1)
    )
    with at(store, shop) as (session, _facility):
        bought(session, patient, DAY, "1", category=Category.CONCENTRATE)
        bought(session, patient, DAY - timedelta(days=1), "5", category=Category.CONCENTRATE)
        allowance = service.allowance_of(session, session.get(Patient, patient.id), DAY)  # type: ignore[arg-type]
    assert allowance.period_start == DAY
    assert allowance.of(Category.CONCENTRATE).bought == 1


def test_purchases_in_several_units_add_up_exactly(shop: str, store: Store) -> None:
    patient = register(store, shop, registration(flower_allowed=Decimal(1)))
    with at(store, shop) as (session, facility):
        for _ in range(8):
            bought(session, patient, DAY, "0.125", unit="Ounces")  # eight eighths
        allowance = service.purchase_allowance(session, facility, patient.license_number, DAY)
    assert allowance.of(Category.FLOWER).bought == OUNCE
    assert allowance.of(Category.FLOWER).left == 0


def test_what_counts_is_the_facility_s_own_sales_to_this_patient(
    ledger: Ledger, shop: str, store: Store
) -> None:
    licence = unique("PAT")
    patient = register(store, shop, registration(licence, infused_allowed=Decimal(1)))
    elsewhere = facility_with(ledger, store, *SERVES)
    other = register(store, elsewhere, registration(licence))
    neighbour = register(store, shop, registration())
    with at(store, shop) as (session, facility):
        bought(session, patient, DAY, "2", category=Category.INFUSED)
        bought(session, other, DAY, "7", category=Category.INFUSED)  # another facility's sale
        bought(session, neighbour, DAY, "9", category=Category.INFUSED)  # another patient
        allowance = service.purchase_allowance(session, facility, licence, DAY)
    assert allowance.of(Category.INFUSED).bought == 2
    assert allowance.of(Category.FLOWER).bought == 0


def test_purchases_follow_a_renamed_registration(shop: str, store: Store) -> None:
    licence, renamed = unique("PAT"), unique("PAT")
    patient = register(store, shop, registration(licence, flower_allowed=Decimal(1)))
    with at(store, shop) as (session, facility):
        bought(session, patient, DAY, "4")
        change = PatientChange(**registration(licence).__dict__, new_license_number=renamed)
        service.update_patient(session, CLI, facility, change)
        allowance = service.purchase_allowance(session, facility, renamed, DAY)
    assert allowance.of(Category.FLOWER).bought == 4


def test_re_registration_keeps_what_was_bought_under_the_licence(shop: str, store: Store) -> None:
    licence = unique("PAT")
    first = register(store, shop, registration(licence, flower_allowed=Decimal(1)))
    with at(store, shop) as (session, facility):
        bought(session, first, DAY, "4")
        service.archive_patient(session, CLI, facility, session.get(Patient, first.id))  # type: ignore[arg-type]
    register(store, shop, registration(licence, flower_allowed=Decimal(1)))
    with at(store, shop) as (session, facility):
        allowance = service.purchase_allowance(session, facility, licence, DAY)
    assert allowance.of(Category.FLOWER).bought == 4


def test_what_is_left_when_nothing_is_stated_exempt_or_out_of_effect(
    ledger: Ledger, store: Store
) -> None:
    granting = facility_with(ledger, store, *SERVES, "CanSpecifyPatientSalesLimitExemption")
    plain = register(store, granting, registration(flower_allowed=Decimal(1)))
    exempt = register(
        store, granting, registration(flower_allowed=Decimal(1), has_sales_limit_exemption=True)
    )
    with at(store, granting) as (session, _facility):
        now = service.allowance_of(session, session.get(Patient, plain.id), DAY)  # type: ignore[arg-type]
        expired = service.allowance_of(session, session.get(Patient, plain.id), date(2031, 1, 1))  # type: ignore[arg-type]
        free = service.allowance_of(session, session.get(Patient, exempt.id), DAY)  # type: ignore[arg-type]
    assert now.in_effect and now.of(Category.FLOWER).left == OUNCE
    assert now.of(Category.THC).allowed is None and now.of(Category.THC).left is None
    assert not expired.in_effect and expired.of(Category.THC).left == 0
    assert free.exempt and free.of(Category.FLOWER).left is None
    assert free.of(Category.FLOWER).allowed == OUNCE  # what was stated is still told


def test_an_unregistered_licence_has_no_allowance(shop: str, store: Store) -> None:
    with at(store, shop) as (session, facility):
        with pytest.raises(NotFound):
            service.purchase_allowance(session, facility, unique("NOBODY"), DAY)
        assert service.statuses(session, facility, unique("NOBODY"), DAY) == []


# --- sales against the allowance


def line(quantity: str, unit: str = "Grams", **fields: object) -> PurchaseLine:
    return PurchaseLine(
        category=fields.pop("category", Category.FLOWER),  # type: ignore[arg-type]
        quantity=Decimal(quantity),
        unit_of_measure=unit,
        **fields,  # type: ignore[arg-type]
    )


def test_refuse_over_limit_checks_the_quantities_left_and_the_thc_ceilings(
    shop: str, store: Store
) -> None:
    patient = register(
        store,
        shop,
        registration(flower_allowed=Decimal(1), max_concentrate_thc_percent=Decimal(70)),
    )
    with at(store, shop) as (session, facility):
        bought(session, patient, DAY, "8.349523125")
        allowance = service.purchase_allowance(session, facility, patient.license_number, DAY)
    service.refuse_over_limit(allowance, [line("10"), line("10")])  # exactly what is left
    with pytest.raises(RuleViolation, match="more than the 20 g the patient has left"):
        service.refuse_over_limit(allowance, [line("10"), line("10.0000000001")])
    service.refuse_over_limit(allowance, [line("1", category=Category.THC)])  # no THC limit
    strong = line("1", category=Category.CONCENTRATE, thc_percent=Decimal("70.5"))
    with pytest.raises(RuleViolation) as caught:
        service.refuse_over_limit(allowance, [line("1"), strong])
    assert caught.value.field == ("lines", 1, "thc_percent")
    with pytest.raises(RuleViolation) as caught:
        service.refuse_over_limit(allowance, [line("1", unit="Each")])
    assert caught.value.field == ("lines", 0, "unit_of_measure")
    with pytest.raises(RuleViolation) as caught:
        service.refuse_over_limit(allowance, [line("1", category="seeds")])
    assert caught.value.field == ("lines", 0, "category")


def test_a_licence_out_of_effect_buys_nothing(shop: str, store: Store) -> None:
    patient = register(store, shop, registration(license_effective_start_date=date(2024, 4, 1)))
    with at(store, shop) as (session, facility):
        allowance = service.purchase_allowance(session, facility, patient.license_number, DAY)
    with pytest.raises(RuleViolation, match="not in effect on 2024-03-31"):
        service.refuse_over_limit(allowance, [line("0.1")])


def _audit_count(store: Store) -> int:
    with store.transaction(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def test_record_purchases_writes_the_lines_and_refuses_what_would_exceed(
    shop: str, store: Store
) -> None:
    patient = register(store, shop, registration(flower_allowed=Decimal(1)))
    sale = PatientSale(patient.license_number, (line("0.5", "Ounces"),), sold_on=DAY)
    with at(store, shop) as (session, facility):
        (recorded,) = service.record_purchases(session, CLI, facility, sale)
    assert (recorded.quantity, recorded.unit_of_measure_name) == (Decimal("0.5"), "Ounces")
    assert (recorded.category, recorded.purchased_on) == ("flower", DAY)
    before = _audit_count(store)
    too_much = PatientSale(patient.license_number, (line("0.25", "oz"), line("8", "g")), DAY)
    with pytest.raises(RuleViolation, match="more than"), at(store, shop) as (session, facility):
        service.record_purchases(session, CLI, facility, too_much)
    assert _audit_count(store) == before
    with at(store, shop) as (session, facility):
        service.record_purchases(session, CLI, facility, replace(too_much, lines=(line("14"),)))
        left = service.purchase_allowance(session, facility, patient.license_number, DAY)
    assert left.of(Category.FLOWER).left == OUNCE / 2 - 14


def test_a_backdated_sale_counts_in_the_later_periods_too(shop: str, store: Store) -> None:
    """10 g on 31 March use up a 10 g allowance for every period that holds that day: a sale
    backdated to 20 March would fit its own period (ending 20 March) but not theirs."""
    patient = register(
        store, shop, registration(flower_allowed=Decimal(10), allowance_unit="Grams")
    )
    with at(store, shop) as (session, facility):
        bought(session, patient, DAY, "10")
        backdated = PatientSale(patient.license_number, (line("1"),), sold_on=date(2024, 3, 20))
        with pytest.raises(RuleViolation, match="2024-03-02 to 2024-03-31"):
            service.record_purchases(session, CLI, facility, backdated)
        long_ago = replace(backdated, sold_on=date(2024, 2, 29))  # its periods end before DAY
        assert service.record_purchases(session, CLI, facility, long_ago)


def test_a_caregiver_buys_only_for_the_patients_it_is_designated_for(
    shop: str, store: Store
) -> None:
    patient = register(store, shop, registration())
    caregiver = unique("CG")
    sale = PatientSale(
        patient.license_number, (line("1"),), sold_on=DAY, caregiver_license_number=caregiver
    )
    with pytest.raises(RuleViolation) as caught, at(store, shop) as (session, facility):
        service.record_purchases(session, CLI, facility, sale)
    assert caught.value.field == ("caregiver_license_number",)
    link = service.CaregiverLink(caregiver, patient.license_number)
    with at(store, shop) as (session, facility):
        service.designate_caregiver(session, CLI, facility, link)
        (recorded,) = service.record_purchases(session, CLI, facility, sale)
    assert recorded.caregiver_license_number == caregiver


# --- caregivers


def test_caregiver_status_lists_the_active_patients_it_acts_for(
    ledger: Ledger, shop: str, store: Store
) -> None:
    caregiver = unique("CG")
    first, second = (register(store, shop, registration()) for _ in range(2))
    with at(store, shop) as (session, facility):
        assert service.caregiver_status(session, facility, caregiver) == service.CaregiverStatus(
            caregiver, False, ()
        )
        for patient in (first, second):
            link = service.CaregiverLink(caregiver, patient.license_number)
            service.designate_caregiver(session, CLI, facility, link)
        with pytest.raises(RuleViolation, match="already"):
            service.designate_caregiver(
                session, CLI, facility, service.CaregiverLink(caregiver, first.license_number)
            )
        with pytest.raises(RuleViolation) as caught:
            own = service.CaregiverLink(first.license_number, first.license_number)
            service.designate_caregiver(session, CLI, facility, own)
        assert caught.value.field == ("caregiver_license_number",)
    with at(store, shop) as (session, facility):
        status = service.caregiver_status(session, facility, f" {caregiver} ")
        assert status.active and set(status.patients) == {
            first.license_number,
            second.license_number,
        }
        service.archive_patient(session, CLI, facility, session.get(Patient, first.id))  # type: ignore[arg-type]
        service.release_caregiver(
            session, CLI, facility, service.CaregiverLink(caregiver, second.license_number)
        )
        assert not service.caregiver_status(session, facility, caregiver).active
        kept = session.scalars(
            select(CaregiverDesignation).where(
                CaregiverDesignation.caregiver_license_number == caregiver
            )
        ).all()
        assert len(kept) == 2  # history stays: released, not deleted
    retail = facility_with(ledger, store, *SERVES)  # sells to patients, not to caregivers
    patient = register(store, retail, registration())
    link = service.CaregiverLink(caregiver, patient.license_number)
    with (
        pytest.raises(RuleViolation, match="may not sell to caregivers"),
        at(store, retail) as (session, facility),
    ):
        service.designate_caregiver(session, CLI, facility, link)


# --- check-ins


def visit(**fields: object) -> check_ins.NewCheckIn:
    base = check_ins.NewCheckIn(
        patient_license_number=unique("VISITOR"),
        check_in_location=9,
        registration_start_date=date(2024, 1, 1),
        registration_expiry_date=date(2024, 12, 31),
        check_in_date=DAY,
    )
    return replace(base, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"check_in_location": 999}, "check_in_location"),
        ({"registration_expiry_date": date(2023, 12, 31)}, "registration_expiry_date"),
        ({"check_in_date": date(2025, 1, 1)}, "check_in_date"),  # after the expiry
        ({"check_in_date": date(2023, 6, 1)}, "check_in_date"),  # before the start
        ({"check_in_date": date.today() + timedelta(days=2)}, "check_in_date"),  # future
        ({"patient_license_number": ""}, "patient_license_number"),
    ],
)
def test_check_in_fields_are_checked_naming_the_field(
    shop: str, store: Store, fields: dict[str, object], field: str
) -> None:
    with pytest.raises(RuleViolation) as caught, at(store, shop) as (session, facility):
        check_ins.record_check_in(session, CLI, facility, visit(**fields))
    assert caught.value.field == (field,)


def test_check_ins_need_a_facility_that_reports_them(ledger: Ledger, store: Store) -> None:
    serving = facility_with(ledger, store, *SERVES)
    with (
        pytest.raises(RuleViolation, match="may not report patient check-ins"),
        at(store, serving) as (session, facility),
    ):
        check_ins.record_check_in(session, CLI, facility, visit())


def test_a_check_in_is_changed_while_it_stands_then_archived(shop: str, store: Store) -> None:
    with at(store, shop) as (session, facility):
        check_in = check_ins.record_check_in(session, CLI, facility, visit())
        change = check_ins.CheckInChange(
            **{**visit().__dict__, "check_in_location": 6}, check_in=check_in
        )
        check_ins.update_check_in(session, CLI, facility, change)
        assert check_in.check_in_location_id == 6
        assert check_ins.archive_check_in(session, CLI, facility, check_in) == check_in.id
        with pytest.raises(RuleViolation, match="archived"):
            check_ins.update_check_in(session, CLI, facility, change)
        with pytest.raises(RuleViolation, match="archived"):
            check_ins.archive_check_in(session, CLI, facility, check_in)


# --- capability flags of one facility


def test_capability_flags_of_one_facility_change_and_are_audited(
    ledger: Ledger, store: Store
) -> None:
    license_number = facility_with(ledger, store)
    with at(store, license_number) as (session, facility):
        change_capabilities(
            session, CLI, facility, enable=["cansellTOpatients"], disable=["CanSellToConsumers"]
        )
        assert facility.can("CanSellToPatients") and not facility.can("CanSellToConsumers")
        event = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.facility_id == facility.id)
            .order_by(AuditEvent.id.desc())
        ).first()
        assert event is not None and event.action == "change_capabilities"
        assert event.before is not None and event.after is not None
        assert event.before["capabilities"]["CanSellToPatients"] is False
        assert event.after["capabilities"]["CanSellToPatients"] is True
        with pytest.raises(RuleViolation, match="unknown capability flag"):
            change_capabilities(session, CLI, facility, enable=["CanFly"])
        with pytest.raises(RuleViolation, match="both enabled and disabled"):
            change_capabilities(session, CLI, facility, enable=["IsMedical"], disable=["ismedical"])


def test_every_item_category_counts_against_one_allowance_or_none() -> None:
    counted = {c.name: service.category_of(c.product_category_type) for c in ITEM_CATEGORIES}
    assert counted["Buds"] is counted["Pre-Roll Flower"] is Category.FLOWER
    assert counted["Vape Cartridge"] is counted["Kief"] is Category.CONCENTRATE
    assert counted["Edible"] is counted["Topical"] is Category.INFUSED
    assert counted["Seeds"] is counted["Clone - Cutting"] is counted["Waste"] is None
