"""Loading a request's target once, with the same answers everywhere.

An id that does not exist is NotFound; an id that exists but belongs to another facility is
Unauthenticated (Metrc answers 401 there, and it reveals nothing about the other facility).
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from leafledger.domain.errors import NotFound, Unauthenticated
from leafledger.domain.models import Facility


class FacilityOwned(Protocol):
    id: Any
    facility_id: Any


T = TypeVar("T", bound=FacilityOwned)


def _owned(row: T | None, facility: Facility, what: str, key: object) -> T:
    if row is None:
        raise NotFound(f"No {what} {key} was found.")
    if row.facility_id != facility.id:
        raise Unauthenticated(
            f"The {what} {key} does not belong to licence {facility.license_number}."
        )
    return row


def load_by_id(
    session: Session, model: type[T], object_id: int, facility: Facility, what: str
) -> T:
    """The `model` row with `object_id`, which must belong to `facility`."""
    return _owned(session.get(model, object_id), facility, what, object_id)


def load_by_key(
    session: Session,
    model: type[T],
    column: InstrumentedAttribute[Any],
    value: object,
    facility: Facility,
    what: str,
) -> T:
    """The `model` row whose `column` equals `value` (a label, a name), owned by `facility`.

    The facility is not part of the lookup on purpose: a label that exists at another facility
    answers 401 rather than 404, as for ids.
    """
    row = session.scalars(select(model).where(column == value).limit(1)).first()
    return _owned(row, facility, what, value)
