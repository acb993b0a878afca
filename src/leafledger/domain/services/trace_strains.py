"""Strain changes the Trace dialect makes beyond `strains.py`: one PUT may change a strain's
fields and archive it, as its `entity_state` says (Metrc archives with a DELETE of its own).

The ledger does not restore an archived strain: a new strain of the same name takes its place.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import Facility, Strain
from leafledger.domain.services.strains import StrainChange, archive_strain, update_strain


@dataclass(frozen=True, kw_only=True)
class StrainRevision:
    strain: Strain
    change: StrainChange | None = None  # None keeps the fields
    active: bool | None = None  # False archives; True asks for an active strain


def revise_strain(
    session: Session, actor: Actor, facility: Facility, revision: StrainRevision
) -> Strain:
    strain = revision.strain
    if revision.active is True and not strain.active:
        raise RuleViolation(
            f"The strain {strain.name!r} is archived; an archived strain is not restored.",
            field="entity_state",
        )
    if revision.change is not None:
        update_strain(session, actor, facility, revision.change)
    if revision.active is False:
        archive_strain(session, actor, facility, strain)
    return strain
