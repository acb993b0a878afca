"""Pieces every Trace object is made of: the licence block, references, amounts.

Ids are the ledger's ids as strings. Quantities, weights, percentages and counts of plants are
strings, as Trace writes money and quantities ("250.5", "40"): exact, with no float on the
way. Dates are Trace timestamps (`history.trace_date`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from leafledger.domain.models import Facility


def licence_of(facility: Facility) -> dict[str, Any]:
    """The `license` block of every object of a facility."""
    return {"license_number": facility.license_number, "type": {"name": facility.license_type}}


def amount(value: Decimal | int | str | None) -> str | None:
    """A quantity as Trace writes it: a decimal string without exponent, or null."""
    if value is None:
        return None
    number = Decimal(str(value))
    text = format(number.normalize(), "f") if number != number.to_integral_value() else None
    return text or str(int(number))


def ref(object_id: int | None, name: str | None, **more: Any) -> dict[str, Any] | None:
    """`{"id", "name", ...}` of a referenced object, or null when there is none."""
    if object_id is None:
        return None
    return {"id": str(object_id), "name": name, **more}


def additional(patient_license_number: str | None) -> dict[str, Any]:
    """The `additional` block of cultivation objects: the patient they are grown for."""
    return {
        "patient_license": patient_license_number,
        "is_for_medical_use": patient_license_number is not None,
    }
