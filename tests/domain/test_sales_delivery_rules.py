"""The rules of sales deliveries that need no database: sales times, which states may change,
return reasons and payment types (the rest: tests/metrc/test_sales_deliveries.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import Facility, SalesDelivery
from leafledger.domain.models.sales_delivery import COMPLETED, IN_PROGRESS, IN_TRANSIT, VOIDED
from leafledger.domain.services import sales_deliveries as service

NOW = datetime(2024, 3, 6, 12, tzinfo=UTC)


def test_a_sales_time_without_offset_is_the_facility_s_wall_clock() -> None:
    facility = Facility(timezone="America/Denver")
    local = service.local_moment(facility, datetime(2024, 3, 6, 10, 10, 19))
    assert local == datetime(2024, 3, 6, 17, 10, 19, tzinfo=UTC)
    summer = service.local_moment(facility, datetime(2024, 7, 6, 10, 0))
    assert summer == datetime(2024, 7, 6, 16, 0, tzinfo=UTC)
    assert service.local_moment(facility, NOW) == NOW  # an instant stays itself
    assert service.local_moment(facility, None) is None


@pytest.mark.parametrize(
    ("columns", "words"),
    [
        ({"state": IN_TRANSIT, "departed_at": NOW}, "departed"),
        ({"state": IN_PROGRESS, "hub_accepted_at": NOW}, "accepted by its hub"),
        ({"state": COMPLETED}, "completed"),
        ({"state": VOIDED}, "voided"),
    ],
)
def test_only_an_undeparted_delivery_changes(columns: dict[str, Any], words: str) -> None:
    delivery = SalesDelivery(id=7, **columns)
    with pytest.raises(RuleViolation, match=words):
        service.changeable(delivery)


def test_an_undeparted_delivery_changes() -> None:
    delivery = SalesDelivery(id=7, state=IN_PROGRESS)
    assert service.changeable(delivery) is delivery


@pytest.mark.parametrize(
    ("reason", "note", "field"),
    [
        (None, None, "reason"),
        ("Boredom", None, "reason"),
        ("Other", "  ", "reason_note"),
        ("Damaged in Transit", None, "reason_note"),
    ],
)
def test_a_return_needs_a_listed_reason_and_its_note(
    reason: str | None, note: str | None, field: str
) -> None:
    with pytest.raises(RuleViolation) as refused:
        service._reason(reason, ("returned_packages", 0), note)
    assert refused.value.field == ("returned_packages", 0, field)


def test_a_return_reason_is_spelled_as_listed() -> None:
    assert service._reason(" spoilage ", ("x",), None) == ("Spoilage", None)
    assert service._reason("other", ("x",), "lost") == ("Other", "lost")


def test_payment_types_come_from_the_list() -> None:
    assert service._payment_type("cash", "payment_type", required=False) == "Cash"
    assert service._payment_type(None, "payment_type", required=False) is None
    with pytest.raises(RuleViolation):
        service._payment_type("Gold", "payment_type", required=False)
    with pytest.raises(RuleViolation):
        service._payment_type(" ", "payment_type", required=True)
