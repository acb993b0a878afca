"""Trace reference ids: by state, by number or by name."""

from __future__ import annotations

import pytest

from leafledger.dialects.trace.codes import CodeList, Entry


def test_reference_ids_by_state_number_or_name() -> None:
    codes = CodeList(
        "phase", "PGP", (Entry("vegetative", "Vegetative"), Entry("flowering", "Flowering"))
    )
    assert codes.id_of("co", 2) == "COPGP0002"
    assert codes.ref("il", "Flowering") == {"id": "ILPGP0002", "name": "flowering"}
    for named in (
        {"id": "COPGP0002"},
        {"id": "copgp0002"},
        {"id": 2},
        {"id": "2"},
        {"name": "Flowering"},
    ):
        assert codes.value_of(named, "co") == "Flowering"
    for wrong in ({"id": "CAPGP0002"}, {"id": "COPGP0003"}, {"name": "mother"}, {}):
        with pytest.raises(ValueError, match="COPGP0001"):
            codes.value_of(wrong, "co")
    every_state = CodeList("action", "KMHAN", (Entry("move", "move"),), per_state=False)
    assert every_state.listing("ca") == [{"id": "KMHAN0001", "name": "move"}]
    assert every_state.value_of({"id": "KMHAN0001"}, "co") == "move"
