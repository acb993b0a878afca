"""The commands that let an operator serve patients: capability flags of one facility, and the
caregivers designated for its patients."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from leafledger.app import create_app
from leafledger.store import Store
from tests.conftest import TEST_SETTINGS
from tests.test_cli import Cli, add_facility


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(f"sqlite:///{tmp_path / 'cli.db'}")


def test_capability_flags_are_turned_on_and_off_for_one_facility(cli: Cli) -> None:
    add_facility(cli, "SHOP-1", "Dispensary")
    add_facility(cli, "SHOP-2", "Dispensary")
    shown = cli.json("facility", "capabilities", "--license-number", "SHOP-1")
    assert "CanSellToConsumers" in shown["enabled"] and "CanSellToPatients" not in shown["enabled"]
    changed = cli.json(
        "facility", "capabilities", "--license-number", "SHOP-1",
        "--enable", "cansellTOpatients", "--enable", "CanSellToCaregivers",
        "--disable", "CanSellToConsumers",
    )  # fmt: skip
    assert {"CanSellToPatients", "CanSellToCaregivers"} <= set(changed["enabled"])
    assert "CanSellToConsumers" not in changed["enabled"]
    other = cli.json("facility", "capabilities", "--license-number", "SHOP-2")
    assert "CanSellToPatients" not in other["enabled"]  # the preset is left as it is
    human = cli.ok("facility", "capabilities", "--license-number", "SHOP-1").stdout
    assert human.startswith("SHOP-1: ") and "CanSellToPatients" in human
    assert "unknown capability flag" in cli.fails(
        "facility", "capabilities", "--license-number", "SHOP-1", "--enable", "CanFly"
    )
    assert "no facility" in cli.fails("facility", "capabilities", "--license-number", "NOPE")


def test_caregivers_are_designated_and_released(cli: Cli) -> None:
    add_facility(cli, "SHOP-1", "Dispensary")
    cli.ok(
        "facility", "capabilities", "--license-number", "SHOP-1",
        "--enable", "CanSellToPatients", "--enable", "CanSellToCaregivers",
    )  # fmt: skip
    user = cli.json(
        "user", "add", "--name", "Clerk", "--employee-license", "EMP-1",
        "--facility", "SHOP-1", "--all-permissions",
    )  # fmt: skip
    vendor = cli.json("integrator", "add", "Acme POS")["vendor_key"]
    store = Store(cli.url)
    with TestClient(create_app(store, TEST_SETTINGS)) as api:
        patients = [
            {
                "LicenseNumber": licence,
                "LicenseEffectiveStartDate": "2024-01-01",
                "LicenseEffectiveEndDate": "2030-12-31",
            }
            for licence in ("P-1", "P-2")
        ]
        response = api.post(
            "/patients/v2/",
            params={"licenseNumber": "SHOP-1"},
            json=patients,
            auth=(vendor, user["user_key"]),
        )
        assert response.status_code == 200, response.text
    store.dispose()
    added = cli.json(
        "caregiver", "add", "--facility", "SHOP-1", "--caregiver", "CG-1",
        "--patient", "P-1", "--patient", "P-2",
    )  # fmt: skip
    assert added == {
        "license_number": "SHOP-1",
        "caregiver": "CG-1",
        "active": True,
        "patients": ["P-1", "P-2"],
    }
    assert "already" in cli.fails(
        "caregiver", "add", "--facility", "SHOP-1", "--caregiver", "CG-1", "--patient", "P-1"
    )
    assert "No active patient" in cli.fails(
        "caregiver", "add", "--facility", "SHOP-1", "--caregiver", "CG-1", "--patient", "P-9"
    )
    released = cli.ok(
        "caregiver", "remove", "--facility", "SHOP-1", "--caregiver", "CG-1",
        "--patient", "P-1", "--patient", "P-2",
    )  # fmt: skip
    assert released.stdout.strip() == "Caregiver CG-1 at SHOP-1: nobody."
