"""Tags on plant batches (PUT /plantbatches/v2/tag).

A batch is counted, not tagged plant by plant, but it may carry one plant tag of its own. A batch
tag is a plant tag like any other: issued to this facility, used exactly once. Replacing it
claims the new tag and retires the one it replaces (a batch planted without a tag simply gets
its first). Only an active batch is re-tagged; the date may be neither in the future nor before
the batch was planted.

The tag is kept as `PlantBatch.tag_id`. The plant batch shape of the v2 examples has no field
for it, so the batch renders as before.

Every change is audited; nothing here commits.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import Facility, PlantBatch, Tag
from leafledger.domain.services.audit import audited
from leafledger.domain.services.lookups import claim_tag, retire_tag
from leafledger.domain.services.plant_batches import (
    batch_by_id,
    batch_named,
    not_future,
    require_grower,
)

# Ids are 32-bit integers in every table: a larger one names nothing.
_MAX_ID = 2**31 - 1


def _active_batch(
    session: Session, facility: Facility, batch_id: int | None, name: str | None
) -> PlantBatch:
    if batch_id is not None:
        if not 0 < batch_id <= _MAX_ID:
            raise RuleViolation(f"No plant batch {batch_id} at this facility.")
        batch = batch_by_id(session, facility, batch_id)
        if not batch.active:
            raise RuleViolation(f"Plant batch {batch.name!r} is inactive.")
        return batch
    if not name:
        raise RuleViolation("Name the plant batch by Id or by Group.")
    return batch_named(session, facility, name)


def _new_label(
    session: Session, facility: Facility, new_tag: str | None, tag_id: int | None
) -> str:
    """The label of the tag named by NewTag, TagId or both (then they must agree)."""
    if tag_id is None:
        if not new_tag:
            raise RuleViolation("Give the new tag as NewTag or TagId.")
        return new_tag
    label = None
    if 0 < tag_id <= _MAX_ID:
        label = session.scalar(
            select(Tag.label).where(Tag.id == tag_id, Tag.facility_id == facility.id)
        )
    if label is None:
        raise RuleViolation(f"Tag {tag_id} is not issued to this facility.")
    if new_tag and new_tag.strip() != label:
        raise RuleViolation(f"TagId {tag_id} is tag {label}, not {new_tag.strip()}.")
    return label


def replace_batch_tag(
    session: Session,
    actor: Actor,
    facility: Facility,
    *,
    batch_id: int | None,
    name: str | None,
    new_tag: str | None,
    tag_id: int | None,
    replace_date: date | None,
) -> PlantBatch:
    """Put a new plant tag on an active batch; the tag it had (if any) is retired."""
    require_grower(facility)
    batch = _active_batch(session, facility, batch_id, name)
    label = _new_label(session, facility, new_tag, tag_id)
    when = not_future(facility, replace_date)
    if when < batch.planted_date:
        raise RuleViolation(f"The date is before plant batch {batch.name!r} was planted.")
    done = audited(session, actor, batch, "replace_tag", facility.id)
    tag = claim_tag(session, actor, facility, label, "Plant")
    old = None if batch.tag_id is None else session.get(Tag, batch.tag_id)
    if old is not None:
        retire_tag(session, actor, old)
    batch.tag_id = tag.id
    done()
    return batch
