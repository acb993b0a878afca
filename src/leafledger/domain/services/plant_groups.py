"""Plant groups: one tag standing for several plants, which groups split and merge.

A plant row has a `plant_count`, the number of plants its tag stands for: 1 for a plant tagged
on its own, more for a group.

- A split moves `count` plants of an active group to a new group under a new tag (an
  available plant tag of this facility, used once). The source keeps at least one plant. The new
  group copies the source's batch, strain, phase, place and dates; its harvest history starts
  empty. A split does not change the strain: a strain, when named, must be the source's.
- A merge moves every plant of the source group into the target group. Both must be active
  plants of this facility, in the same growth phase and of the same strain. The source ends: its
  state becomes Merged (it leaves the active lists for the inactive ones), its plant count 0 and
  its tag is retired.
- A count adjustment (PUT /plants/v2/adjust) corrects how many plants a tag stands for, by a
  signed count, for a listed reason (the adjustment reasons of packages and plant batches;
  some require a note). The tag keeps standing for at least one plant: plants that are gone
  are destroyed (with their waste), not adjusted away. The reason, note and date are recorded
  on the audit event.
- Dates are neither in the future nor before the plants concerned were planted.

Counting. services/plant_counts.py counts plant *rows* (one per tag) per growth phase and
state, and the plant lists page those rows; so a list's Total counts rows, not plants, and
always matches the records it lists. A group of 12 plants under one tag counts once. A split
adds one row in the source's phase; a merge moves one row from an active state to Merged. The
number of plants is conserved: the sum of `plant_count` over the facility's active rows is the
same before and after a split or a merge. Plant batch counters are not touched: a batch's
TrackedCount says how many of its plants were tagged, which regrouping does not undo.
Elsewhere a group counts as its plants: a harvest's plant count, a plant waste record's and an
additive's plant count add up `plant_count`; destroying a group destroys all its plants.

The plant shape of the v2 examples has no field for a group's size, so it is not rendered.

Every change is audited; nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import Facility, Plant, Tag
from leafledger.domain.services.audit import audited, record, snapshot
from leafledger.domain.services.cultivation import (
    MAX_COUNT,
    active_plant,
    active_plant_by_label,
    add_split,
    adjustment_reason,
    require_grower,
)
from leafledger.domain.services.lookups import claim_tag, not_future, retire_tag, strain_named

MERGED = "Merged"


@dataclass(frozen=True)
class PlantSplit:
    source_label: str
    count: int
    tag: str
    strain: str | None = None
    split_date: date | None = None


def split(session: Session, actor: Actor, facility: Facility, order: PlantSplit) -> Plant:
    """Move `count` plants of a group to a new group under a new tag; answers the new group."""
    require_grower(facility)
    source = active_plant_by_label(session, facility, order.source_label)
    count = order.count
    if not 1 <= count <= MAX_COUNT:
        raise RuleViolation(f"{{field}} must be from 1 to {MAX_COUNT}, got {count}.", field="count")
    if count >= source.plant_count:
        raise RuleViolation(
            f"Plant {source.label} stands for {source.plant_count} plant(s) and keeps at least "
            f"one; cannot split off {count}.",
            field="count",
        )
    if order.strain and strain_named(session, facility, order.strain).id != source.strain_id:
        raise RuleViolation(
            f"A split keeps the strain of plant {source.label}; {order.strain.strip()!r} is "
            "another (change the strain of the plant instead).",
            field="strain",
        )
    when = not_future(facility, order.split_date, "split_date")
    if when < source.planted_date:
        raise RuleViolation(
            f"The split date is before plant {source.label} was planted.", field="split_date"
        )
    tag = claim_tag(session, actor, facility, order.tag, "Plant")
    done = audited(session, actor, source, "split", facility.id)
    source.plant_count -= count
    done()
    group = Plant(
        facility_id=facility.id,
        label=tag.label,
        tag_id=tag.id,
        plant_batch_id=source.plant_batch_id,
        strain_id=source.strain_id,
        location_id=source.location_id,
        sublocation_id=source.sublocation_id,
        patient_license_number=source.patient_license_number,
        growth_phase=source.growth_phase,
        state="Tracked",
        plant_count=count,
        planted_date=source.planted_date,
        vegetative_date=source.vegetative_date,
        flowering_date=source.flowering_date,
        mother_plant_date=source.mother_plant_date,
        harvest_count=0,
        is_on_hold=False,
    )
    add_split(session, actor, group, source, "split_from_plant_id")
    return group


@dataclass(frozen=True)
class PlantMerge:
    target_label: str
    source_label: str
    merge_date: date | None = None


def merge(session: Session, actor: Actor, facility: Facility, order: PlantMerge) -> Plant:
    """Move every plant of the source group into the target group; answers the target."""
    require_grower(facility)
    labels = [order.target_label.strip(), order.source_label.strip()]
    # Lock both rows in id order, so two merges of the same pair cannot deadlock.
    session.execute(
        select(Plant.id).where(Plant.label.in_(labels)).order_by(Plant.id).with_for_update()
    )
    target = active_plant_by_label(session, facility, order.target_label)
    source = active_plant_by_label(session, facility, order.source_label)
    if source.id == target.id:
        raise RuleViolation(f"Plant {source.label} cannot be merged into itself.")
    if source.growth_phase != target.growth_phase:
        raise RuleViolation(
            f"Plant {source.label} is {source.growth_phase} and plant {target.label} is "
            f"{target.growth_phase}; only groups in the same growth phase merge."
        )
    if source.strain_id != target.strain_id:
        raise RuleViolation(
            f"Plants {source.label} and {target.label} are of different strains; "
            "only groups of the same strain merge."
        )
    when = not_future(facility, order.merge_date, "merge_date")
    if when < max(source.planted_date, target.planted_date):
        raise RuleViolation("The merge date is before the plants were planted.", field="merge_date")
    into = audited(session, actor, target, "merge", facility.id)
    target.plant_count += source.plant_count
    into()
    before = snapshot(source)
    source.plant_count = 0
    source.state = MERGED
    old = session.get(Tag, source.tag_id)
    if old is not None:
        retire_tag(session, actor, old)
    session.flush()
    record(
        session,
        actor,
        entity=source,
        action="merge_into",
        facility_id=facility.id,
        before=before,
        after={**snapshot(source), "merged_into_plant_id": target.id},
    )
    return target


@dataclass(frozen=True)
class CountAdjustment:
    """A plant group (by id, or else by label) counted again: `count` plants more (or fewer,
    negative), for a listed reason."""

    plant_id: int | None
    label: str | None
    count: int
    reason: str
    note: str | None = None
    adjustment_date: date | None = None


def adjust_count(
    session: Session, actor: Actor, facility: Facility, command: CountAdjustment
) -> Plant:
    """Correct the number of plants a tag stands for; it keeps standing for at least one."""
    require_grower(facility)
    plant = active_plant(session, facility, command.plant_id, command.label)
    count = command.count
    if count == 0:
        raise RuleViolation("An adjustment of 0 plants changes nothing.", field="count")
    if abs(count) > MAX_COUNT:
        raise RuleViolation(f"{{field}} must be at most {MAX_COUNT} plants.", field="count")
    if plant.plant_count + count < 1:
        raise RuleViolation(
            f"Plant {plant.label} stands for {plant.plant_count} plant(s) and keeps at least "
            f"one; an adjustment of {count} would leave none (destroy plants instead).",
            field="count",
        )
    reason = adjustment_reason(command.reason, command.note)
    when = not_future(facility, command.adjustment_date, "adjustment_date")
    if when < plant.planted_date:
        raise RuleViolation(
            f"The adjustment date is before plant {plant.label} was planted.",
            field="adjustment_date",
        )
    before = snapshot(plant)
    plant.plant_count += count
    session.flush()
    why = {"reason": reason.name, "note": (command.note or "").strip() or None}
    record(
        session,
        actor,
        entity=plant,
        action="adjust_count",
        facility_id=facility.id,
        before=before,
        after={**snapshot(plant), **why, "adjustment_date": when.isoformat()},
    )
    return plant
