"""Trace strains: views of the same Strain rows the Metrc dialect lists.

A strain's `cannabinoids` (`thc_percent`, `cbd_percent`) are the ledger's THC and CBD levels,
its `contents` (`indica_percent`, `sativa_percent`) the indica and sativa percentages; its
testing status is part of its `entity_state`: `in_house_tested`, `third_party_tested`, or
`active` for an untested strain. `average_yield`, `flowering_time`, `gender` and `breeder`
have no place in the ledger: a body that gives them is served with a warning, and strains
answer them null.

- `GET /config/strains`: `entity_state` active (default), in_house_tested,
  third_party_tested, used (some batch, plant or product names it), inactive or deleted
  (archived);
- `POST`: a new strain; its `entity_state` may set the testing status;
- `PUT /{id}`: the fields sent change, the others stay; an `entity_state` ending in
  `inactive` or `deleted` archives the strain, one ending in a testing state sets it.

Every rule (unique active names, percentages) is `services/strains.py`'s.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AliasPath, BeforeValidator, Field
from sqlalchemy.orm import Session

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.loaders import ById
from leafledger.dialects.trace.bodies import StateChange, TraceBody, merged, wanted_state
from leafledger.dialects.trace.factories import (
    Kind,
    Viewed,
    by_entity_state,
    change,
    listing,
    show,
    write,
)
from leafledger.dialects.trace.shapes import amount, licence_of
from leafledger.dialects.trace.wire import TraceQuantity
from leafledger.domain import queries
from leafledger.domain.actor import Actor
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import Facility, Strain
from leafledger.domain.queries.base import Listed
from leafledger.domain.queries.history import STRAINS
from leafledger.domain.queries.strains import StrainRow
from leafledger.domain.services import strains as service
from leafledger.domain.services import trace_strains

KIND = Kind(Strain.__tablename__, "strain", STRAINS, read_model=StrainRow)
STRAIN = ById(StrainRow, "strain")
STRAIN_TO_CHANGE = ById(Strain, "strain")

# Trace's testing states and the ledger's testing statuses.
TESTING = {"in_house_tested": "InHouse", "third_party_tested": "ThirdParty"}
FIELDS = ("name", "thc_level", "cbd_level", "indica_percentage", "sativa_percentage")

# --- bodies


def _testing_status(changes: Any) -> str | None:
    """A new strain's testing status, from the last state of its `entity_state` list."""
    if not isinstance(changes, list) or not changes:
        return None
    last = changes[-1]
    wanted = str(last.get("state", "") if isinstance(last, dict) else "").strip().lower()
    if wanted in ("", "active"):
        return None
    if wanted in TESTING:
        return TESTING[wanted]
    raise ValueError(
        f"a new strain is active, in_house_tested or third_party_tested, not {wanted!r}"
    )


class _StrainFields(TraceBody):
    not_kept = ("average_yield", "flowering_time", "gender", "breeder")
    name: str | None = None
    thc_level: TraceQuantity | None = Field(
        None, validation_alias=AliasPath("cannabinoids", "thc_percent")
    )
    cbd_level: TraceQuantity | None = Field(
        None, validation_alias=AliasPath("cannabinoids", "cbd_percent")
    )
    indica_percentage: TraceQuantity | None = Field(
        None, validation_alias=AliasPath("contents", "indica_percent")
    )
    sativa_percentage: TraceQuantity | None = Field(
        None, validation_alias=AliasPath("contents", "sativa_percent")
    )


class NewStrainBody(_StrainFields):
    command = service.StrainFields
    testing_status: Annotated[str | None, BeforeValidator(_testing_status)] = Field(
        None, validation_alias="entity_state"
    )


class StrainChangeBody(_StrainFields):
    entity_state: list[StateChange] | None = None


# --- rendering


def render(viewed: Viewed) -> dict[str, Any]:
    strain: StrainRow = viewed.record
    return {
        "license": licence_of(viewed.facility),
        "id": str(strain.id),
        "name": strain.name,
        "cannabinoids": {
            "cbd_percent": amount(strain.cbd_level),
            "thc_percent": amount(strain.thc_level),
        },
        "contents": {
            "indica_percent": amount(strain.indica_percentage),
            "sativa_percent": amount(strain.sativa_percentage),
        },
        "genetics": strain.genetics,
        "average_yield": None,
        "flowering_time": None,
        "gender": None,
        "breeder": None,
        "is_used": strain.is_used,
        "entity_state": viewed.entity_state,
    }


# --- handlers


def _strains(condition: Any = None, *, active: bool = True) -> Any:
    def query(call: Call) -> Listed:
        listed = queries.strains.strains(call.facility, active=active)
        return listed if condition is None else listed.where(condition)

    return query


_listed = by_entity_state(
    {
        "active": _strains(),
        "in_house_tested": _strains(StrainRow.testing_status == "InHouse"),
        "third_party_tested": _strains(StrainRow.testing_status == "ThirdParty"),
        "used": _strains(StrainRow.is_used.is_(True)),
        "inactive": _strains(active=False),
        "deleted": _strains(active=False),
    }
)


def _revise(
    session: Session, actor: Actor, facility: Facility, strain: Strain, body: StrainChangeBody
) -> Strain:
    wanted = wanted_state(body.entity_state)
    if wanted not in (None, "active", "inactive", "deleted", *TESTING):
        raise RuleViolation(
            "{field} may end in active, inactive, deleted, in_house_tested or "
            f"third_party_tested, not {wanted!r}.",
            field="entity_state",
        )
    new_fields = body.model_fields_set & set(FIELDS)
    revised = None
    if new_fields or wanted in TESTING:
        revised = service.StrainChange(
            strain=strain,
            testing_status=TESTING.get(wanted or "", strain.testing_status),
            **merged(body, strain, FIELDS),
        )
    active = None if wanted is None or wanted in TESTING else wanted == "active"
    revision = trace_strains.StrainRevision(strain=strain, change=revised, active=active)
    return trace_strains.revise_strain(session, actor, facility, revision)


list_strains = listing(_listed, render, KIND)
get_strain = show(render, KIND)
create_strain = write(service.create_strain, render, KIND)
update_strain = change(_revise, render, KIND)
