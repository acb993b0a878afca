"""Body schemas: PascalCase names, exact decimals, row-indexed errors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from leafledger.dialects.kit.bodies import validate
from leafledger.dialects.kit.endpoint import Body, Endpoint
from leafledger.dialects.kit.errors import RequestError
from leafledger.dialects.kit.json_body import parse_body as _parse_body
from leafledger.dialects.metrc.bodies import MetrcBody
from leafledger.domain.errors import RuleViolation


class Planting(MetrcBody):
    plant_batch_name: str
    count: int
    quantity: Decimal
    unit_thc_a_percent: Decimal | None = None
    actual_date: date


def parse_objects(model: type[Planting], objects: list[Any]) -> list[Planting]:
    """Each object as `model`, errors naming its row, as the kit reads an array body."""
    return [validate(model, obj, row) for row, obj in enumerate(objects)]


ROW = Endpoint("T", "UNIVERSAL", "v2", "POST", "/t/v2/", (), body=Body.ARRAY)


def test_numbers_in_bodies_arrive_as_exact_decimals() -> None:
    raw = (
        b'[{"PlantBatchName": " B1 ", "Count": 3, "Quantity": 0.1,'
        b' "UnitThcAPercent": 20.123456789012345678, "ActualDate": "2026-11-24", "Extra": 1}]'
    )
    (planting,) = parse_objects(Planting, _parse_body(ROW, raw))
    assert planting.quantity == Decimal("0.1")
    assert planting.unit_thc_a_percent == Decimal("20.123456789012345678")
    assert planting.plant_batch_name == "B1"
    assert planting.actual_date == date(2026, 11, 24)


@pytest.mark.parametrize("raw", [b'[{"Quantity": NaN}]', b'[{"Quantity": Infinity}]'])
def test_non_numbers_are_refused(raw: bytes) -> None:
    with pytest.raises(RequestError) as caught:
        _parse_body(ROW, raw)
    assert caught.value.status == 400


def test_errors_name_the_row_and_the_wire_field() -> None:
    good = {"PlantBatchName": "B1", "Count": 1, "Quantity": 1, "ActualDate": "2026-11-24"}
    with pytest.raises(RuleViolation) as missing:
        parse_objects(Planting, [good, {k: v for k, v in good.items() if k != "Count"}])
    assert missing.value.row == 1
    assert missing.value.message == "Count: is required"
    with pytest.raises(RuleViolation) as wrong:
        parse_objects(Planting, [{**good, "ActualDate": "yesterday"}])
    assert wrong.value.row == 0
    assert wrong.value.message.startswith("ActualDate: ")
