"""Turning domain records into Metrc's PascalCase JSON objects."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from enum import Enum
from typing import Any

# Words Metrc writes in capitals inside a field name.
_ACRONYMS = {"pdf": "PDF", "rta": "RTA"}
# Field names Metrc spells against its own rule.
_IRREGULAR = {"max_days_to_reach_min_sources": "MaxDaystoReachMinSources"}


def pascal_name(snake: str) -> str:
    """requires_unit_cbd_a_percent -> RequiresUnitCbdAPercent; requires_pdf_document -> ...PDF..."""
    if snake in _IRREGULAR:
        return _IRREGULAR[snake]
    return "".join(_ACRONYMS.get(word, word[:1].upper() + word[1:]) for word in snake.split("_"))


_WIRE_NAMES: dict[type, tuple[tuple[str, str], ...]] = {}


def _wire_names(cls: type) -> tuple[tuple[str, str], ...]:
    """(field, wire name) pairs of a dataclass, worked out once per class."""
    names = _WIRE_NAMES.get(cls)
    if names is None:
        names = tuple((f.name, pascal_name(f.name)) for f in dataclasses.fields(cls))
        _WIRE_NAMES[cls] = names
    return names


def wire_value(value: Any) -> Any:
    """A domain value as JSON: enums by value, datetimes in ISO 8601, tuples as arrays."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [wire_value(v) for v in value]
    return value


def pascal_record(record: Any) -> dict[str, Any]:
    """A frozen dataclass as a Metrc object: every field, PascalCase, in declaration order."""
    return {wire: wire_value(getattr(record, name)) for name, wire in _wire_names(type(record))}
