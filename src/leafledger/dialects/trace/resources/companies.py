"""Trace companies: the facilities behind the caller's keys, with their licences.

leafledger keeps no companies above its facilities: each facility is its own licensee, so
each facility the user of the keys is employed at answers as a company of one facility (the
company's id is the facility's). `GET /{state}/v1/companies` lists those of the path's state,
by licence number, paged by limit/offset. A facility's `reference_id` and `identifier_code`
are its licence number; the ledger keeps no phone number or address.

Facilities are registered by the operator (`leafledger facility add`), since a licence type
decides what its facility may do: the POST company and facility rows are not served.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.results import Listing
from leafledger.dialects.trace.factories import by_entity_state
from leafledger.dialects.trace.history import entity_state, trace_date
from leafledger.dialects.trace.states import path_state
from leafledger.domain import queries
from leafledger.domain.models import Employee, Facility
from leafledger.domain.queries.base import Listed
from leafledger.domain.queries.history import ALWAYS_ACTIVE, standing_histories

NOUN = "company"


def _licence(facility: Facility) -> dict[str, Any]:
    return {
        "license_number": facility.license_number,
        "type": {"name": facility.license_type},
        "start_date": trace_date(facility.license_start_date),
        "end_date": trace_date(facility.license_end_date),
    }


def render(item: tuple[Employee, list[dict[str, Any]]]) -> dict[str, Any]:
    employment, history = item
    facility = employment.facility
    return {
        "id": str(facility.id),
        "name": facility.name,
        "parent_id": None,
        "physical_resources": [
            {
                "facilities": [
                    {
                        "id": str(facility.id),
                        "reference_id": facility.license_number,
                        "name": facility.name,
                        "display_name": facility.alias or facility.name,
                        "identifier_code": facility.license_number,
                        "phone_number": None,
                        "timezone": facility.timezone,
                        "deleted": False,
                        "licenses": [_licence(facility)],
                        "address": None,
                    }
                ]
            }
        ],
        "entity_state": history,
    }


def _with_histories(session: Session, employments: list[Employee]) -> list[Any]:
    """Each employment with its facility's history (one statement for the page)."""
    facilities = [employment.facility for employment in employments]
    histories = standing_histories(session, None, Facility.__tablename__, facilities, ALWAYS_ACTIVE)
    return [(e, entity_state(histories[e.facility_id], NOUN)) for e in employments]


def _employments(call: Call) -> Listed:
    """The caller's employments at facilities of the path's state."""
    state = path_state(call).upper()
    listed = queries.facilities.employments(call.actor.user_id)
    return replace(listed.where(Facility.state_code == state), complete=_with_histories)


_listed = by_entity_state({"active": _employments})


def list_companies(call: Call) -> Listing:
    return Listing(_listed(call), render)
