"""Commands made of parts: one request, several applications of a service.

A Trace write may carry several parts of one kind (the plants cut into a harvest, the
destructions of a plant batch) and each part is applied by an existing service, which names
the fields it refuses in its own command's words. `within` files such a fault under the part
(`plants[2].weight`), so the dialect can name the field the request sent.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from leafledger.domain.errors import FieldPath, RuleViolation

P = TypeVar("P")


def values_of(part: Any, *leaving: str) -> dict[str, Any]:
    """A part's fields (a dataclass), but those named in `leaving`, by name."""
    return {
        field.name: getattr(part, field.name)
        for field in dataclasses.fields(part)
        if field.name not in leaving
    }


@contextmanager
def within(where: FieldPath, part: Any, renamed: Mapping[str, str] | None = None) -> Iterator[None]:
    """Faults raised inside the block about one of `part`'s fields are filed under `where`
    (the part's place in the larger command); `renamed` maps a service's own name for a field
    to the part's ("group_name" -> "name")."""
    try:
        yield
    except RuleViolation as exc:
        where_each: dict[str, FieldPath] = {
            field.name: (*where, field.name) for field in dataclasses.fields(part)
        }
        for service_name, part_name in (renamed or {}).items():
            where_each[service_name] = (*where, part_name)
        raise exc.refiled(where_each) from None


def each(parts: Sequence[P], field: str, what: str, apply: Callable[[P], object]) -> None:
    """`apply` to every part of the command field `field`, in order; a command must carry at
    least one (`what` names one in the refusal). Each part's faults are filed under it."""
    if not parts:
        raise RuleViolation(f"Give at least one {what}.", field=field)
    for index, part in enumerate(parts):
        with within((field, index), part):
            apply(part)
