"""Sublocations (v2 only): create, update, archive, fetch by id, active and inactive lists."""

from __future__ import annotations

from typing import Any

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.loaders import load_by_id
from leafledger.dialects.metrc.bodies import WireObject
from leafledger.dialects.metrc.factories import bulk, by_id, delete, listing
from leafledger.dialects.metrc.resources.locations import MAX_ID, WireId, parse
from leafledger.domain.errors import NotFound
from leafledger.domain.models import Sublocation
from leafledger.domain.services import locations as service


class NewSublocation(WireObject):
    name: str


class ChangedSublocation(WireObject):
    id: WireId
    name: str


def render(sublocation: Sublocation) -> dict[str, Any]:
    return {"Id": sublocation.id, "Name": sublocation.name}


def load(call: Call, sublocation_id: int) -> Sublocation:
    if sublocation_id > MAX_ID:
        raise NotFound(f"No sublocation {sublocation_id} was found.")
    return load_by_id(call.session, Sublocation, sublocation_id, call.facility, "sublocation")


def _create(call: Call, obj: dict[str, Any]) -> int:
    body = parse(NewSublocation, obj)
    return service.create_sublocation(call.session, call.actor, call.facility, body.name).id


def _update(call: Call, obj: dict[str, Any]) -> int:
    body = parse(ChangedSublocation, obj)
    sublocation = load(call, body.id)
    return service.update_sublocation(
        call.session, call.actor, call.facility, sublocation, body.name
    ).id


def _archive(call: Call, sublocation_id: int) -> int:
    return service.archive_sublocation(
        call.session, call.actor, call.facility, load(call, sublocation_id)
    )


create = bulk(_create)
update = bulk(_update)
archive = delete(_archive)
get = by_id(load, render)
active = listing(
    lambda call: service.sublocations_of(call.facility, active=True),
    render,
    modified=Sublocation.last_modified,
)
inactive = listing(
    lambda call: service.sublocations_of(call.facility, active=False),
    render,
    modified=Sublocation.last_modified,
)
