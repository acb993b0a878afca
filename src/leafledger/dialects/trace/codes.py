"""Trace's reference ids: the ids of the types, actions and phases a body names.

A list kept per state has ids `<STATE><code><nnnn>` (`COPBT0001`: the first plant batch type,
in Colorado), as Trace's samples show (`ILPBT0001`, `CALOC0001`); a list the same in every
state has `<code><nnnn>` (`KMHAN0006`). The number is the entry's place in its list, from 1,
and never changes: entries are only ever added at the end.

A body names an entry by `{"id": ...}` (the id, or its bare number: "2", 2), by
`{"name": ...}`, or by the id or the name alone; an id of another state than the facility's
is refused. Each list is served
by a helper endpoint (`listing`), and resolving an entry gives what it stands for in the
ledger (`Entry.value`: "Seed", "Product", "move"...). A list is the annotation of the body
fields that name its entries (`Annotated[str, PLANT_BATCH_TYPES]`): they read as the value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler, ValidationInfo
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema


@dataclass(frozen=True)
class Entry:
    name: str  # its Trace name: "seed", "manicure_harvest", "move"
    value: str  # what it stands for in the ledger: "Seed", "Product", "move"
    description: str | None = None


def entries(*names: str) -> tuple[Entry, ...]:
    """Entries whose Trace name is also their ledger value."""
    return tuple(Entry(name, name) for name in names)


def actions(*described: tuple[str, str]) -> tuple[Entry, ...]:
    """Entries of (name, what it does), whose name is also their ledger value."""
    return tuple(Entry(name, name, description) for name, description in described)


_REF_SCHEMA = {
    "type": ["object", "string"],
    "properties": {"id": {"type": "string"}, "name": {"type": "string"}},
}


@dataclass(frozen=True)
class CodeList:
    what: str  # its entries' name in messages: "plant batch type"
    code: str  # "PBT"; a list the same in every state has its full prefix here ("KMHAN")
    entries: tuple[Entry, ...]
    per_state: bool = True

    def id_of(self, state: str | None, number: int) -> str:
        prefix = f"{(state or '').upper()}{self.code}" if self.per_state else self.code
        return f"{prefix}{number:04d}"

    def ref(self, state: str, value: str | None) -> dict[str, str] | None:
        """`{"id", "name"}` of the entry standing for `value`, or None."""
        for number, entry in enumerate(self.entries, 1):
            if entry.value == value:
                return {"id": self.id_of(state, number), "name": entry.name}
        return None

    def listing(self, state: str) -> list[dict[str, str]]:
        """The list as its helper endpoint answers it."""
        listed = []
        for number, entry in enumerate(self.entries, 1):
            item = {"id": self.id_of(state, number), "name": entry.name}
            if entry.description is not None:
                item["description"] = entry.description
            listed.append(item)
        return listed

    def _known(self, state: str | None) -> str:
        return ", ".join(
            f"{self.id_of(state, number)} ({entry.name})"
            for number, entry in enumerate(self.entries, 1)
        )

    def value_of(self, ref: Any, state: str | None) -> str:
        """What the entry `ref` names stands for; a ValueError names the known ids."""
        raw_id, raw_name = ref, None
        if isinstance(ref, dict):
            raw_id, raw_name = ref.get("id"), ref.get("name")
        text = "" if raw_id is None or isinstance(raw_id, bool) else str(raw_id).strip()
        if text:
            prefix = "(?:(?P<state>[A-Za-z]{2})?" if self.per_state else "(?:(?P<state>)"
            pattern = rf"^{prefix}{re.escape(self.code)})?0*(?P<number>\d+)$"
            match = re.match(pattern, text, re.IGNORECASE)
            if match and (not match["state"] or not state or match["state"].lower() == state):
                number = int(match["number"])
                if 1 <= number <= len(self.entries):
                    return self.entries[number - 1].value
            if not isinstance(ref, str):
                raise ValueError(f"unknown {self.what} {text!r}; use one of: {self._known(state)}")
            raw_name = ref  # a bare text that is no id of the list: the entry's name
        if isinstance(raw_name, str) and raw_name.strip():
            wanted = raw_name.strip().casefold()
            for entry in self.entries:
                if wanted in (entry.name.casefold(), entry.value.casefold()):
                    return entry.value
            raise ValueError(
                f"unknown {self.what} {raw_name.strip()!r}; use one of: {self._known(state)}"
            )
        raise ValueError(f"give the {self.what}'s id; one of: {self._known(state)}")

    def _read(self, value: Any, info: ValidationInfo) -> str:
        facility = (info.context or {}).get("facility")
        return self.value_of(value, None if facility is None else facility.state_code.lower())

    def __get_pydantic_core_schema__(
        self, _source: Any, _handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        """As a field's annotation: the field reads the entry a body names, as its value."""
        return core_schema.with_info_plain_validator_function(self._read)

    def __get_pydantic_json_schema__(
        self, _schema: CoreSchema, _handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return dict(_REF_SCHEMA)
