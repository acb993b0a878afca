"""Patients: their registrations at a facility, what they may buy, and their caregivers.

Registrations. Only a facility whose licence lets it serve patients (it may sell to patients,
or have member patients) registers them. A registration names the patient's state licence
(unique among the facility's active registrations), the dates the licence is in effect (the end
not before the start) and the registration date (not in the future). It states, optionally,
the recommended plant count and smokable quantity and the patient's allowances: the weight of
flower, THC, concentrate and infused product they may buy in one purchase period, and the
highest THC percentage of flower and of concentrate they may buy. Weights are never negative,
have at most ten decimal places and are kept in the unit posted (ounces on the Metrc wire);
percentages lie between 0 and 100. An exemption from the sales limits can be granted only where
the facility's licence allows it. An archived registration is neither changed nor used.

Allowances. A purchase period is the `purchase_period_days` days that end on a given date
(that day included): with a 30-day period, what is left on 31 March is what the allowance
leaves after the purchases of 2 to 31 March; a purchase of 1 March has fallen out. What is left
is never negative. A category the registration states no limit for, or every category of an
exempt patient, has no limit; a licence not in effect on the day leaves nothing at all.

Purchases. The sales service records each sale line to a patient with `record_purchases`,
which refuses, before anything is written, a sale that would take more than any period holding
the sale day leaves, flower or concentrate above the patient's THC percentage, a licence not in
effect that day, or a caregiver not designated for the patient. `purchase_allowance` is what the
status lookups answer; `refuse_over_limit` checks a planned sale against one allowance. Sales
are counted per facility: a registration is its facility's, and the facilities of one ledger
may belong to different operators, so a facility's allowances count its own sales only.

Caregivers. A facility that may sell to caregivers designates caregiver licences for its
patients (`designate_caregiver`, from the command line: the state registry is the source);
a caregiver is active while designated for at least one active registration.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import FieldPath, NotFound, RuleViolation
from leafledger.domain.models import CaregiverDesignation, Facility, Patient, PatientPurchase
from leafledger.domain.models.base import IsTrue
from leafledger.domain.models.patient import LICENCE_LENGTH
from leafledger.domain.services.audit import (
    audited,
    record,
    record_created,
    record_new,
    snapshot,
)
from leafledger.domain.services.catalogue import bounded, check_percent
from leafledger.domain.services.harvests import amount, weight_unit
from leafledger.domain.services.lookups import not_future
from leafledger.domain.units import to_base

# US registrations state allowances and recommended quantities in ounces.
ALLOWANCE_UNIT = "Ounces"
DEFAULT_PURCHASE_PERIOD_DAYS = 30
MAX_PURCHASE_PERIOD_DAYS = 366
MAX_RECOMMENDED_PLANTS = 10_000
ZERO = Decimal(0)


class Category(StrEnum):
    """What an allowance limits: a sale line counts against one of these."""

    FLOWER = "flower"
    THC = "thc"
    CONCENTRATE = "concentrate"
    INFUSED = "infused"


# The allowance a product counts against, by its item category's product type
# (reference.ITEM_CATEGORIES); seeds, plants and waste count against none. The THC allowance
# limits THC content, whatever the product: a sale line of it states that content as a weight.
_BY_PRODUCT_TYPE = {
    "Buds": Category.FLOWER,
    "ShakeTrim": Category.FLOWER,
    "Concentrate": Category.CONCENTRATE,
    "InfusedEdible": Category.INFUSED,
    "InfusedNonEdible": Category.INFUSED,
}


def category_of(product_category_type: str) -> Category | None:
    """The allowance a product of this type counts against, if any."""
    return _BY_PRODUCT_TYPE.get(product_category_type)


# The Patient column holding each category's allowance, and the one holding its THC ceiling.
_ALLOWED = {
    Category.FLOWER: "flower_allowed",
    Category.THC: "thc_allowed",
    Category.CONCENTRATE: "concentrate_allowed",
    Category.INFUSED: "infused_allowed",
}
_THC_CEILING = {
    Category.FLOWER: "max_flower_thc_percent",
    Category.CONCENTRATE: "max_concentrate_thc_percent",
}


# --- what a facility may do


def serves_patients(facility: Facility) -> bool:
    return facility.can("CanSellToPatients") or facility.can("CanHaveMemberPatients")


def _refuse_unless_serving(facility: Facility) -> None:
    if not serves_patients(facility):
        raise RuleViolation(
            f"The facility {facility.license_number} may not register patients: its licence "
            "lets it neither sell to patients nor have member patients."
        )


def clean_licence(value: Any, field: str | FieldPath, what: str = "patient") -> str:
    """A required licence number, stripped, no longer than the column keeping it."""
    if not isinstance(value, str) or not value.strip():
        raise RuleViolation(f"A {what} licence number is required.", field=field)
    return bounded(value.strip(), field, LICENCE_LENGTH)


# --- registrations


@dataclass(frozen=True)
class NewPatient:
    """A registration, as a request states it (allowances in `allowance_unit`)."""

    license_number: str
    license_effective_start_date: date | None = None
    license_effective_end_date: date | None = None
    recommended_plants: int | None = None
    recommended_smokable_quantity: Decimal | None = None
    flower_allowed: Decimal | None = None
    thc_allowed: Decimal | None = None
    concentrate_allowed: Decimal | None = None
    infused_allowed: Decimal | None = None
    max_flower_thc_percent: Decimal | None = None
    max_concentrate_thc_percent: Decimal | None = None
    has_sales_limit_exemption: bool = False
    # The day of the registration (of the change, for an update); today when not given.
    actual_date: date | None = None
    # None: the default period (for an update: the period the registration has).
    purchase_period_days: int | None = None
    allowance_unit: str = ALLOWANCE_UNIT


@dataclass(frozen=True, kw_only=True)
class PatientChange(NewPatient):
    """New fields for the active registration of `license_number`, renamed to
    `new_license_number` when that is given."""

    new_license_number: str | None = None


def registered_patient(
    session: Session, facility: Facility, license_number: str, *, lock: bool = False
) -> Patient | None:
    """The facility's active registration of a licence number, if there is one (`lock`: held
    FOR UPDATE until the request ends, so that concurrent sales to it take turns)."""
    query = select(Patient).where(
        Patient.facility_id == facility.id,
        Patient.license_number == license_number.strip(),
        IsTrue(Patient.active),
    )
    if lock:
        query = query.with_for_update()
    return session.scalars(query.limit(1)).first()


def _registered(
    session: Session, facility: Facility, license_number: Any, field: str, *, lock: bool = False
) -> Patient:
    licence = clean_licence(license_number, field)
    patient = registered_patient(session, facility, licence, lock=lock)
    if patient is None:
        raise NotFound(f"No active patient with licence number {licence} is registered here.")
    return patient


def _refuse_taken(
    session: Session, facility: Facility, licence: str, field: str, exclude_id: int | None = None
) -> None:
    found = registered_patient(session, facility, licence)
    if found is not None and found.id != exclude_id:
        raise RuleViolation(
            f"A patient with licence number {licence} is registered here already.", field=field
        )


def _optional_amount(value: Decimal | None, field: str) -> Decimal | None:
    return None if value is None else amount(value, field, allow_zero=True)


def _apply(facility: Facility, patient: Patient, command: NewPatient) -> None:
    """Check the fields every registration states and set them on `patient`."""
    start = command.license_effective_start_date
    end = command.license_effective_end_date
    if start is None:
        raise RuleViolation(
            "The date the licence takes effect is required.", field="license_effective_start_date"
        )
    if end is None:
        raise RuleViolation(
            "The date the licence ends is required.", field="license_effective_end_date"
        )
    if end < start:
        raise RuleViolation(
            f"{{field}} ({end.isoformat()}) is before the licence takes effect "
            f"({start.isoformat()}).",
            field="license_effective_end_date",
        )
    plants = command.recommended_plants
    if plants is not None and not 0 <= plants <= MAX_RECOMMENDED_PLANTS:
        raise RuleViolation(
            f"{{field}} must be between 0 and {MAX_RECOMMENDED_PLANTS}, got {plants}.",
            field="recommended_plants",
        )
    exempt = bool(command.has_sales_limit_exemption)
    if exempt and not facility.can("CanSpecifyPatientSalesLimitExemption"):
        raise RuleViolation(
            "This facility may not exempt a patient from the sales limits.",
            field="has_sales_limit_exemption",
        )
    days = command.purchase_period_days
    if days is None:
        days = patient.purchase_period_days or DEFAULT_PURCHASE_PERIOD_DAYS
    if not 1 <= days <= MAX_PURCHASE_PERIOD_DAYS:
        raise RuleViolation(
            f"{{field}} must be between 1 and {MAX_PURCHASE_PERIOD_DAYS} days, got {days}.",
            field="purchase_period_days",
        )
    unit = weight_unit(command.allowance_unit, "allowance_unit")
    patient.license_effective_start_date = start
    patient.license_effective_end_date = end
    patient.recommended_plants = plants
    patient.recommended_smokable_quantity = _optional_amount(
        command.recommended_smokable_quantity, "recommended_smokable_quantity"
    )
    for column in _ALLOWED.values():
        setattr(patient, column, _optional_amount(getattr(command, column), column))
    patient.allowance_unit = unit.name
    for column in _THC_CEILING.values():
        setattr(patient, column, check_percent(getattr(command, column), column))
    patient.has_sales_limit_exemption = exempt
    patient.purchase_period_days = days


def create_patient(
    session: Session, actor: Actor, facility: Facility, command: NewPatient
) -> Patient:
    _refuse_unless_serving(facility)
    licence = clean_licence(command.license_number, "license_number")
    _refuse_taken(session, facility, licence, "license_number")
    patient = Patient(
        facility_id=facility.id,
        license_number=licence,
        registration_date=not_future(facility, command.actual_date, "actual_date"),
        active=True,
    )
    _apply(facility, patient, command)
    record_new(session, actor, patient, facility.id)
    return patient


def update_patient(
    session: Session, actor: Actor, facility: Facility, command: PatientChange
) -> Patient:
    """Change the active registration of a licence number (renaming it, if asked); the
    registration date stays the day the patient was registered."""
    _refuse_unless_serving(facility)
    patient = _registered(session, facility, command.license_number, "license_number")
    not_future(facility, command.actual_date, "actual_date")
    renamed = None
    if command.new_license_number is not None and command.new_license_number.strip():
        renamed = clean_licence(command.new_license_number, "new_license_number")
        _refuse_taken(session, facility, renamed, "new_license_number", exclude_id=patient.id)
    done = audited(session, actor, patient, "update", facility.id)
    _apply(facility, patient, command)
    if renamed is not None:
        patient.license_number = renamed
    done()
    return patient


def archive_patient(session: Session, actor: Actor, facility: Facility, patient: Patient) -> int:
    if not patient.active:
        raise RuleViolation(f"The patient {patient.license_number} is archived already.")
    done = audited(session, actor, patient, "archive", facility.id)
    patient.active = False
    done()
    return patient.id


# --- allowances


@dataclass(frozen=True)
class CategoryAllowance:
    """One category of an allowance over one purchase period, in grams."""

    category: Category
    allowed: Decimal | None  # what the registration allows in a period; None: no limit stated
    bought: Decimal  # what was bought in the period
    left: Decimal | None  # what may still be bought in it; None: no limit applies


@dataclass(frozen=True)
class Allowance:
    """What a registration lets the patient buy in the purchase period ending on `on_date`."""

    patient_id: int
    license_number: str
    on_date: date
    period_days: int
    in_effect: bool  # the licence is in effect on `on_date`
    exempt: bool  # exempt from the sales limits
    license_start: date
    license_end: date
    max_flower_thc_percent: Decimal | None
    max_concentrate_thc_percent: Decimal | None
    categories: tuple[CategoryAllowance, ...]

    @property
    def period_start(self) -> date:
        return self.on_date - timedelta(days=self.period_days - 1)

    def of(self, category: Category) -> CategoryAllowance:
        return next(c for c in self.categories if c.category is category)

    def thc_ceiling(self, category: Category) -> Decimal | None:
        """The highest THC percentage the patient may buy in `category`, if one is set."""
        if category is Category.FLOWER:
            return self.max_flower_thc_percent
        if category is Category.CONCENTRATE:
            return self.max_concentrate_thc_percent
        return None


@dataclass(frozen=True)
class _Bought:
    category: str
    quantity: Decimal
    unit_of_measure_name: str
    purchased_on: date


def _purchases(session: Session, patient: Patient, first: date, last: date) -> list[_Bought]:
    """The sale lines that count against `patient` dated from `first` to `last`: those sold
    under this registration, and those of its licence number at the facility (sold under an
    earlier registration of it)."""
    dated = PatientPurchase.purchased_on.between(first, last)
    query = select(
        PatientPurchase.category,
        PatientPurchase.quantity,
        PatientPurchase.unit_of_measure_name,
        PatientPurchase.purchased_on,
    ).where(
        or_(
            and_(PatientPurchase.patient_id == patient.id, dated),
            and_(
                PatientPurchase.facility_id == patient.facility_id,
                PatientPurchase.patient_license_number == patient.license_number,
                dated,
            ),
        )
    )
    return [_Bought(*row) for row in session.execute(query)]


def _grams_bought(purchases: Iterable[_Bought], first: date, last: date) -> dict[Category, Decimal]:
    bought = dict.fromkeys(Category, ZERO)
    for purchase in purchases:
        if first <= purchase.purchased_on <= last:
            category = Category(purchase.category)
            bought[category] += to_base(purchase.quantity, purchase.unit_of_measure_name)
    return bought


def in_effect(patient: Patient, on_date: date) -> bool:
    return (
        patient.active
        and patient.license_effective_start_date <= on_date <= patient.license_effective_end_date
    )


def _allowance(
    patient: Patient, on_date: date, bought: dict[Category, Decimal], effective: bool
) -> Allowance:
    exempt = patient.has_sales_limit_exemption
    categories = []
    for category, column in _ALLOWED.items():
        stated = getattr(patient, column)
        allowed = None if stated is None else to_base(stated, patient.allowance_unit)
        left: Decimal | None
        if not effective:
            left = ZERO
        elif exempt or allowed is None:
            left = None
        else:
            left = max(allowed - bought[category], ZERO)
        categories.append(CategoryAllowance(category, allowed, bought[category], left))
    return Allowance(
        patient_id=patient.id,
        license_number=patient.license_number,
        on_date=on_date,
        period_days=patient.purchase_period_days,
        in_effect=effective,
        exempt=exempt,
        license_start=patient.license_effective_start_date,
        license_end=patient.license_effective_end_date,
        max_flower_thc_percent=patient.max_flower_thc_percent,
        max_concentrate_thc_percent=patient.max_concentrate_thc_percent,
        categories=tuple(categories),
    )


def _period_start(patient: Patient, last: date) -> date:
    return last - timedelta(days=patient.purchase_period_days - 1)


def allowance_of(session: Session, patient: Patient, on_date: date) -> Allowance:
    """The allowance of a registration in the purchase period ending on `on_date`."""
    first = _period_start(patient, on_date)
    bought = _grams_bought(_purchases(session, patient, first, on_date), first, on_date)
    return _allowance(patient, on_date, bought, in_effect(patient, on_date))


def purchase_allowance(
    session: Session, facility: Facility, patient_licence: str, on_date: date
) -> Allowance:
    """The allowance of the facility's active registration of `patient_licence` in the
    purchase period ending on `on_date` (NotFound when the licence is not registered here)."""
    patient = _registered(session, facility, patient_licence, "patient_license_number")
    return allowance_of(session, patient, on_date)


def statuses(
    session: Session, facility: Facility, patient_licence: str, on_date: date
) -> list[Allowance]:
    """What a status lookup answers: the allowance of the facility's active registration of
    the licence on `on_date`, or nothing for a licence not registered here."""
    patient = registered_patient(session, facility, patient_licence)
    return [] if patient is None else [allowance_of(session, patient, on_date)]


@dataclass(frozen=True)
class PurchaseLine:
    """One line of a sale to a patient: a weight of one category (a count-based product
    counts by the weight its item states), and its THC percentage when known."""

    category: Category | str
    quantity: Decimal
    unit_of_measure: str  # a unit of weight
    thc_percent: Decimal | None = None


@dataclass(frozen=True)
class _Line:
    category: Category
    quantity: Decimal
    unit_name: str
    grams: Decimal
    thc_percent: Decimal | None


def _checked_lines(lines: Sequence[PurchaseLine]) -> list[_Line]:
    if not lines:
        raise RuleViolation("A sale to a patient needs at least one line.", field="lines")
    checked = []
    for index, line in enumerate(lines):
        try:
            category = Category(str(line.category).strip().lower())
        except ValueError:
            known = ", ".join(c.value for c in Category)
            raise RuleViolation(
                f"{{field}} must be one of {known}; got {line.category!r}.",
                field=("lines", index, "category"),
            ) from None
        quantity = amount(line.quantity, ("lines", index, "quantity"))
        unit = weight_unit(line.unit_of_measure, ("lines", index, "unit_of_measure"))
        thc = check_percent(line.thc_percent, ("lines", index, "thc_percent"))
        checked.append(_Line(category, quantity, unit.name, to_base(quantity, unit), thc))
    return checked


def _grams(value: Decimal) -> str:
    return f"{format(value.normalize(), 'f')} g"


class OverLimit(RuleViolation):
    """A sale over what a patient may buy (a THC ceiling, or more than a period leaves):
    the refusal a purchase limit override (`limits_waived`) lets through."""


# The session flag `limits_waived` sets for the purchases recorded inside it.
_WAIVED = "patients.purchase_limits_waived"


@contextmanager
def limits_waived(session: Session) -> Iterator[None]:
    """Purchases recorded inside this block are not checked against the patient's purchase
    limits (Trace's `purchase_limit_override`, for a sale failing them by clerical error);
    the licence must still be in effect, and the purchases still count."""
    session.info[_WAIVED] = True
    try:
        yield
    finally:
        session.info.pop(_WAIVED, None)


def _refuse(allowance: Allowance, lines: Sequence[_Line]) -> None:
    if not allowance.in_effect:
        raise RuleViolation(
            f"The patient licence {allowance.license_number} is not in effect on "
            f"{allowance.on_date.isoformat()} (from {allowance.license_start.isoformat()} "
            f"to {allowance.license_end.isoformat()})."
        )
    wanted = dict.fromkeys(Category, ZERO)
    for index, line in enumerate(lines):
        ceiling = allowance.thc_ceiling(line.category)
        if ceiling is not None and line.thc_percent is not None and line.thc_percent > ceiling:
            raise OverLimit(
                f"{{field}} {line.thc_percent} is above the {ceiling}% the patient may buy "
                f"in {line.category.value}.",
                field=("lines", index, "thc_percent"),
            )
        wanted[line.category] += line.grams
    for category, grams in wanted.items():
        left = allowance.of(category).left
        if grams and left is not None and grams > left:
            raise OverLimit(
                f"The sale takes {_grams(grams)} of {category.value}, more than the "
                f"{_grams(left)} the patient has left in the {allowance.period_days}-day period "
                f"from {allowance.period_start.isoformat()} to {allowance.on_date.isoformat()}."
            )


def refuse_over_limit(allowance: Allowance, lines: Sequence[PurchaseLine]) -> None:
    """Refuse (RuleViolation) a sale of `lines` that `allowance` does not leave room for: a
    licence not in effect, a THC percentage above the patient's, or more of a category than
    is left."""
    _refuse(allowance, _checked_lines(lines))


@dataclass(frozen=True)
class PatientSale:
    """A sale to a patient (or to a designated caregiver on the patient's behalf)."""

    patient_license_number: str
    lines: tuple[PurchaseLine, ...]
    sold_on: date | None = None  # the facility's calendar date of the sale; today by default
    caregiver_license_number: str | None = None
    receipt_id: int | None = None


def _refuse_unless_designated(
    session: Session, patient: Patient, caregiver_license_number: str
) -> str:
    caregiver = clean_licence(caregiver_license_number, "caregiver_license_number", "caregiver")
    designated = session.scalars(
        select(CaregiverDesignation.id)
        .where(
            CaregiverDesignation.patient_id == patient.id,
            CaregiverDesignation.caregiver_license_number == caregiver,
            IsTrue(CaregiverDesignation.active),
        )
        .limit(1)
    ).first()
    if designated is None:
        raise RuleViolation(
            f"The caregiver {caregiver} is not designated for the patient "
            f"{patient.license_number}.",
            field="caregiver_license_number",
        )
    return caregiver


def record_purchases(
    session: Session, actor: Actor, facility: Facility, sale: PatientSale
) -> list[PatientPurchase]:
    """Record the lines of a sale to a registered patient, after checking them against every
    purchase period that holds the sale day (a sale dated in the past also counts in the
    periods of the purchases made since). The registration is locked until the request ends,
    so that two sales to one patient are checked one after the other."""
    patient = _registered(
        session, facility, sale.patient_license_number, "patient_license_number", lock=True
    )
    sold_on = not_future(facility, sale.sold_on, "sold_on")
    caregiver = None
    if sale.caregiver_license_number is not None and sale.caregiver_license_number.strip():
        caregiver = _refuse_unless_designated(session, patient, sale.caregiver_license_number)
    lines = _checked_lines(sale.lines)
    days = timedelta(days=patient.purchase_period_days - 1)
    purchases = _purchases(session, patient, sold_on - days, sold_on + days)
    effective = in_effect(patient, sold_on)
    # What a period holds only grows on the days a purchase enters it: the period ending on
    # the sale day, and those ending on the days of later purchases, are the fullest.
    for last in sorted({sold_on} | {p.purchased_on for p in purchases if p.purchased_on > sold_on}):
        bought = _grams_bought(purchases, last - days, last)
        try:
            _refuse(_allowance(patient, last, bought, effective), lines)
        except OverLimit:
            if not session.info.get(_WAIVED):
                raise
    recorded = []
    for line in lines:
        purchase = PatientPurchase(
            facility_id=facility.id,
            patient_id=patient.id,
            patient_license_number=patient.license_number,
            caregiver_license_number=caregiver,
            category=line.category.value,
            quantity=line.quantity,
            unit_of_measure_name=line.unit_name,
            purchased_on=sold_on,
            receipt_id=sale.receipt_id,
        )
        session.add(purchase)
        record_created(session, actor, purchase, "purchase", facility.id)
        recorded.append(purchase)
    return recorded


def withdraw_purchases(session: Session, actor: Actor, facility: Facility, receipt_id: int) -> int:
    """Remove the purchases recorded for a sales receipt that is voided, or whose lines are
    replaced (the sales service records the new ones afterwards): what they took from the
    patient's allowance is free again. Answers how many were removed."""
    found = list(
        session.scalars(
            select(PatientPurchase).where(
                PatientPurchase.facility_id == facility.id,
                PatientPurchase.receipt_id == receipt_id,
            )
        )
    )
    for purchase in found:
        record(
            session,
            actor,
            entity=purchase,
            action="withdraw",
            facility_id=facility.id,
            before=snapshot(purchase),
        )
        session.delete(purchase)
    return len(found)


# --- caregivers


@dataclass(frozen=True)
class CaregiverLink:
    """A caregiver licence and the patient (by licence number) it acts for."""

    caregiver_license_number: str
    patient_license_number: str


def _designation(session: Session, patient: Patient, caregiver: str) -> CaregiverDesignation | None:
    return session.scalars(
        select(CaregiverDesignation)
        .where(
            CaregiverDesignation.facility_id == patient.facility_id,
            CaregiverDesignation.patient_id == patient.id,
            CaregiverDesignation.caregiver_license_number == caregiver,
            IsTrue(CaregiverDesignation.active),
        )
        .limit(1)
    ).first()


def designate_caregiver(
    session: Session, actor: Actor, facility: Facility, command: CaregiverLink
) -> CaregiverDesignation:
    if not facility.can("CanSellToCaregivers"):
        raise RuleViolation(
            f"The facility {facility.license_number} may not sell to caregivers, so it "
            "designates none."
        )
    caregiver = clean_licence(
        command.caregiver_license_number, "caregiver_license_number", "caregiver"
    )
    patient = _registered(
        session, facility, command.patient_license_number, "patient_license_number"
    )
    if caregiver == patient.license_number:
        raise RuleViolation(
            "A patient cannot be their own caregiver.", field="caregiver_license_number"
        )
    if _designation(session, patient, caregiver) is not None:
        raise RuleViolation(
            f"The caregiver {caregiver} is designated for the patient {patient.license_number} "
            "already."
        )
    designation = CaregiverDesignation(
        facility_id=facility.id,
        patient_id=patient.id,
        caregiver_license_number=caregiver,
        active=True,
    )
    record_new(session, actor, designation, facility.id)
    return designation


def release_caregiver(
    session: Session, actor: Actor, facility: Facility, command: CaregiverLink
) -> CaregiverDesignation:
    caregiver = clean_licence(
        command.caregiver_license_number, "caregiver_license_number", "caregiver"
    )
    patient = _registered(
        session, facility, command.patient_license_number, "patient_license_number"
    )
    designation = _designation(session, patient, caregiver)
    if designation is None:
        raise RuleViolation(
            f"The caregiver {caregiver} is not designated for the patient {patient.license_number}."
        )
    done = audited(session, actor, designation, "release", facility.id)
    designation.active = False
    done()
    return designation


@dataclass(frozen=True)
class CaregiverStatus:
    license_number: str
    active: bool
    patients: tuple[str, ...]  # licence numbers of the registrations it acts for


def caregiver_status(session: Session, facility: Facility, license_number: str) -> CaregiverStatus:
    """Whom a caregiver licence acts for at the facility (inactive when nobody: an unknown
    licence reads as inactive, not as an error)."""
    licence = license_number.strip()
    patients = session.scalars(
        select(Patient.license_number)
        .join(CaregiverDesignation, CaregiverDesignation.patient_id == Patient.id)
        .where(
            CaregiverDesignation.facility_id == facility.id,
            CaregiverDesignation.caregiver_license_number == licence,
            IsTrue(CaregiverDesignation.active),
            IsTrue(Patient.active),
        )
        .order_by(Patient.license_number)
    ).all()
    return CaregiverStatus(licence, bool(patients), tuple(patients))
