"""Units of measure: lookup, exact conversions, refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leafledger.domain.errors import RuleViolation
from leafledger.domain.units import (
    BASE_UNITS,
    PRECISION,
    UNITS,
    QuantityType,
    UnitOfMeasure,
    active_units,
    convert,
    find_unit,
    get_unit,
    inactive_units,
    to_base,
)

quantities = st.decimals(
    min_value=Decimal("-1000000000"),
    max_value=Decimal("1000000000"),
    places=6,
    allow_nan=False,
    allow_infinity=False,
)
units = st.sampled_from(UNITS)


def same_type_pairs() -> st.SearchStrategy[tuple[UnitOfMeasure, UnitOfMeasure]]:
    return units.flatmap(
        lambda a: st.tuples(
            st.just(a), st.sampled_from([u for u in UNITS if u.quantity_type is a.quantity_type])
        )
    )


def cross_type_pairs() -> st.SearchStrategy[tuple[UnitOfMeasure, UnitOfMeasure]]:
    return units.flatmap(
        lambda a: st.tuples(
            st.just(a),
            st.sampled_from([u for u in UNITS if u.quantity_type is not a.quantity_type]),
        )
    )


@pytest.mark.parametrize(
    ("quantity", "source", "target", "expected"),
    [
        ("1", "Pounds", "Grams", "453.59237"),
        ("1", "Ounces", "Grams", "28.349523125"),
        ("1", "Kilograms", "Grams", "1000"),
        ("1", "Grams", "Milligrams", "1000"),
        ("1", "Pounds", "Ounces", "16"),
        ("2.5", "kg", "lb", "5.51155655462193951807434503363"),  # 2500 / 453.59237, 30 digits
        ("1", "Tonns", "Kilograms", "1000"),
        ("1", "Liters", "Milliliters", "1000"),
        ("1", "Gallons", "Liters", "3.785411784"),
        ("1", "Gallons", "Quarts", "4"),
        ("1", "Quarts", "Pints", "2"),
        ("1", "Pints", "Fluid Ounces", "16"),
        ("128", "fl oz", "gal", "1"),
        ("12", "Each", "Each", "12"),
        ("-3", "g", "mg", "-3000"),
    ],
)
def test_known_values(quantity: str, source: str, target: str, expected: str) -> None:
    assert convert(Decimal(quantity), source, target) == Decimal(expected)


def test_inexact_quotient_keeps_precision_significant_digits() -> None:
    grams_to_ounce = convert(Decimal(1), "g", "oz")
    assert len(grams_to_ounce.as_tuple().digits) == PRECISION
    assert abs(grams_to_ounce * Decimal("28.349523125") - 1) < Decimal("1e-28")


def test_exact_results_are_tidy() -> None:
    assert str(convert(Decimal("1.500"), "kg", "g")) == "1500"
    assert str(convert(Decimal("250"), "mg", "g")) == "0.25"


@given(quantities, units)
def test_round_trip_through_base_unit_is_exact(quantity: Decimal, unit: UnitOfMeasure) -> None:
    base = BASE_UNITS[unit.quantity_type]
    assert convert(to_base(quantity, unit), base, unit) == quantity


@given(quantities, same_type_pairs())
def test_round_trip_between_any_two_units_of_a_type(
    quantity: Decimal, pair: tuple[UnitOfMeasure, UnitOfMeasure]
) -> None:
    source, target = pair
    back = convert(convert(quantity, source, target), target, source)
    # Exact unless a leg had no finite decimal expansion; then within rounding of PRECISION digits.
    assert abs(back - quantity) <= abs(quantity) * Decimal(10) ** (2 - PRECISION)


@given(quantities, same_type_pairs())
def test_conversion_scales_by_the_factor_ratio(
    quantity: Decimal, pair: tuple[UnitOfMeasure, UnitOfMeasure]
) -> None:
    source, target = pair
    converted = convert(quantity, source, target)
    error = abs(converted * target.factor - quantity * source.factor)
    assert error <= abs(quantity * source.factor) * Decimal(10) ** (1 - PRECISION)


@given(quantities, cross_type_pairs())
def test_conversion_across_quantity_types_is_refused(
    quantity: Decimal, pair: tuple[UnitOfMeasure, UnitOfMeasure]
) -> None:
    source, target = pair
    with pytest.raises(RuleViolation, match="Cannot convert"):
        convert(quantity, source, target)


def test_unknown_units_are_refused() -> None:
    with pytest.raises(RuleViolation, match="Unknown unit"):
        convert(Decimal(1), "Stones", "Grams")
    with pytest.raises(RuleViolation, match="Unknown unit"):
        convert(Decimal(1), "Grams", "")
    with pytest.raises(RuleViolation, match="Unknown unit"):
        get_unit("Bushels")


def test_non_finite_quantities_are_refused() -> None:
    with pytest.raises(RuleViolation, match="finite"):
        convert(Decimal("NaN"), "g", "kg")
    with pytest.raises(RuleViolation, match="finite"):
        convert(Decimal("Infinity"), "g", "kg")


@pytest.mark.parametrize("key", ["Grams", "grams", "GRAMS", "g", "G", "  g  "])
def test_lookup_by_name_or_abbreviation_ignores_case(key: str) -> None:
    found = find_unit(key)
    assert found is not None
    assert (found.name, found.abbreviation, found.quantity_type) == (
        "Grams",
        "g",
        QuantityType.WEIGHT,
    )


def test_lookup_of_multiword_abbreviation_and_miss() -> None:
    assert get_unit("FL OZ").name == "Fluid Ounces"
    assert find_unit("furlong") is None


def test_every_name_and_abbreviation_finds_its_own_unit() -> None:
    for unit in UNITS:
        assert find_unit(unit.name) is unit
        assert find_unit(unit.abbreviation) is unit


def test_base_units_have_factor_one() -> None:
    assert {t: u.name for t, u in BASE_UNITS.items()} == {
        QuantityType.WEIGHT: "Grams",
        QuantityType.VOLUME: "Milliliters",
        QuantityType.COUNT: "Each",
    }
    assert all(u.factor == 1 for u in BASE_UNITS.values())


def test_active_and_inactive_partition_the_units() -> None:
    assert [u.name for u in inactive_units()] == ["Tonns"]
    assert inactive_units()[0].abbreviation == "t"
    names = {u.name for u in active_units()}
    assert {
        "Each",
        "Grams",
        "Kilograms",
        "Milligrams",
        "Ounces",
        "Pounds",
        "Milliliters",
        "Liters",
        "Fluid Ounces",
        "Gallons",
        "Pints",
        "Quarts",
    } <= names
    assert len(active_units()) + len(inactive_units()) == len(UNITS)


def test_an_inactive_unit_still_converts() -> None:
    assert convert(Decimal("0.5"), "t", "g") == Decimal("500000")
