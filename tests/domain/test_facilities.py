"""Facilities take their capability flags from the licence-type preset."""

from __future__ import annotations

import pytest

from leafledger.domain.actor import CLI
from leafledger.domain.errors import Conflict, RuleViolation
from leafledger.domain.facility_types import canonical_license_type, license_types
from leafledger.domain.services.facilities import create_facility
from leafledger.store import Store
from tests.conftest import unique


def test_presets_cover_the_five_licence_types() -> None:
    assert license_types() == [
        "Cultivator",
        "Manufacturer",
        "Dispensary",
        "Testing Lab",
        "Distributor",
    ]
    assert canonical_license_type("Retailer") == "Dispensary"
    with pytest.raises(ValueError, match="unknown licence type"):
        canonical_license_type("Spaceport")


@pytest.mark.parametrize(
    ("license_type", "capability", "expected"),
    [
        ("Cultivator", "CanGrowPlants", True),
        ("Dispensary", "CanGrowPlants", False),
        ("Dispensary", "CanSellToConsumers", True),
        ("Cultivator", "CanSellToConsumers", False),
        ("Testing Lab", "CanTestPackages", True),
        ("Manufacturer", "CanInfuseProducts", True),
        ("Distributor", "CanGrowPlants", False),
    ],
)
def test_capabilities_follow_the_licence_type(
    store: Store, license_type: str, capability: str, expected: bool
) -> None:
    with store.transaction() as session:
        facility = create_facility(
            session,
            CLI,
            license_number=unique("LIC"),
            name=unique("F"),
            state_code="CO",
            license_type=license_type,
        )
        assert facility.can(capability) is expected


def test_bad_facility_input_is_refused(store: Store) -> None:
    taken = unique("LIC")
    with store.transaction() as session:
        create_facility(
            session,
            CLI,
            license_number=taken,
            name="First",
            state_code="CO",
            license_type="Cultivator",
        )
    cases = [
        {"license_number": taken, "state_code": "CO", "license_type": "Cultivator"},
        {"license_number": unique("LIC"), "state_code": "Colorado", "license_type": "Cultivator"},
        {"license_number": unique("LIC"), "state_code": "CO", "license_type": "Spaceport"},
        {"license_number": " ", "state_code": "CO", "license_type": "Cultivator"},
    ]
    for case in cases:
        with store.transaction() as session, pytest.raises((RuleViolation, Conflict)):
            create_facility(session, CLI, name="Second", **case)
    with store.transaction() as session, pytest.raises(RuleViolation, match="time zone"):
        create_facility(
            session,
            CLI,
            license_number=unique("LIC"),
            name="Third",
            state_code="CO",
            license_type="Cultivator",
            timezone="Mars/Olympus",
        )
