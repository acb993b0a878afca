"""What Trace histories and writes are built from, in the domain: standings and parts."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from leafledger.domain.errors import RuleViolation
from leafledger.domain.queries.history import (
    ACTIVE_OR_ARCHIVED,
    HARVESTS,
    PLANT_BATCHES,
    PLANTS,
    STRAINS,
)
from leafledger.domain.services.parts import each, values_of, within


def _standing(standings: object, **columns: object) -> str:
    return standings.of(columns.get)  # type: ignore[attr-defined, no-any-return]


def test_standings_are_read_from_columns() -> None:
    assert _standing(ACTIVE_OR_ARCHIVED, active=True) == "active"
    assert _standing(ACTIVE_OR_ARCHIVED, active=False) == "archived"
    assert _standing(STRAINS, active=True, testing_status="InHouse") == "in_house_tested"
    assert _standing(STRAINS, active=False, testing_status="InHouse") == "archived"
    assert _standing(PLANTS, state="Tracked", growth_phase="Flowering") == "flowering"
    assert _standing(PLANTS, state="Harvested", growth_phase="Flowering") == "flowering"
    assert _standing(PLANTS, state="HarvestedFully", growth_phase="Flowering") == "harvested"
    assert _standing(PLANTS, state="Destroyed", growth_phase="Vegetative") == "destroyed"
    assert _standing(PLANT_BATCHES, active=False) == "closed"
    assert _standing(HARVESTS, finished_date="2024-01-01", archived_date=None) == "finished"
    assert _standing(HARVESTS, finished_date=None, archived_date="2024-01-01") == "archived"


def test_changes_are_worded_by_where_they_lead_or_come_from() -> None:
    assert ACTIVE_OR_ARCHIVED.change(None, "active") == "created"
    assert ACTIVE_OR_ARCHIVED.change("active", "archived") == "archived"
    assert ACTIVE_OR_ARCHIVED.change("archived", "active") == "restored"
    assert PLANTS.change("vegetative", "flowering") == "changed to flowering"
    assert PLANTS.change("flowering", "harvested") == "harvested"
    assert PLANTS.change("harvested", "flowering") == "restored"
    assert HARVESTS.change("finished", "active") == "unfinished"


@dataclass(frozen=True)
class Cut:
    weight: int
    unit: str


def test_faults_of_a_part_are_filed_under_it() -> None:
    cut = Cut(0, "g")
    with pytest.raises(RuleViolation) as raised, within(("plants", 2), cut):
        raise RuleViolation("{field} must be more than zero.", field="weight")
    assert raised.value.field == ("plants", 2, "weight")
    with pytest.raises(RuleViolation) as raised, within(("plants", 2), cut):
        raise RuleViolation("The harvest is finished.", field="harvest_name")
    assert raised.value.field == ("harvest_name",)  # not a field of the part: left as it is
    with pytest.raises(RuleViolation) as raised, within((), cut, {"new_name": "unit"}):
        raise RuleViolation("taken", field="new_name")
    assert raised.value.field == ("unit",)
    assert values_of(cut, "unit") == {"weight": 0}


def test_each_part_in_turn_and_at_least_one() -> None:
    seen: list[int] = []
    each([Cut(1, "g"), Cut(2, "g")], "plants", "plant", lambda part: seen.append(part.weight))
    assert seen == [1, 2]
    with pytest.raises(RuleViolation) as raised:
        each([], "plants", "plant", seen.append)
    assert raised.value.field == ("plants",) and "at least one plant" in raised.value.message
