"""Patients, patient check-ins and the patient and caregiver status lookups, v2 and v1."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from leafledger.domain.actor import CLI
from leafledger.domain.models import AuditEvent, Patient
from leafledger.domain.services.facilities import change_capabilities, get_facility
from leafledger.domain.services.lookups import facility_today
from leafledger.domain.services.patients import CaregiverLink, Category, designate_caregiver
from leafledger.permissions import all_permissions
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger, unique
from tests.domain.test_patient_rules import bought
from tests.statements import page_statements

SHOP_FLAGS = (
    "CanSellToPatients",
    "CanSellToCaregivers",
    "CanReportPatientCheckIns",
    "CanSpecifyPatientSalesLimitExemption",
)


@pytest.fixture(scope="module")
def examples(shared_dir: Any) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        (shared_dir / "spec" / "metrc" / "v2-examples.json").read_text()
    )
    return loaded


def response_example(examples: dict[str, Any], key: str) -> Any:
    return examples[key]["response_example"]


class Api:
    """One user acting for one facility."""

    def __init__(self, client: TestClient, headers: dict[str, str], license_number: str) -> None:
        self.client = client
        self.headers = headers
        self.license = license_number

    def call(self, method: str, path: str, body: Any = None, **query: str) -> httpx.Response:
        response = self.client.request(
            method,
            path,
            params={"licenseNumber": self.license, **query},
            headers=self.headers,
            json=body,
        )
        assert response.status_code != 500, response.text
        return response

    def ok(self, method: str, path: str, body: Any = None, **query: str) -> Any:
        response = self.call(method, path, body, **query)
        assert response.status_code == 200, response.text
        return response.json() if response.content else None

    def refused(self, method: str, path: str, body: Any) -> dict[str, Any]:
        """A 400 naming one object of the body; nothing written (the audit log is as it was)."""
        before = audit_length(self.client)
        response = self.call(method, path, body)
        assert response.status_code == 400, response.text
        (error,) = response.json()
        assert audit_length(self.client) == before
        return error  # type: ignore[no-any-return]

    def register(self, *patients: dict[str, Any]) -> list[int]:
        answer = self.ok("POST", "/patients/v2/", list(patients))
        assert answer["Warnings"] is None
        return answer["Ids"]  # type: ignore[no-any-return]

    def patients(self, version: str = "v2", **query: str) -> list[dict[str, Any]]:
        body = self.ok("GET", f"/patients/{version}/active", **query)
        return body if version == "v1" else body["Data"]  # type: ignore[no-any-return]

    def status(self, licence: str, version: str = "v2") -> list[dict[str, Any]]:
        return self.ok("GET", f"/patients/{version}/statuses/{licence}")  # type: ignore[no-any-return]


def audit_length(client: TestClient) -> int:
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    with store.transaction(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def shop_licence(ledger: Ledger, store: Store, *flags: str) -> str:
    """A new dispensary with `flags` on, where the demo user holds every permission."""
    license_number = ledger.facility("Dispensary").license_number
    if flags:
        with store.transaction() as session:
            change_capabilities(session, CLI, get_facility(session, license_number), enable=flags)
    ledger.grant_demo_user(license_number)
    return license_number


@pytest.fixture()
def api(client: TestClient, demo: DemoAccess, ledger: Ledger, store: Store) -> Api:
    return Api(client, demo.headers, shop_licence(ledger, store, *SHOP_FLAGS))


def patient(licence: str | None = None, **fields: Any) -> dict[str, Any]:
    """A patient as Metrc's example posts one, with a licence in effect now."""
    return {
        "LicenseNumber": licence or unique("PAT"),
        "LicenseEffectiveStartDate": "2024-01-01",
        "LicenseEffectiveEndDate": "2030-12-31",
        "RecommendedPlants": 6,
        "RecommendedSmokableQuantity": 2.0,
        "FlowerOuncesAllowed": None,
        "ThcOuncesAllowed": None,
        "ConcentrateOuncesAllowed": None,
        "InfusedOuncesAllowed": None,
        "MaxFlowerThcPercentAllowed": None,
        "MaxConcentrateThcPercentAllowed": None,
        "HasSalesLimitExemption": False,
        "ActualDate": "2024-01-08",
        **fields,
    }


# --- patients


def test_metrc_s_own_example_registers_two_patients(
    client: TestClient, demo: DemoAccess, ledger: Ledger, store: Store, examples: dict[str, Any]
) -> None:
    api = Api(client, demo.headers, shop_licence(ledger, store, *SHOP_FLAGS))
    body = examples["POST /patients/v2"]["request_example"]
    ids = api.register(*body)
    assert len(ids) == 2 and ids[0] < ids[1]
    assert [p["LicenseNumber"] for p in api.patients()] == ["000001", "000002"]


def test_lists_and_one_patient_have_the_example_keys_and_values(
    api: Api, examples: dict[str, Any]
) -> None:
    keys = set(response_example(examples, "GET /patients/v2/{id}"))
    assert keys == set(response_example(examples, "GET /patients/v2/active")["Data"][0])
    licence = unique("PAT")
    (patient_id,) = api.register(patient(licence, RecommendedSmokableQuantity="2.5"))
    listed = api.patients()
    assert [set(item) for item in listed] == [keys]
    assert listed[0] == {
        "PatientId": patient_id,
        "LicenseNumber": licence,
        "RegistrationDate": "2024-01-08",
        "LicenseEffectiveStartDate": "2024-01-01",
        "LicenseEffectiveEndDate": "2030-12-31",
        "RecommendedPlants": 6,
        "RecommendedSmokableQuantity": 2.5,
        "HasSalesLimitExemption": False,
        "OtherFacilitiesCount": 0,
    }
    assert api.patients("v1") == listed
    for version in ("v2", "v1"):
        assert api.ok("GET", f"/patients/{version}/{patient_id}") == listed[0]


def test_v1_writes_answer_an_empty_200(api: Api) -> None:
    licence = unique("PAT")
    response = api.call("POST", "/patients/v1/add", [patient(licence)])
    assert (response.status_code, response.content) == (200, b"")
    change = patient(licence, RecommendedPlants=9, NewLicenseNumber=unique("PAT"))
    response = api.call("POST", "/patients/v1/update", [change])
    assert (response.status_code, response.content) == (200, b"")
    (listed,) = api.patients("v1")
    assert (listed["LicenseNumber"], listed["RecommendedPlants"]) == (
        change["NewLicenseNumber"],
        9,
    )
    response = api.call("DELETE", f"/patients/v1/{listed['PatientId']}")
    assert (response.status_code, response.content) == (200, b"")
    assert api.patients("v1") == []


def test_update_finds_the_patient_by_licence_and_may_rename_it(api: Api) -> None:
    first, second = unique("PAT"), unique("PAT")
    ids = api.register(patient(first), patient(second))
    renamed = unique("PAT")
    answer = api.ok(
        "PUT",
        "/patients/v2/",
        [
            patient(first, RecommendedPlants=7, NewLicenseNumber=None),
            patient(second, NewLicenseNumber=renamed, FlowerOuncesAllowed=1.5),
        ],
    )
    assert answer == {"Ids": ids, "Warnings": None}
    listed = {item["PatientId"]: item for item in api.patients()}
    assert listed[ids[0]]["RecommendedPlants"] == 7
    assert listed[ids[1]]["LicenseNumber"] == renamed
    (status,) = api.status(renamed)
    assert status["FlowerOuncesAllowed"] == 1.5
    assert api.status(second) == []


def test_delete_archives_the_patient(api: Api) -> None:
    licence = unique("PAT")
    (patient_id,) = api.register(patient(licence))
    assert api.ok("DELETE", f"/patients/v2/{patient_id}") == {"Ids": [patient_id], "Warnings": None}
    assert api.patients() == [] and api.status(licence) == []
    assert api.ok("GET", f"/patients/v2/{patient_id}")["LicenseNumber"] == licence
    error = api.call("DELETE", f"/patients/v2/{patient_id}").json()
    assert "archived already" in error["Message"]
    api.register(patient(licence))  # the licence may be registered again


@pytest.mark.parametrize(
    ("fields", "wire_name"),
    [
        ({"LicenseEffectiveEndDate": "2023-12-31"}, "LicenseEffectiveEndDate"),
        ({"LicenseEffectiveStartDate": None}, "LicenseEffectiveStartDate"),
        ({"FlowerOuncesAllowed": -1}, "FlowerOuncesAllowed"),
        ({"ThcOuncesAllowed": "0.00000000001"}, "ThcOuncesAllowed"),
        ({"MaxConcentrateThcPercentAllowed": 101}, "MaxConcentrateThcPercentAllowed"),
        ({"RecommendedPlants": -3}, "RecommendedPlants"),
        ({"ActualDate": "2199-01-01"}, "ActualDate"),
        ({"PurchaseAmountDays": 0}, "PurchaseAmountDays"),
        ({"LicenseNumber": ""}, "LicenseNumber"),
        ({"RecommendedSmokableQuantity": "lots"}, "RecommendedSmokableQuantity"),
    ],
)
def test_a_faulty_patient_is_refused_naming_its_row_and_field(
    api: Api, fields: dict[str, Any], wire_name: str
) -> None:
    error = api.refused("POST", "/patients/v2/", [patient(), patient(**fields)])
    assert error["row"] == 1 and wire_name in error["message"], error
    assert api.patients() == []


def test_a_licence_registered_already_is_refused(api: Api) -> None:
    licence = unique("PAT")
    api.register(patient(licence))
    error = api.refused("POST", "/patients/v2/", [patient(), patient(licence)])
    assert error["row"] == 1 and "LicenseNumber" in error["message"]
    twice = unique("PAT")
    error = api.refused("POST", "/patients/v2/", [patient(twice), patient(twice)])
    assert error["row"] == 1
    error = api.refused("PUT", "/patients/v2/", [patient(unique("NOBODY"))])
    assert error["row"] == 0 and "No active patient" in error["message"]
    assert len(api.patients()) == 1


def test_a_retail_store_registers_no_patients(
    client: TestClient, demo: DemoAccess, ledger: Ledger, store: Store
) -> None:
    retail = Api(client, demo.headers, shop_licence(ledger, store))
    error = retail.refused("POST", "/patients/v2/", [patient()])
    assert error["row"] == 0 and "may not register patients" in error["message"]
    exempt = patient(HasSalesLimitExemption=True)
    serving = Api(client, demo.headers, shop_licence(ledger, store, "CanSellToPatients"))
    error = serving.refused("POST", "/patients/v2/", [exempt])
    assert "HasSalesLimitExemption" in error["message"]


def test_a_patient_of_another_facility_answers_401(
    api: Api, client: TestClient, demo: DemoAccess, ledger: Ledger, store: Store
) -> None:
    (patient_id,) = api.register(patient())
    other = Api(client, demo.headers, shop_licence(ledger, store, *SHOP_FLAGS))
    for method in ("GET", "DELETE"):
        assert other.call(method, f"/patients/v2/{patient_id}").status_code == 401
    assert other.call("GET", "/patients/v2/987654321").status_code == 404


def test_other_facilities_count_counts_registrations_of_the_state(
    api: Api, client: TestClient, demo: DemoAccess, ledger: Ledger, store: Store
) -> None:
    licence = unique("PAT")
    (patient_id,) = api.register(patient(licence))
    for state in ("CO", "CO", "MI"):
        number = ledger.facility("Dispensary", state=state).license_number
        with store.transaction() as session:
            change_capabilities(
                session, CLI, get_facility(session, number), enable=["CanSellToPatients"]
            )
        ledger.grant_demo_user(number)
        Api(client, demo.headers, number).register(patient(licence))
    assert api.ok("GET", f"/patients/v2/{patient_id}")["OtherFacilitiesCount"] == 2


def test_a_page_of_patients_costs_the_same_statements_at_any_size(
    api: Api, client: TestClient, store: Store
) -> None:
    api.register(*(patient() for _ in range(6)))
    counts = page_statements(
        client, store.engine, "/patients/v2/active", api.headers, {"licenseNumber": api.license}
    )
    assert counts[1][0] == 1 and counts[20][0] == 6
    assert counts[1][1] == counts[20][1], counts


# --- patient status


def buy(store: Store, patient_id: int, quantity: str, unit: str, on: date, category: str) -> None:
    with store.transaction() as session:
        patient = session.get(Patient, patient_id)
        assert patient is not None
        bought(session, patient, on, quantity, unit, Category(category))


def test_status_answers_what_is_left_in_ounces(
    api: Api, store: Store, examples: dict[str, Any]
) -> None:
    licence = unique("PAT")
    body = patient(
        licence, FlowerOuncesAllowed=2.5, ConcentrateOuncesAllowed="0.5", PurchaseAmountDays=7
    )
    (patient_id,) = api.register(body)
    with store.transaction() as session:
        today = facility_today(get_facility(session, api.license))
    buy(store, patient_id, "0.5", "Ounces", today, "flower")
    buy(store, patient_id, "28.349523125", "Grams", today - timedelta(days=6), "flower")
    buy(store, patient_id, "9", "Ounces", today - timedelta(days=7), "flower")  # fallen out
    buy(store, patient_id, "0.125", "Ounces", today, "concentrate")
    (status,) = api.status(licence)
    assert list(status) == list(
        response_example(examples, "GET /patients/v2/statuses/{patientLicenseNumber}")[0]
    )
    assert status == {
        "PatientLicenseNumber": licence,
        "IdentificationMethod": None,
        "RegistrationNumber": str(patient_id),
        "Active": True,
        "FlowerOuncesAllowed": 2.5,
        "ThcOuncesAllowed": None,
        "ConcentrateOuncesAllowed": 0.5,
        "InfusedOuncesAllowed": None,
        "FlowerOuncesPurchased": 1.5,
        "ThcOuncesPurchased": 0,
        "ConcentrateOuncesPurchased": 0.125,
        "InfusedOuncesPurchased": 0,
        "FlowerOuncesAvailable": 1,
        "ThcOuncesAvailable": None,
        "ConcentrateOuncesAvailable": 0.375,
        "InfusedOuncesAvailable": None,
        "PurchaseAmountDays": 7,
        "PatientLicenseExpirationDate": "2030-12-31",
        "PatientRegistrationStartDate": "2024-01-01",
    }
    (v1,) = api.status(licence, "v1")
    documented_v1 = {  # Metrc's v1 page shows the status without the v2 additions
        key
        for key in status
        if key
        not in {
            "RegistrationNumber",
            "PatientLicenseExpirationDate",
            "PatientRegistrationStartDate",
        }
    }
    assert set(v1) == documented_v1 and all(v1[key] == status[key] for key in v1)


def test_an_expired_licence_is_inactive_with_nothing_available(api: Api) -> None:
    licence = unique("PAT")
    api.register(patient(licence, LicenseEffectiveEndDate="2024-02-01", FlowerOuncesAllowed=2))
    (status,) = api.status(licence)
    assert status["Active"] is False
    assert status["FlowerOuncesAvailable"] == 0 and status["ThcOuncesAvailable"] == 0
    assert api.status(unique("NOBODY")) == []


# --- caregivers


def test_caregiver_status_has_the_example_keys_and_lists_the_patients(
    api: Api, store: Store, examples: dict[str, Any]
) -> None:
    caregiver = unique("CG")
    path = f"/caregivers/v2/status/{caregiver}"
    example = response_example(examples, "GET /caregivers/v2/status/{caregiverLicenseNumber}")
    nobody = api.ok("GET", path)
    assert list(nobody) == list(example)
    assert nobody == {"CaregiverLicenseNumber": caregiver, "Active": False, "Patients": []}
    licences = sorted(unique("PAT") for _ in range(2))
    api.register(*(patient(licence) for licence in licences))
    with store.transaction() as session:
        facility = get_facility(session, api.license)
        for licence in licences:
            designate_caregiver(session, CLI, facility, CaregiverLink(caregiver, licence))
    for version in ("v2", "v1"):
        assert api.ok("GET", f"/caregivers/{version}/status/{caregiver}") == {
            "CaregiverLicenseNumber": caregiver,
            "Active": True,
            "Patients": licences,
        }


# --- check-ins


def check_in(**fields: Any) -> dict[str, Any]:
    return {
        "PatientLicenseNumber": unique("X"),
        "CheckInLocationId": 9,
        "RegistrationStartDate": "2024-01-01",
        "RegistrationExpiryDate": "2030-12-31",
        "CheckInDate": "2024-03-06",
        **fields,
    }


def test_check_ins_are_recorded_listed_changed_and_archived(
    api: Api, examples: dict[str, Any]
) -> None:
    keys = set(response_example(examples, "GET /patient-checkins/v2")["Data"][0])
    first, second = check_in(), check_in(CheckInDate="2024-03-08", CheckInLocationId=6)
    ids = api.ok("POST", "/patient-checkins/v2/", [first, second])["Ids"]
    listed = api.ok("GET", "/patient-checkins/v2/")["Data"]
    assert [set(item) for item in listed] == [keys, keys]
    assert listed[0] == {
        "Id": ids[0],
        "PatientLicenseNumber": first["PatientLicenseNumber"],
        "CheckInLocationId": 9,
        "CheckInLocationName": "District of Columbia",
        "RegistrationStartDate": "2024-01-01",
        "RegistrationExpiryDate": "2030-12-31",
        "CheckInDate": "2024-03-06",
    }
    assert api.ok("GET", "/patient-checkins/v1/") == listed
    changed = {**first, "Id": ids[0], "CheckInDate": "2024-03-07"}
    assert api.ok("PUT", "/patient-checkins/v2/", [changed]) == {"Ids": [ids[0]], "Warnings": None}
    response = api.call("PUT", "/patient-checkins/v1/", [{**changed, "CheckInLocationId": 7}])
    assert (response.status_code, response.content) == (200, b"")
    after = api.ok("GET", "/patient-checkins/v2/")["Data"][0]
    assert (after["CheckInDate"], after["CheckInLocationName"]) == ("2024-03-07", "Connecticut")
    assert api.ok("DELETE", f"/patient-checkins/v2/{ids[0]}") == {"Ids": [ids[0]], "Warnings": None}
    response = api.call("DELETE", f"/patient-checkins/v1/{ids[1]}")
    assert (response.status_code, response.content) == (200, b"")
    assert api.ok("GET", "/patient-checkins/v2/")["Data"] == []
    error = api.refused("PUT", "/patient-checkins/v2/", [changed])
    assert error["row"] == 0 and "archived" in error["message"]


def test_check_ins_are_filtered_by_their_days(api: Api) -> None:
    days = ["2024-03-05", "2024-03-06", "2024-03-07"]
    api.ok("POST", "/patient-checkins/v2/", [check_in(CheckInDate=day) for day in days])

    def between(**query: str) -> list[str]:
        listed = api.ok("GET", "/patient-checkins/v2/", **query)["Data"]
        return [item["CheckInDate"] for item in listed]

    assert between(checkinDateStart="2024-03-06") == days[1:]
    assert between(checkinDateEnd="2024-03-06T23:59:00Z") == days[:2]
    assert between(checkinDateStart="2024-03-06T06:30:00+00:00", checkinDateEnd="2024-03-06") == [
        days[1]
    ]
    for query in (
        {"checkinDateStart": "soon"},
        {"checkinDateStart": "2024-03-07", "checkinDateEnd": "2024-03-05"},
    ):
        response = api.call("GET", "/patient-checkins/v2/", **query)
        assert response.status_code == 400 and "checkinDate" in response.json()["Message"]


@pytest.mark.parametrize(
    ("fields", "wire_name"),
    [
        ({"CheckInLocationId": 999}, "CheckInLocationId"),
        ({"RegistrationExpiryDate": "2023-01-01"}, "RegistrationExpiryDate"),
        ({"CheckInDate": "2031-01-01"}, "CheckInDate"),
        ({"RegistrationStartDate": None}, "RegistrationStartDate"),
        ({"PatientLicenseNumber": " "}, "PatientLicenseNumber"),
    ],
)
def test_a_faulty_check_in_is_refused_naming_its_row_and_field(
    api: Api, fields: dict[str, Any], wire_name: str
) -> None:
    error = api.refused("POST", "/patient-checkins/v2/", [check_in(), check_in(**fields)])
    assert error["row"] == 1 and wire_name in error["message"], error


def test_a_facility_that_reports_no_check_ins_records_none(
    client: TestClient, demo: DemoAccess, ledger: Ledger, store: Store
) -> None:
    api = Api(client, demo.headers, shop_licence(ledger, store, "CanSellToPatients"))
    error = api.refused("POST", "/patient-checkins/v2/", [check_in()])
    assert "may not report patient check-ins" in error["message"]


def test_a_page_of_check_ins_costs_the_same_statements_at_any_size(
    api: Api, client: TestClient, store: Store
) -> None:
    api.ok("POST", "/patient-checkins/v2/", [check_in() for _ in range(5)])
    counts = page_statements(
        client, store.engine, "/patient-checkins/v2/", api.headers, {"licenseNumber": api.license}
    )
    assert counts[1][0] == 1 and counts[20][0] == 5
    assert counts[1][1] == counts[20][1], counts


def test_check_in_locations_are_a_fixed_list_for_any_caller(
    client: TestClient, ledger: Ledger, examples: dict[str, Any]
) -> None:
    headers = ledger.user({ledger.facility("Cultivator").license_number: all_permissions()})
    keys = set(response_example(examples, "GET /patient-checkins/v2/locations")[0])
    for version in ("v2", "v1"):
        response = client.get(f"/patient-checkins/{version}/locations", headers=headers)
        assert response.status_code == 200
        locations = response.json()
        assert all(set(item) == keys for item in locations)
        assert {"Id": 9, "Name": "District of Columbia"} in locations
        assert len({item["Id"] for item in locations}) == len(locations)
