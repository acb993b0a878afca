"""Issuing tags to a facility.

Tags must come from somewhere: in Metrc the state ships them; in leafledger, a self-hosted
sandbox, they are issued by the admin CLI (`leafledger tags issue`) or by the sandbox endpoint
`POST /sandbox/v2/facility/tags`. A tag belongs to one facility, has a kind (plant or package)
and a tag type, and is used exactly once (`lookups.claim_tag`).

Labels are 24 characters, shaped like Metrc's: a fixed "1A4" lead, eight hexadecimal digits
derived from the facility's id, then a 13-digit sequence counted per facility, so labels never
collide between facilities and never repeat within one. The list of a facility's available
tags is `queries.tags.available_tags`, named here too for the services that claim them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import Facility, Tag
from leafledger.domain.queries.tags import available_tags as available_tags
from leafledger.domain.services.audit import record, snapshot

LABEL_LENGTH = 24
LABEL_LEAD = "1A4"
SEQUENCE_DIGITS = LABEL_LENGTH - len(LABEL_LEAD) - 8
# Largest number of tags one call may issue; the sandbox endpoint allows fewer per request.
MAX_ISSUE = 100_000
MAX_SANDBOX_ISSUE = 1_000


@dataclass(frozen=True)
class TagType:
    id: int
    name: str
    kind: str  # "Plant" or "Package": what the tag may be used for
    inventory_type_name: str


TAG_TYPES: tuple[TagType, ...] = (
    TagType(1, "Marijuana Plant", "Plant", "MedicalPlant"),
    TagType(2, "Marijuana Package", "Package", "MedicalPackage"),
)
_TYPE_BY_KIND = {tag_type.kind: tag_type for tag_type in TAG_TYPES}
_TYPE_BY_NAME = {tag_type.name.lower(): tag_type for tag_type in TAG_TYPES}


def tag_kind(kind: str) -> str:
    """ "plant"/"Plant" -> "Plant", "package" -> "Package"; anything else is refused."""
    for known in _TYPE_BY_KIND:
        if kind.strip().lower() == known.lower():
            return known
    raise RuleViolation(f"Unknown tag kind {kind!r}; use plant or package.")


def tag_type_named(name: str) -> TagType:
    found = _TYPE_BY_NAME.get(name.strip().lower())
    if found is None:
        known = ", ".join(tag_type.name for tag_type in TAG_TYPES)
        raise RuleViolation(f"Unknown tag type {name!r}; use one of: {known}.", field="tag_type")
    return found


def tag_type_of(tag: Tag) -> TagType:
    """The tag type a tag was issued with (by kind when its name is not one of ours)."""
    return _TYPE_BY_NAME.get(tag.tag_type_name.lower()) or _TYPE_BY_KIND[tag.kind]


def label_prefix(facility: Facility) -> str:
    return f"{LABEL_LEAD}{facility.id:08X}"


def issue_tags(
    session: Session,
    actor: Actor,
    facility: Facility,
    kind: str,
    count: int,
    *,
    tag_type: TagType | None = None,
) -> list[Tag]:
    """Issue `count` new Available tags of `kind` to `facility`, labels in sequence."""
    kind = tag_kind(kind)
    tag_type = tag_type or _TYPE_BY_KIND[kind]
    if tag_type.kind != kind:
        raise RuleViolation(f"The tag type {tag_type.name} is not for {kind.lower()} tags.")
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_ISSUE:
        raise RuleViolation(f"The tag count must be a whole number from 1 to {MAX_ISSUE}.")
    # Lock the facility row so concurrent issues to one facility take numbers one after another.
    session.execute(select(Facility.id).where(Facility.id == facility.id).with_for_update())
    prefix = label_prefix(facility)
    last = session.scalar(
        select(func.max(Tag.label)).where(
            Tag.facility_id == facility.id,
            Tag.label.startswith(prefix, autoescape=True),
            func.length(Tag.label) == LABEL_LENGTH,
        )
    )
    start = int(last[len(prefix) :]) + 1 if last and last[len(prefix) :].isdigit() else 1
    if start + count - 1 >= 10**SEQUENCE_DIGITS:
        raise RuleViolation("This facility has used up its tag numbers.")
    tags = [
        Tag(
            facility_id=facility.id,
            label=f"{prefix}{number:0{SEQUENCE_DIGITS}d}",
            kind=kind,
            tag_type_name=tag_type.name,
            status="Available",
        )
        for number in range(start, start + count)
    ]
    session.add_all(tags)
    session.flush()
    for tag in tags:
        record(
            session, actor, entity=tag, action="issue", facility_id=facility.id, after=snapshot(tag)
        )
    return tags


@dataclass(frozen=True)
class SandboxTags:
    """The sandbox's request for tags: a tag type by name and how many."""

    tag_type: str
    count: int


def issue_sandbox_tags(
    session: Session, actor: Actor, facility: Facility, command: SandboxTags
) -> list[Tag]:
    """The sandbox endpoint's issue: at most 1,000 tags of one type per request."""
    tag_type = tag_type_named(command.tag_type)
    count = command.count
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_SANDBOX_ISSUE:
        raise RuleViolation(
            f"{{field}} must be a whole number from 1 to {MAX_SANDBOX_ISSUE}.", field="count"
        )
    return issue_tags(session, actor, facility, tag_type.kind, count, tag_type=tag_type)
