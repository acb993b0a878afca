"""Licence-type presets: the capability flags each kind of facility starts with.

The flags come from real sandbox facilities (domain/data/facility_types.json); a facility keeps its
own copy, so an operator can later change one facility without touching the preset.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

# Accepted spellings on the CLI and in the admin API, mapped to the preset name.
ALIASES = {
    "cultivator": "Cultivator",
    "cultivation": "Cultivator",
    "manufacturer": "Manufacturer",
    "dispensary": "Dispensary",
    "retailer": "Dispensary",
    "testing lab": "Testing Lab",
    "testinglab": "Testing Lab",
    "lab": "Testing Lab",
    "distributor": "Distributor",
}


@cache
def _presets() -> dict[str, dict[str, Any]]:
    text = resources.files("leafledger.domain").joinpath("data/facility_types.json").read_text()
    data: dict[str, dict[str, Any]] = json.loads(text)
    return data


def license_types() -> list[str]:
    return list(_presets())


def canonical_license_type(name: str) -> str:
    """The preset name for `name`, or ValueError listing the accepted ones."""
    found = ALIASES.get(name.strip().lower())
    if found is None:
        accepted = ", ".join(license_types())
        raise ValueError(f"unknown licence type {name!r}; use one of: {accepted}")
    return found


def capabilities_for(license_type: str) -> dict[str, Any]:
    return dict(_presets()[canonical_license_type(license_type)]["flags"])


def location_types_for(license_type: str) -> list[str]:
    return list(_presets()[canonical_license_type(license_type)]["location_types"])


@cache
def capability_flags() -> frozenset[str]:
    """Every yes/no capability flag a preset carries (IsMedical, CanGrowPlants, ...)."""
    return frozenset(
        name
        for preset in _presets().values()
        for name, value in preset["flags"].items()
        if isinstance(value, bool)
    )
