"""Trace lab results: GET /{state}/v1/labs/results/{lot_id}, the lab tests that apply to a lot.

A lot is a package (its id is the package's id); its lab results are the lab tests the Metrc
dialect lists for the package (GET /labtests/v2/results?packageId=), one object per lab test
with its tests under `test`, in the shape of Trace's sample. The answer is an array, not paged
(as the sample shows), and costs one statement whatever the number of results.

States: Trace names the fourteen lab testing states its own way (`LAB_STATES`). A lab test
result is `lab_testing_awaiting_confirmation` until the lab releases it, then in the state its
results imply (`lab_testing_passed`, `lab_retesting_failed`...); its `entity_state` history has
those two steps, dated when the lab recorded and released it, by the lab. The `entity_state`
query parameter keeps the results in that state (any of the fourteen values; none: all).
Trace's `lab_retesting` is paired with Decontaminated, the one Metrc state left: a lot that
waits for its retest after a treatment.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.loaders import ById
from leafledger.dialects.trace.history import trace_time
from leafledger.domain import queries
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import Facility, Package
from leafledger.domain.queries.lab_tests import UNRELEASED, LabResultRow, LabTestRecord
from leafledger.domain.reference import LAB_TEST_TYPES, find_named

# Metrc's lab testing states, as Trace names them.
LAB_STATES = {
    "NotSubmitted": "lab_testing_not_submitted",
    "SubmittedForTesting": "lab_testing_submitted",
    "TestingInProgress": "lab_testing_in_progress",
    "AwaitingConfirmation": "lab_testing_awaiting_confirmation",
    "TestPassed": "lab_testing_passed",
    "TestFailed": "lab_testing_failed",
    "Decontaminated": "lab_retesting",
    "RetestPassed": "lab_retesting_passed",
    "RetestFailed": "lab_retesting_failed",
    "Remediated": "lab_testing_remediated_lot",
    "SelectedForRandomTesting": "lab_testing_random_selection",
    "NotRequired": "lab_testing_not_required",
    "ProcessValidated": "lab_testing_process_validation",
    "RandDCompleted": "lab_testing_completed",
}
_LEDGER_STATES = {trace: ledger for ledger, trace in LAB_STATES.items()}

LOT = ById(Package, "lot", param="lot_id")


def _wanted_states(call: Call) -> set[str] | None:
    wanted = (call.query.get("entity_state") or "").strip().lower()
    if not wanted:
        return None
    if wanted not in _LEDGER_STATES:
        raise RuleViolation(
            f"entity_state must be one of {', '.join(_LEDGER_STATES)}; got {wanted!r}."
        )
    return {_LEDGER_STATES[wanted]}


def _day(row: LabResultRow) -> str:
    return trace_time(datetime.combine(row.result_date, time(), tzinfo=UTC))


def _test(row: LabResultRow) -> dict[str, Any]:
    test_type = find_named(LAB_TEST_TYPES, row.lab_test_type_name)
    passed = "RetestPassed" if row.is_retest else "TestPassed"
    failed = "RetestFailed" if row.is_retest else "TestFailed"
    return {
        "date": _day(row),
        "status": LAB_STATES[passed if row.passed else failed],
        "comment": row.notes or "",
        "is_non_mandatory": row.informational_only,
        "revoked_date": "",
        "test_detail_revoke_date": "",
        "type": {
            "id": None if test_type is None else str(test_type.id),
            "type": None,
            "name": row.lab_test_type_name,
            "detail": None,
        },
        "result": {
            "level": row.level,
            "unit_of_measure": None,
            "total_thc_cbd": None,
            "total_cbd": None,
            "total_thc": None,
            "is_high_cbd": None,
            "is_high_thc": None,
            "is_general_use": None,
            "released": row.released_at is not None,
            "released_date": "" if row.released_at is None else trace_time(row.released_at),
            "actioned_by": row.lab_name,
        },
    }


def _history(row: LabResultRow) -> list[dict[str, Any]]:
    steps = [(UNRELEASED, row.recorded_at, "lab test result recorded")]
    if row.released_at is not None:
        steps.append((row.outcome, row.released_at, "lab test result released"))
    return [
        {
            "state": LAB_STATES[state],
            "date": trace_time(at),
            "reason": reason,
            "actioned_by": row.lab_name,
        }
        for state, at, reason in steps
    ]


def render(record: LabTestRecord, lot: Package, facility: Facility) -> dict[str, Any]:
    lab_test = record.lab_test
    return {
        "license_number": facility.license_number,
        "id": str(lab_test.lab_test_id),
        "lab": [
            {
                "id": str(lab_test.lab_facility_id),
                "license_number": lab_test.lab_license_number,
                "name": lab_test.lab_name,
                "primary": True,
            }
        ],
        "contains_non_mandatory_tests": any(row.informational_only for row in record.tests),
        "overall_result": LAB_STATES[lab_test.state],
        "original_test_id": "",
        "test_use": "",
        "batch_type": "",
        "is_extraction_eligible": None,
        "is_retest_eligible": None,
        "test": [_test(row) for row in record.tests],
        "documents": [] if lab_test.document_id is None else [{"id": str(lab_test.document_id)}],
        "entity_state": _history(lab_test),
        "lots": {
            "license_number": facility.license_number,
            "id": str(lot.id),
            "barcode": lot.label,
        },
    }


def lab_results(call: Call) -> list[dict[str, Any]]:
    lot: Package = call.target
    found = queries.lab_tests.lab_tests(call.session, call.facility, lot, _wanted_states(call))
    return [render(record, lot, call.facility) for record in found]
