"""Commands made of parts: one request, several applications of a service.

A Trace write may carry several parts of one kind (the plants cut into a harvest, the
destructions of a plant batch) and each part is applied by an existing service, which names
the fields it refuses in its own command's words. `within` files such a fault under the part
(`plants[2].weight`), so the dialect can name the field the request sent; `filed` does the
same for a service applied to the whole command or a larger part of it (a lot's sources).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, TypeVar

from leafledger.domain.errors import FieldPath, NotFound, RuleViolation

P = TypeVar("P")


def values_of(part: Any, *leaving: str) -> dict[str, Any]:
    """A part's fields (a dataclass), but those named in `leaving`, by name."""
    return {
        field.name: getattr(part, field.name)
        for field in dataclasses.fields(part)
        if field.name not in leaving
    }


@contextmanager
def filed(
    where: Mapping[str, FieldPath],
    inside: FieldPath | None = None,
    below: Mapping[str, str] | None = None,
    not_found: FieldPath | None = None,
) -> Iterator[None]:
    """Faults raised inside the block are filed where the larger command has their fields
    (`RuleViolation.refiled(where, inside, below)`). Given `not_found`, a reference the
    service cannot find is the caller's mistake about that field: a rule violation there
    (`()`: about no field in particular)."""
    try:
        yield
    except RuleViolation as exc:
        raise exc.refiled(where, inside, below) from None
    except NotFound as exc:
        if not_found is None:
            raise
        raise RuleViolation(exc.message, field=not_found or None) from None


def within(
    where: FieldPath, part: Any, renamed: Mapping[str, str] | None = None
) -> AbstractContextManager[None]:
    """Faults raised inside the block about one of `part`'s fields are filed under `where`
    (the part's place in the larger command); `renamed` maps a service's own name for a field
    to the part's ("group_name" -> "name")."""
    where_each: dict[str, FieldPath] = {
        field.name: (*where, field.name) for field in dataclasses.fields(part)
    }
    for service_name, part_name in (renamed or {}).items():
        where_each[service_name] = (*where, part_name)
    return filed(where_each)


def each(parts: Sequence[P], field: str, what: str, apply: Callable[[P], object]) -> None:
    """`apply` to every part of the command field `field`, in order; a command must carry at
    least one (`what` names one in the refusal). Each part's faults are filed under it."""
    if not parts:
        raise RuleViolation(f"Give at least one {what}.", field=field)
    for index, part in enumerate(parts):
        with within((field, index), part):
            apply(part)
