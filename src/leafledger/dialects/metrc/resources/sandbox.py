"""Sandbox endpoints (v2): tag types, tags, opening balance packages and integrator setup.

leafledger is a self-hosted sandbox, so these work for every facility of the licence.
The catalogue gives no response examples for most of them; leafledger answers:

- GET /sandbox/v2/tagtypes: a bare array of {"Id", "Name", "Category", "TagInventoryTypeName"},
  Category being "Plant" or "Package";
- POST /sandbox/v2/facility/tags, body {"TagType": <a Name from the list>, "Count": 1..1000}:
  {"TagType": <name>, "Count": n, "Labels": [the labels issued, in sequence]};
- POST /sandbox/v2/packages/create, body {"Count": 1..100 (default 10), "FilterBy": "Name",
  "Category" or "UnitOfMeasure", "FilterValue": required with FilterBy}: opening balance
  packages (services/packages.py), answered as {"Ids": [...], "Warnings": null}; 400 when the
  facility has too few available package tags or no matching active item;
- POST /sandbox/v2/integrator/setup[?userKey=...] (no licence number, no body): without userKey,
  a new user with a fresh key for the calling integrator (services/sandbox_users.py); with it,
  the user holding that key, if it was set up for this integrator (else 401, or 404 for a key
  nobody holds). Both answer 200 with {"UserKey": <key>, "FullName": ...,
  "EmployeeLicenseNumber": ..., "LicenseNumbers": [the facilities the user works at]}. Metrc
  mails the key and answers 201/202/204 along the way; leafledger has no mail to wait for.
"""

from __future__ import annotations

from typing import Any

from pydantic import field_validator

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.factories import fixed
from leafledger.dialects.kit.results import Written
from leafledger.dialects.metrc.bodies import MetrcBody
from leafledger.dialects.metrc.wire import WireCount
from leafledger.domain.models import Tag
from leafledger.domain.services.packages import OpeningBalance, create_opening_balance_packages
from leafledger.domain.services.sandbox_users import SandboxSetup, SetupRequest, set_up
from leafledger.domain.services.tags import TAG_TYPES, SandboxTags, TagType, issue_sandbox_tags

# --- bodies


class TagsBody(MetrcBody):
    command = SandboxTags
    tag_type: str
    count: WireCount


class OpeningBalanceBody(MetrcBody):
    command = OpeningBalance
    count: WireCount = OpeningBalance.count
    filter_by: str | None = None
    filter_value: str | None = None

    @field_validator("count", mode="before")
    @classmethod
    def _unset_count_is_the_default(cls, value: Any) -> Any:
        """A Count of null asks for the default number, as leaving it out does."""
        return OpeningBalance.count if value is None else value


# --- rendering


def render_tag_type(tag_type: TagType) -> dict[str, Any]:
    return {
        "Id": tag_type.id,
        "Name": tag_type.name,
        "Category": tag_type.kind,
        "TagInventoryTypeName": tag_type.inventory_type_name,
    }


def _object(**properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties)}


TEXT, WHOLE = {"type": "string"}, {"type": "integer"}
TEXTS = {"type": "array", "items": TEXT}
# The answers of the two sandbox rows that answer an object (OpenAPI; Endpoint.answers).
ISSUED = _object(TagType=TEXT, Count=WHOLE, Labels=TEXTS)
SET_UP = _object(UserKey=TEXT, FullName=TEXT, EmployeeLicenseNumber=TEXT, LicenseNumbers=TEXTS)


def render_issued(tags: list[Tag]) -> dict[str, Any]:
    return {
        "TagType": tags[0].tag_type_name,
        "Count": len(tags),
        "Labels": [tag.label for tag in tags],
    }


def render_setup(setup: SandboxSetup) -> dict[str, Any]:
    return {
        "UserKey": setup.key,
        "FullName": setup.user.full_name,
        "EmployeeLicenseNumber": setup.user.employee_license_number,
        "LicenseNumbers": setup.license_numbers,
    }


# --- handlers

tag_types = fixed(TAG_TYPES, render_tag_type, "tag_types")


def facility_tags(call: Call) -> dict[str, Any]:
    return render_issued(issue_sandbox_tags(call.session, call.actor, call.facility, call.command))


def packages_create(call: Call) -> Written:
    made = create_opening_balance_packages(call.session, call.actor, call.facility, call.command)
    return Written([package.id for package in made])


def integrator_setup(call: Call) -> dict[str, Any]:
    request = SetupRequest(call.caller, (call.query.get("userKey") or "").strip() or None)
    return render_setup(set_up(call.session, call.actor, request))
