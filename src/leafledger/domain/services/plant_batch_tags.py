"""Tags on plant batches.

A batch is counted, not tagged plant by plant, but it may carry one plant tag of its own. A batch
tag is a plant tag like any other: issued to this facility, used exactly once. Replacing it
claims the new tag and retires the one it replaces (a batch planted without a tag simply gets
its first). Only an active batch is re-tagged; the date may be neither in the future nor before
the batch was planted. The new tag is named by its label, its id, or both (then they agree).

The tag is kept as `PlantBatch.tag_id`. The plant batch shape of the v2 examples has no field
for it, so the batch renders as before.

Every change is audited; nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import Facility, PlantBatch, Tag
from leafledger.domain.models.base import fits
from leafledger.domain.services.audit import audited
from leafledger.domain.services.cultivation import active_batch, require_grower
from leafledger.domain.services.lookups import claim_tag, not_future, retire_tag


@dataclass(frozen=True)
class BatchTagReplacement:
    """A new plant tag for the batch named by id or, failing that, by name."""

    batch_id: int | None = None
    name: str | None = None
    new_tag: str | None = None
    tag_id: int | None = None
    replace_date: date | None = None


def _new_label(session: Session, facility: Facility, command: BatchTagReplacement) -> str:
    """The label of the tag the command names by label, id or both (then they must agree)."""
    new_tag, tag_id = command.new_tag, command.tag_id
    if tag_id is None:
        if not new_tag:
            raise RuleViolation("A new tag is required.", field="new_tag")
        return new_tag
    label = None
    if fits(Tag.id, tag_id):
        label = session.scalar(
            select(Tag.label).where(Tag.id == tag_id, Tag.facility_id == facility.id)
        )
    if label is None:
        raise RuleViolation(f"Tag {tag_id} is not issued to this facility.", field="tag_id")
    if new_tag and new_tag.strip() != label:
        raise RuleViolation(
            f"{{field}} {tag_id} is tag {label}, not {new_tag.strip()}.", field="tag_id"
        )
    return label


def replace_batch_tag(
    session: Session, actor: Actor, facility: Facility, command: BatchTagReplacement
) -> PlantBatch:
    """Put a new plant tag on an active batch; the tag it had (if any) is retired."""
    require_grower(facility)
    batch = active_batch(session, facility, command.batch_id, command.name)
    label = _new_label(session, facility, command)
    when = not_future(facility, command.replace_date, "replace_date")
    if when < batch.planted_date:
        raise RuleViolation(
            f"The date is before plant batch {batch.name!r} was planted.", field="replace_date"
        )
    done = audited(session, actor, batch, "replace_tag", facility.id)
    tag = claim_tag(session, actor, facility, label, "Plant")
    old = None if batch.tag_id is None else session.get(Tag, batch.tag_id)
    if old is not None:
        retire_tag(session, actor, old)
    batch.tag_id = tag.id
    done()
    return batch
