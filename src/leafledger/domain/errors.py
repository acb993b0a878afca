"""Domain errors. They carry no HTTP status: each dialect maps them to its own wire format.

A rule violation may name the field of the command it refuses (`field`, a domain name such as
"count" or ("ingredients", 0, "weight")). Its message then says `{field}` where that field's
name belongs; each dialect puts its own wire name there (`PlantCount` for Metrc, `plant_count`
for Trace), and `str()` puts the domain name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

FieldPath = tuple[str | int, ...]
PLACEHOLDER = "{field}"


class LedgerError(Exception):
    """Base class of every error the domain raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def field_path(field: str | FieldPath | None) -> FieldPath | None:
    if field is None:
        return None
    return tuple(field.split(".")) if isinstance(field, str) else field


def domain_field_name(path: FieldPath) -> str:
    """A field path in domain words: ingredients[0].weight."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


class RuleViolation(LedgerError):
    """A request broke a business rule; `row` names the offending object of a bulk body and
    `field`, when given, the command field at fault."""

    def __init__(
        self, message: str, row: int | None = None, field: str | FieldPath | None = None
    ) -> None:
        self.template = message
        self.field = field_path(field)
        super().__init__(self.worded(domain_field_name))
        self.row = row

    def worded(self, name_of: Callable[[FieldPath], str]) -> str:
        """The message with the field's name as `name_of` spells it (a dialect's wire name)."""
        if self.field is None:
            return self.template
        name = name_of(self.field)
        if PLACEHOLDER in self.template:
            return self.template.replace(PLACEHOLDER, name)
        return f"{name}: {self.template}"

    def at_row(self, row: int) -> RuleViolation:
        """The same violation, attributed to object `row` of a bulk request."""
        return RuleViolation(self.template, row=row, field=self.field)

    def refiled(
        self,
        where: Mapping[str, FieldPath],
        inside: FieldPath | None = None,
        below: Mapping[str, str] | None = None,
    ) -> RuleViolation:
        """The same violation, its field named as a part of a larger command: a service
        applied to one part of it (the plants of a harvest, say) names its own fields, and
        `where` tells where each of them sits in the larger command (`{"weight": ("plants",
        2, "weight")}`). Fields `where` does not list stay as they are; or, given `inside`
        (the place in the larger command of all the service was asked), they are filed inside
        it, and a fault naming no field is filed at `inside` itself. `below` renames the parts
        of a field below its head (a package service's `weight` of an ingredient is the
        `quantity` of a lot's source)."""
        if self.field is None:
            return RuleViolation(self.template, row=self.row, field=inside) if inside else self
        head, *rest = self.field
        if isinstance(head, str) and head in where:
            moved = where[head]
        elif inside is not None:
            moved = (*inside, head)
        else:
            return self
        names = below or {}
        renamed = (names.get(part, part) if isinstance(part, str) else part for part in rest)
        return RuleViolation(self.template, row=self.row, field=(*moved, *renamed))


class NotFound(LedgerError):
    """The named object does not exist (or is not visible to the caller)."""


class Unauthenticated(LedgerError):
    """Credentials are missing or wrong, or the licence is not the caller's."""


class Forbidden(LedgerError):
    """The caller is known but lacks a permission the operation needs."""


class Conflict(LedgerError):
    """The object exists already (a duplicate key, a key reused)."""
