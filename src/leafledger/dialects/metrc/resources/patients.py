"""Patients, patient check-ins, and the patient and caregiver status lookups, v1 and v2.

Patients: POST /patients/v2 (v1: /add) registers, PUT /patients/v2 (v1: POST /update) changes
the registration a `LicenseNumber` names (renaming it to `NewLicenseNumber`), DELETE archives,
GET lists the active ones or one by id. Metrc states allowances and the recommended smokable
quantity in ounces; the ledger keeps them in the unit posted and answers in ounces. A body may
also give `PurchaseAmountDays`, the length of the patient's purchase period (a leafledger
addition, named as the status lookup answers it; 30 days when never given).

Check-ins: POST, PUT and GET /patient-checkins/v2 (v2 lists are paged; `checkinDateStart` and
`checkinDateEnd` keep the check-ins of those days), DELETE archives; the locations list is the
jurisdictions a registration may come from.

Status lookups: GET /patients/v2/statuses/{patientLicenseNumber} answers the allowance of the
facility's active registration of that licence in the purchase period ending today (an empty
list for a licence not registered here); an allowance with no limit answers null for what it
allows and what is available. GET /caregivers/v2/status/{caregiverLicenseNumber} answers whom
the caregiver acts for (an unknown licence is inactive, with no patients).

The rules live in domain/services/patients.py and patient_check_ins.py, the lists in
domain/queries/patients.py.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field

from leafledger.dialects.kit.bodies import Loads
from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.endpoint import Handler
from leafledger.dialects.kit.errors import bad_request
from leafledger.dialects.kit.factories import at_facility, bulk, fixed, listing, remove, show
from leafledger.dialects.kit.loaders import ById
from leafledger.dialects.kit.wire import calendar_date
from leafledger.dialects.metrc.bodies import MetrcBody
from leafledger.dialects.metrc.render import pascal_record
from leafledger.dialects.metrc.wire import (
    Licence,
    WireBool,
    WireDate,
    WireId,
    WireInt,
    WireQuantity,
)
from leafledger.domain import queries, reference
from leafledger.domain.models import Patient, PatientCheckIn
from leafledger.domain.queries.base import Listed
from leafledger.domain.queries.patients import PatientRow
from leafledger.domain.services import patient_check_ins as check_ins
from leafledger.domain.services import patients as service
from leafledger.domain.services.lookups import facility_today
from leafledger.domain.services.patients import Allowance, CaregiverStatus, Category
from leafledger.domain.units import convert

OUNCES = "Ounces"

# --- bodies


class _PatientFields(MetrcBody):
    license_number: Licence
    license_effective_start_date: WireDate | None = None
    license_effective_end_date: WireDate | None = None
    recommended_plants: WireInt | None = None
    recommended_smokable_quantity: WireQuantity | None = None
    flower_allowed: WireQuantity | None = Field(default=None, alias="FlowerOuncesAllowed")
    thc_allowed: WireQuantity | None = Field(default=None, alias="ThcOuncesAllowed")
    concentrate_allowed: WireQuantity | None = Field(default=None, alias="ConcentrateOuncesAllowed")
    infused_allowed: WireQuantity | None = Field(default=None, alias="InfusedOuncesAllowed")
    max_flower_thc_percent: WireQuantity | None = Field(
        default=None, alias="MaxFlowerThcPercentAllowed"
    )
    max_concentrate_thc_percent: WireQuantity | None = Field(
        default=None, alias="MaxConcentrateThcPercentAllowed"
    )
    has_sales_limit_exemption: WireBool = False
    actual_date: WireDate | None = None
    purchase_period_days: WireInt | None = Field(default=None, alias="PurchaseAmountDays")


class NewPatientBody(_PatientFields):
    command = service.NewPatient


class PatientChangeBody(_PatientFields):
    command = service.PatientChange
    new_license_number: Licence | None = None


class _CheckInFields(MetrcBody):
    patient_license_number: Licence
    check_in_location: WireId = Field(alias="CheckInLocationId")
    registration_start_date: WireDate
    registration_expiry_date: WireDate
    check_in_date: WireDate | None = None


class NewCheckInBody(_CheckInFields):
    command = check_ins.NewCheckIn


class CheckInChangeBody(_CheckInFields):
    command = check_ins.CheckInChange
    check_in: Annotated[WireId, Loads(PatientCheckIn, "check-in")] = Field(alias="Id")


# --- rendering


def _ounces(quantity: Decimal | None, unit: str) -> Decimal | None:
    return None if quantity is None else convert(quantity, unit, OUNCES)


def render_patient(patient: PatientRow) -> dict[str, Any]:
    return {
        "PatientId": patient.id,
        "LicenseNumber": patient.license_number,
        "RegistrationDate": patient.registration_date.isoformat(),
        "LicenseEffectiveStartDate": patient.license_effective_start_date.isoformat(),
        "LicenseEffectiveEndDate": patient.license_effective_end_date.isoformat(),
        "RecommendedPlants": patient.recommended_plants,
        "RecommendedSmokableQuantity": _ounces(
            patient.recommended_smokable_quantity, patient.allowance_unit
        ),
        "HasSalesLimitExemption": patient.has_sales_limit_exemption,
        "OtherFacilitiesCount": patient.other_facilities_count,
    }


# Each allowance category by the word Metrc's status fields start with.
STATUS_CATEGORIES = (
    ("Flower", Category.FLOWER),
    ("Thc", Category.THC),
    ("Concentrate", Category.CONCENTRATE),
    ("Infused", Category.INFUSED),
)


def render_status(allowance: Allowance, *, version: str) -> dict[str, Any]:
    """One status: in ounces, what the period allows, what was bought in it, what is left."""
    item: dict[str, Any] = {
        "PatientLicenseNumber": allowance.license_number,
        "IdentificationMethod": None,
    }
    if version == "v2":
        item["RegistrationNumber"] = str(allowance.patient_id)
    item["Active"] = allowance.in_effect
    measures = (("Allowed", "allowed"), ("Purchased", "bought"), ("Available", "left"))
    for suffix, measure in measures:
        for word, category in STATUS_CATEGORIES:
            grams = getattr(allowance.of(category), measure)
            item[f"{word}Ounces{suffix}"] = _ounces(grams, "Grams")
    item["PurchaseAmountDays"] = allowance.period_days
    if version == "v2":
        item["PatientLicenseExpirationDate"] = allowance.license_end.isoformat()
        item["PatientRegistrationStartDate"] = allowance.license_start.isoformat()
    return item


def render_caregiver(status: CaregiverStatus) -> dict[str, Any]:
    return {
        "CaregiverLicenseNumber": status.license_number,
        "Active": status.active,
        "Patients": list(status.patients),
    }


# What a caregiver status answers, as an object in both versions (OpenAPI; Endpoint.answers):
# v1 has no documented example to take the shape from.
CAREGIVER_STATUS = {
    "type": "object",
    "properties": {
        "CaregiverLicenseNumber": {"type": "string"},
        "Active": {"type": "boolean"},
        "Patients": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["CaregiverLicenseNumber", "Active", "Patients"],
}


def render_check_in(check_in: PatientCheckIn) -> dict[str, Any]:
    return {
        "Id": check_in.id,
        "PatientLicenseNumber": check_in.patient_license_number,
        "CheckInLocationId": check_in.check_in_location_id,
        "CheckInLocationName": check_ins.location_name(check_in.check_in_location_id),
        "RegistrationStartDate": check_in.registration_start_date.isoformat(),
        "RegistrationExpiryDate": check_in.registration_expiry_date.isoformat(),
        "CheckInDate": check_in.check_in_date.isoformat(),
    }


# --- handlers

PATIENT = ById(PatientRow, "patient")
PATIENT_TO_ARCHIVE = ById(Patient, "patient")
CHECK_IN = ById(PatientCheckIn, "check-in")

create = bulk(service.create_patient)
update = bulk(service.update_patient)
archive = remove(service.archive_patient)
get = show(render_patient)
active = listing(at_facility(queries.patients.patients, active=True), render_patient)


def _statuses(version: str) -> Handler:
    def handler(call: Call) -> list[dict[str, Any]]:
        licence = str(call.path_params["patientLicenseNumber"])
        today = facility_today(call.facility)
        found = service.statuses(call.session, call.facility, licence, today)
        return [render_status(allowance, version=version) for allowance in found]

    handler.__name__ = handler.__qualname__ = f"patient_statuses_{version}"
    return handler


statuses_v1 = _statuses("v1")
statuses_v2 = _statuses("v2")


def caregiver_status(call: Call) -> dict[str, Any]:
    licence = str(call.path_params["caregiverLicenseNumber"])
    return render_caregiver(service.caregiver_status(call.session, call.facility, licence))


def _day(call: Call, name: str) -> date | None:
    """A date of the query (a timestamp's calendar date as written), if given."""
    raw = (call.query.get(name) or "").strip()
    if not raw:
        return None
    if " " in raw and "T" in raw:  # a '+' of an offset sent unencoded arrives as a space
        raw = raw.replace(" ", "+")
    try:
        return calendar_date(raw)
    except ValueError as exc:
        raise bad_request(f"{name} {exc}, got {raw!r}.") from None


def _check_ins_asked(call: Call) -> Listed:
    start, end = _day(call, "checkinDateStart"), _day(call, "checkinDateEnd")
    if start is not None and end is not None and end < start:
        raise bad_request("checkinDateEnd is before checkinDateStart.")
    return queries.patients.check_ins(call.facility, start=start, end=end)


record_check_in = bulk(check_ins.record_check_in)
update_check_in = bulk(check_ins.update_check_in)
archive_check_in = remove(check_ins.archive_check_in)
list_check_ins = listing(_check_ins_asked, render_check_in)
check_in_locations = fixed(
    reference.PATIENT_REGISTRATION_LOCATIONS, pascal_record, "check_in_locations"
)
