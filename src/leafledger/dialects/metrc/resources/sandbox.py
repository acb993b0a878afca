"""Sandbox tag endpoints (v2): the tag types, and issuing tags to the calling facility.

leafledger is a self-hosted sandbox, so these work for every facility of the licence.
The catalogue gives no response examples for them; leafledger answers:

- GET /sandbox/v2/tagtypes: a bare array of {"Id", "Name", "Category", "TagInventoryTypeName"},
  Category being "Plant" or "Package";
- POST /sandbox/v2/facility/tags, body {"TagType": <a Name from the list>, "Count": 1..1000}:
  {"TagType": <name>, "Count": n, "Labels": [the labels issued, in sequence]}.
"""

from __future__ import annotations

from typing import Any

from pydantic import StrictInt

from leafledger.dialects.kit.call import Call
from leafledger.dialects.metrc.bodies import WireObject
from leafledger.dialects.metrc.resources.locations import parse
from leafledger.domain.services.tags import TAG_TYPES, TagType, issue_sandbox_tags


class TagRequest(WireObject):
    tag_type: str
    count: StrictInt


def render_tag_type(tag_type: TagType) -> dict[str, Any]:
    return {
        "Id": tag_type.id,
        "Name": tag_type.name,
        "Category": tag_type.kind,
        "TagInventoryTypeName": tag_type.inventory_type_name,
    }


def tag_types(call: Call) -> list[dict[str, Any]]:
    return [render_tag_type(tag_type) for tag_type in TAG_TYPES]


def facility_tags(call: Call) -> dict[str, Any]:
    body = parse(TagRequest, call.body)
    tags = issue_sandbox_tags(call.session, call.actor, call.facility, body.tag_type, body.count)
    return {
        "TagType": tags[0].tag_type_name,
        "Count": len(tags),
        "Labels": [tag.label for tag in tags],
    }
