"""What the catalogue aggregates share: strains, items and their brands, additive templates,
processing job types (and the transporters' drivers and vehicles, which live the same life).

Each is a row of one facility that is created, changed while active and archived, never
deleted. A name (a driver's licence number, a licence plate) is unique among the facility's
active rows of its kind; an archived row can be neither changed nor archived again; every step
is audited. Their fields share a few checks (names, bounded texts, percentages), each naming
the command field it refuses so that the dialect can word it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy.orm import Session

from leafledger.domain.actor import Actor
from leafledger.domain.errors import FieldPath, RuleViolation
from leafledger.domain.models import (
    AdditivesTemplate,
    Driver,
    Facility,
    Item,
    ItemBrand,
    ProcessingJobType,
    Strain,
    Vehicle,
)
from leafledger.domain.services.audit import audited, record_new

HUNDRED = Decimal(100)
MAX_NAME = 200

Catalogued = TypeVar(
    "Catalogued", Strain, Item, ItemBrand, AdditivesTemplate, ProcessingJobType, Driver, Vehicle
)


# --- field checks


def bounded(text: str, field: str | FieldPath, limit: int) -> str:
    """`text`, refused when longer than the column keeping it."""
    if len(text) > limit:
        raise RuleViolation(f"{{field}} may be at most {limit} characters long.", field=field)
    return text


def clean_name(name: Any, what: str, field: str = "name") -> str:
    """A required, non-blank name, stripped, of at most `MAX_NAME` characters."""
    if not isinstance(name, str) or not name.strip():
        raise RuleViolation(f"A {what} name is required.", field=field)
    return bounded(name.strip(), field, MAX_NAME)


def optional_text(value: str | None, field: str | FieldPath, limit: int) -> str | None:
    """A text that may be left out: blank is None, anything else stripped and bounded."""
    if value is None or not value.strip():
        return None
    return bounded(value.strip(), field, limit)


def check_percent(value: Decimal | None, field: str | FieldPath) -> Decimal | None:
    """A percentage between 0 and 100 (None stays None)."""
    if value is None:
        return None
    if not isinstance(value, Decimal) or not value.is_finite():
        raise RuleViolation("{field} must be a number.", field=field)
    if value < 0 or value > HUNDRED:
        raise RuleViolation(f"{{field}} must be between 0 and 100, got {value}.", field=field)
    return value


# --- the life of a catalogue row

Fields = TypeVar("Fields")
Change = TypeVar("Change")
Command = TypeVar("Command", contravariant=True)
Result = TypeVar("Result", covariant=True)


class Service(Protocol[Command, Result]):
    def __call__(
        self, session: Session, actor: Actor, facility: Facility, command: Command, /
    ) -> Result: ...


def _by_name(row: Any) -> str:
    return repr(row.name)


@dataclass(frozen=True)
class Kind(Generic[Catalogued, Fields, Change]):
    """One catalogue aggregate and its three services, `(session, actor, facility, command)`:

    - `create(fields)`: a new active row, `apply` checking the fields and setting them;
    - `update(change)`: the same on the row `target` names in the change (an active one);
    - `archive(row)`: the row retired, kept for history, no longer usable by name.
    """

    model: type[Catalogued]
    what: str  # its name in messages
    apply: Callable[[Session, Facility, Catalogued, Fields | Change], None]
    target: Callable[[Change], Catalogued]
    # How messages name one row: its name, quoted, unless the kind says otherwise.
    label: Callable[[Catalogued], str] = dataclass_field(default=_by_name)

    @property
    def services(
        self,
    ) -> tuple[
        Service[Fields, Catalogued], Service[Change, Catalogued], Service[Catalogued, Catalogued]
    ]:
        """create, update and archive, to be named by the aggregate's module."""
        return self.create, self.update, self.archive

    def create(
        self, session: Session, actor: Actor, facility: Facility, command: Fields
    ) -> Catalogued:
        row = self.model(facility_id=facility.id, active=True)
        self.apply(session, facility, row, command)
        record_new(session, actor, row, facility.id)
        return row

    def update(
        self, session: Session, actor: Actor, facility: Facility, command: Change
    ) -> Catalogued:
        row = self.target(command)
        if not row.active:
            raise RuleViolation(
                f"The {self.what} {self.label(row)} is archived and cannot be changed."
            )
        done = audited(session, actor, row, "update", facility.id)
        self.apply(session, facility, row, command)
        done()
        return row

    def archive(
        self, session: Session, actor: Actor, facility: Facility, row: Catalogued
    ) -> Catalogued:
        if not row.active:
            raise RuleViolation(f"The {self.what} {self.label(row)} is already archived.")
        done = audited(session, actor, row, "archive", facility.id)
        row.active = False
        done()
        return row
