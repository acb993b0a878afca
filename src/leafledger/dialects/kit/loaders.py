"""Loading what a request names, once, with the same answers everywhere.

An id that does not exist is NotFound; an id that exists but belongs to another facility is
Unauthenticated (Metrc answers 401 there, and it reveals nothing about the other facility).
An id past the range of the column it is looked up in names nothing: NotFound, before any SQL
(PostgreSQL would refuse the value).

A row names its loader (`ById`, `ByKey` for path parameters, `ByQuery` for an id a list takes
as a query parameter); the runner loads the target before the handler runs and hands it over
as `call.target`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from leafledger.dialects.kit.paging import parse_positive_int
from leafledger.domain.errors import NotFound, RuleViolation, Unauthenticated
from leafledger.domain.models import Facility
from leafledger.domain.models.base import fits
from leafledger.domain.queries.base import Complete

if TYPE_CHECKING:
    from leafledger.dialects.kit.call import Call


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
    if not fits(model.id, object_id):
        raise NotFound(f"No {what} {object_id} was found.")
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


def load_all_by_key(
    session: Session,
    model: type[T],
    column: InstrumentedAttribute[Any],
    values: Sequence[object],
    facility: Facility,
    what: str,
) -> list[T]:
    """The `model` rows whose `column` is each of `values`, in their order (a value given
    twice gives its row twice), each owned by `facility`, in one statement."""
    wanted = list(dict.fromkeys(values))
    if not wanted:
        return []
    found = {
        getattr(row, column.key): row
        for row in session.scalars(select(model).where(column.in_(wanted)))
    }
    return [_owned(found.get(value), facility, what, value) for value in values]


def _completed(session: Session, complete: Complete | None, row: Any) -> Any:
    return row if complete is None else complete(session, [row])[0]


@dataclass(frozen=True)
class ById:
    """The facility's `model` row whose id is the path parameter `param`; `complete`, when
    given, is the list's completing step (domain/queries), so one object reads as a page does."""

    model: type[Any]
    what: str
    param: str = "id"
    complete: Complete | None = None

    def __call__(self, call: Call) -> Any:
        row = load_by_id(
            call.session, self.model, int(call.path_params[self.param]), call.facility, self.what
        )
        return _completed(call.session, self.complete, row)


@dataclass(frozen=True)
class ByKey:
    """The facility's `model` row whose `column` (a label) is the path parameter `param`."""

    model: type[Any]
    column: str
    what: str
    param: str = "label"
    complete: Complete | None = None

    def __call__(self, call: Call) -> Any:
        value = str(call.path_params[self.param]).strip()
        column = getattr(self.model, self.column)
        row = load_by_key(call.session, self.model, column, value, call.facility, self.what)
        return _completed(call.session, self.complete, row)


@dataclass(frozen=True)
class ByQuery:
    """The facility's `model` row whose id is the query parameter `param`, which is required
    (`GET /labtests/v2/results?packageId=`): a list about one row loads it as a path id is
    loaded. `openapi_parameters` describes the parameter for the row's OpenAPI operation."""

    model: type[Any]
    what: str
    param: str

    def __call__(self, call: Call) -> Any:
        object_id = parse_positive_int(self.param, call.query.get(self.param))
        if object_id is None:
            raise RuleViolation(f"{self.param} (the {self.what}'s id) is required.")
        return load_by_id(call.session, self.model, object_id, call.facility, self.what)

    def openapi_parameters(self) -> list[dict[str, Any]]:
        schema = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
        return [{"name": self.param, "in": "query", "required": True, "schema": schema}]
