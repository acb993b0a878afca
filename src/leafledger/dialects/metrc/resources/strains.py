"""Strains, v1 and v2: create, update, archive, fetch by id, list active and inactive.

v2 writes answer the ids touched in order; v1 writes an empty 200 (the dialect decides). The rules
(unique active names, percentages, testing statuses) live in `domain/services/strains.py`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.loaders import load_by_id
from leafledger.dialects.metrc.bodies import WireObject, parse_object
from leafledger.dialects.metrc.factories import bulk, delete, listing, path_id
from leafledger.dialects.metrc.results import Listing
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import Strain
from leafledger.domain.services import strains as service

M = TypeVar("M", bound=WireObject)


def parse(model: type[M], obj: dict[str, Any]) -> M:
    """`obj` as a `model`; a problem is reported without a row, for `bulk` to name the row."""
    try:
        return parse_object(model, obj, 0)
    except RuleViolation as exc:
        raise RuleViolation(exc.message) from None


class StrainBody(WireObject):
    name: str | None = None
    testing_status: str | None = None
    thc_level: Decimal | None = None
    cbd_level: Decimal | None = None
    indica_percentage: Decimal | None = None
    sativa_percentage: Decimal | None = None


class StrainUpdateBody(StrainBody):
    id: int


def _fields(body: StrainBody) -> service.StrainFields:
    return service.StrainFields(
        name=body.name or "",
        testing_status=body.testing_status,
        thc_level=body.thc_level,
        cbd_level=body.cbd_level,
        indica_percentage=body.indica_percentage,
        sativa_percentage=body.sativa_percentage,
    )


def render(strain: Strain, is_used: bool) -> dict[str, Any]:
    return {
        "Id": strain.id,
        "Name": strain.name,
        "TestingStatus": strain.testing_status,
        "ThcLevel": strain.thc_level,
        "CbdLevel": strain.cbd_level,
        "IndicaPercentage": strain.indica_percentage,
        "SativaPercentage": strain.sativa_percentage,
        "IsUsed": is_used,
        "Genetics": strain.genetics,
    }


def load(call: Call, strain_id: int) -> Strain:
    service.check_id(strain_id, "strain")
    return load_by_id(call.session, Strain, strain_id, call.facility, "strain")


def _renderer(call: Call) -> Any:
    return lambda strain: render(strain, service.strain_is_used(call.session, strain))


def _create(call: Call, obj: dict[str, Any]) -> int:
    body = parse(StrainBody, obj)
    return service.create_strain(call.session, call.actor, call.facility, _fields(body)).id


def _update(call: Call, obj: dict[str, Any]) -> int:
    body = parse(StrainUpdateBody, obj)
    strain = load(call, body.id)
    return service.update_strain(call.session, call.actor, call.facility, strain, _fields(body)).id


create = bulk(_create)
update = bulk(_update)


def get(call: Call) -> dict[str, Any]:
    strain = load(call, path_id(call))
    return render(strain, service.strain_is_used(call.session, strain))


def _archive(call: Call, strain_id: int) -> int:
    return service.archive_strain(call.session, call.actor, load(call, strain_id)).id


archive = delete(_archive)


def _listing(call: Call, *, active: bool) -> Listing:
    handler = listing(
        lambda c: service.strains_of(c.facility, active=active),
        _renderer(call),
        modified=Strain.last_modified,
    )
    result: Listing = handler(call)
    return result


def active(call: Call) -> Listing:
    return _listing(call, active=True)


def inactive(call: Call) -> Listing:
    return _listing(call, active=False)
