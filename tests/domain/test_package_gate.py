"""The one answer to "may this package be sold or transferred?", without a database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import Package
from leafledger.domain.reference import LAB_TEST_STATES
from leafledger.domain.services.package_gate import (
    LEAVING_LAB_STATES,
    may_leave,
    require_may_leave,
)

TODAY = date(2024, 3, 1)


def package(**changes: Any) -> Package:
    """A package that may leave: active, tested and passed, holding 10 g; `changes` apply."""
    values: dict[str, Any] = {
        "label": "1A4GATE",
        "package_type": "Product",
        "quantity": Decimal(10),
        "unit_of_measure_name": "Grams",
        "archived_date": None,
        "finished_date": None,
        "is_on_hold": False,
        "is_testing_sample": False,
        "product_requires_remediation": False,
        "product_requires_decontamination": False,
        "lab_testing_state": "TestPassed",
    }
    return Package(**{**values, **changes})


def test_an_active_tested_package_with_stock_may_leave() -> None:
    clearance = may_leave(package())
    assert clearance.allowed and clearance.refusals == ()
    require_may_leave(package())


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"archived_date": TODAY}, "discontinued"),
        ({"finished_date": TODAY, "quantity": Decimal(0)}, "finished"),
        ({"is_on_hold": True}, "on hold"),
        ({"quantity": Decimal(0)}, "empty"),
        ({"is_testing_sample": True}, "a lab sample"),
        ({"product_requires_remediation": True}, "requires remediation"),
        ({"product_requires_decontamination": True}, "requires decontamination"),
    ],
)
def test_each_condition_keeps_a_package_in(changes: dict[str, Any], reason: str) -> None:
    clearance = may_leave(package(**changes))
    assert not clearance.allowed
    assert any(reason in refusal for refusal in clearance.refusals), clearance.refusals
    with pytest.raises(RuleViolation, match=reason):
        require_may_leave(package(**changes))


def test_only_passed_not_required_or_validated_lab_states_let_a_package_leave() -> None:
    leaving = {"TestPassed", "RetestPassed", "NotRequired", "ProcessValidated"}
    assert set(LEAVING_LAB_STATES) == leaving
    assert leaving <= set(LAB_TEST_STATES)
    for state in LAB_TEST_STATES:
        clearance = may_leave(package(lab_testing_state=state))
        assert clearance.allowed is (state in LEAVING_LAB_STATES), state
    # Treated after a failure, a package must be tested again.
    for state in ("Remediated", "Decontaminated", "NotSubmitted", "TestFailed"):
        assert not may_leave(package(lab_testing_state=state)).allowed


def test_packages_of_living_plants_are_not_held_back_by_lab_testing() -> None:
    plants = package(package_type="ImmaturePlant", lab_testing_state="NotSubmitted")
    assert may_leave(plants).allowed
    assert not may_leave(package(package_type="Product", lab_testing_state="NotSubmitted")).allowed


def test_every_reason_is_reported_and_the_refusal_names_the_field() -> None:
    held = package(is_on_hold=True, quantity=Decimal(0), lab_testing_state="TestFailed")
    assert len(may_leave(held).refusals) == 3
    with pytest.raises(RuleViolation) as raised:
        require_may_leave(held, field="package_label")
    assert raised.value.field == ("package_label",)
    assert "on hold" in raised.value.message and "TestFailed" in raised.value.message
