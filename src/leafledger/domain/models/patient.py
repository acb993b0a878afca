"""Patients registered at a facility, their caregivers, their check-ins and their purchases.

A patient registration belongs to the facility that made it; the patient's state licence
number is unique among the facility's active registrations (an archived one may repeat). The
registration states what the patient may buy in each purchase period: a weight per category
(flower, THC, concentrate, infused product), kept as posted with the unit it was posted in, and
the highest THC percentages of flower and concentrate they may buy.

`PatientPurchase` is the record the sales service writes, one row per sale line to a patient:
what is left of an allowance is worked out from it (domain/services/patients.py).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from leafledger.domain.models.base import Base, Timestamped

LICENCE_LENGTH = 64


def _unique_while_active(name: str, *columns: str) -> Index:
    """`columns` are unique among the rows still active; archived ones may repeat them."""
    return Index(
        name, *columns, unique=True, sqlite_where=text("active"), postgresql_where=text("active")
    )


class Patient(Timestamped, Base):
    __tablename__ = "patients"
    __table_args__ = (
        _unique_while_active(
            "uq_patients_facility_active_licence", "facility_id", "license_number"
        ),
        # The active list pages by this index; the licence index serves the count of other
        # facilities where a licence is registered.
        Index("ix_patients_facility_active", "facility_id", "active", "id"),
        Index("ix_patients_license_number", "license_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    license_number: Mapped[str] = mapped_column(String(LICENCE_LENGTH))
    registration_date: Mapped[date]
    license_effective_start_date: Mapped[date]
    license_effective_end_date: Mapped[date]
    recommended_plants: Mapped[int | None]
    # The recommended quantity, in `allowance_unit` like the allowances.
    recommended_smokable_quantity: Mapped[Decimal | None]
    # What may be bought in one purchase period, per category, in `allowance_unit`; None where
    # the registration states no limit.
    flower_allowed: Mapped[Decimal | None]
    thc_allowed: Mapped[Decimal | None]
    concentrate_allowed: Mapped[Decimal | None]
    infused_allowed: Mapped[Decimal | None]
    allowance_unit: Mapped[str] = mapped_column(String(32))
    max_flower_thc_percent: Mapped[Decimal | None]
    max_concentrate_thc_percent: Mapped[Decimal | None]
    has_sales_limit_exemption: Mapped[bool] = mapped_column(default=False)
    # The length of a purchase period: the allowances cover the days from `on_date` back.
    purchase_period_days: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)


class CaregiverDesignation(Timestamped, Base):
    """A caregiver licence designated to act (and buy) for one patient registration."""

    __tablename__ = "patient_caregivers"
    __table_args__ = (
        _unique_while_active(
            "uq_patient_caregivers_facility_active",
            "facility_id",
            "caregiver_license_number",
            "patient_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    caregiver_license_number: Mapped[str] = mapped_column(String(LICENCE_LENGTH))
    active: Mapped[bool] = mapped_column(default=True)


class PatientCheckIn(Timestamped, Base):
    """A patient's visit reported at a facility, with the registration they came with (issued
    by the jurisdiction `check_in_location_id` names, reference.PATIENT_REGISTRATION_LOCATIONS).
    The patient need not be registered at the facility."""

    __tablename__ = "patient_check_ins"
    __table_args__ = (Index("ix_patient_check_ins_facility_active", "facility_id", "active", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    patient_license_number: Mapped[str] = mapped_column(String(LICENCE_LENGTH))
    check_in_location_id: Mapped[int]
    registration_start_date: Mapped[date]
    registration_expiry_date: Mapped[date]
    check_in_date: Mapped[date]
    active: Mapped[bool] = mapped_column(default=True)


class PatientPurchase(Timestamped, Base):
    """One sale line to a patient: what was bought, of which allowance category, and when.

    Written by the sales service through `services.patients.record_purchases`, never changed;
    removed (`withdraw_purchases`) when its receipt is voided or its lines are replaced.
    The quantity is kept as sold, with its unit of weight, so that sums stay exact (a
    conversion to grams can need more decimal places than a quantity column holds). A line
    counts against the registration it was sold under and, after a re-registration, against
    any registration of the same licence number at the facility.
    """

    __tablename__ = "patient_purchases"
    __table_args__ = (
        Index(
            "ix_patient_purchases_facility_licence_date",
            "facility_id",
            "patient_license_number",
            "purchased_on",
        ),
        Index("ix_patient_purchases_patient_date", "patient_id", "purchased_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"))
    patient_license_number: Mapped[str] = mapped_column(String(LICENCE_LENGTH))
    # Set when a designated caregiver bought on the patient's behalf.
    caregiver_license_number: Mapped[str | None] = mapped_column(String(LICENCE_LENGTH))
    category: Mapped[str] = mapped_column(String(16))  # services.patients.Category values
    quantity: Mapped[Decimal]
    unit_of_measure_name: Mapped[str] = mapped_column(String(32))  # a unit of weight
    # The facility's calendar date of the sale.
    purchased_on: Mapped[date]
    # The sales receipt the line belongs to (sales_receipts; no foreign key, kept as written).
    receipt_id: Mapped[int | None]
