"""Units of measure and the one place quantities are converted between them.

Every unit belongs to a quantity type (weight, volume or count) and carries the exact number of
base units one of it holds: grams for weight, millilitres for volume, "each" for count. The US
customary factors are the legal definitions (1 lb = 0.45359237 kg, 1 US gal = 231 cubic inches =
3.785411784 l), so every factor is a finite decimal and converting to the base unit is exact.

Converting between two units multiplies by one factor and divides by the other. When the
quotient has a finite decimal expansion the result is exact; otherwise (grams to ounces, say)
it is rounded half-even to `PRECISION` significant digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal
from enum import StrEnum
from fractions import Fraction

from leafledger.domain.errors import RuleViolation

# Significant digits kept when a conversion has no finite decimal expansion.
PRECISION = 30


class QuantityType(StrEnum):
    """What a unit measures; the values are Metrc's wire names."""

    WEIGHT = "WeightBased"
    COUNT = "CountBased"
    VOLUME = "VolumeBased"


@dataclass(frozen=True)
class UnitOfMeasure:
    name: str
    abbreviation: str
    quantity_type: QuantityType
    factor: Decimal  # how many base units (g, ml, each) one of this unit is
    active: bool = True


# Ordered as Metrc lists them: count, then weight, then volume; the inactive tonne last.
UNITS: tuple[UnitOfMeasure, ...] = (
    UnitOfMeasure("Each", "ea", QuantityType.COUNT, Decimal("1")),
    UnitOfMeasure("Ounces", "oz", QuantityType.WEIGHT, Decimal("28.349523125")),
    UnitOfMeasure("Pounds", "lb", QuantityType.WEIGHT, Decimal("453.59237")),
    UnitOfMeasure("Grams", "g", QuantityType.WEIGHT, Decimal("1")),
    UnitOfMeasure("Milligrams", "mg", QuantityType.WEIGHT, Decimal("0.001")),
    UnitOfMeasure("Kilograms", "kg", QuantityType.WEIGHT, Decimal("1000")),
    UnitOfMeasure("Fluid Ounces", "fl oz", QuantityType.VOLUME, Decimal("29.5735295625")),
    UnitOfMeasure("Gallons", "gal", QuantityType.VOLUME, Decimal("3785.411784")),
    UnitOfMeasure("Liters", "l", QuantityType.VOLUME, Decimal("1000")),
    UnitOfMeasure("Milliliters", "ml", QuantityType.VOLUME, Decimal("1")),
    UnitOfMeasure("Pints", "pt", QuantityType.VOLUME, Decimal("473.176473")),
    UnitOfMeasure("Quarts", "qt", QuantityType.VOLUME, Decimal("946.352946")),
    # Metrc's spelling of the metric tonne; listed, but no longer accepted for new records.
    UnitOfMeasure("Tonns", "t", QuantityType.WEIGHT, Decimal("1000000"), active=False),
)

BASE_UNITS: dict[QuantityType, UnitOfMeasure] = {
    QuantityType.WEIGHT: next(u for u in UNITS if u.name == "Grams"),
    QuantityType.VOLUME: next(u for u in UNITS if u.name == "Milliliters"),
    QuantityType.COUNT: next(u for u in UNITS if u.name == "Each"),
}

_BY_KEY: dict[str, UnitOfMeasure] = {}
for _unit in UNITS:
    for _key in (_unit.name, _unit.abbreviation):
        _BY_KEY.setdefault(_key.casefold(), _unit)


def active_units() -> tuple[UnitOfMeasure, ...]:
    return tuple(u for u in UNITS if u.active)


def inactive_units() -> tuple[UnitOfMeasure, ...]:
    return tuple(u for u in UNITS if not u.active)


def find_unit(name_or_abbreviation: str) -> UnitOfMeasure | None:
    """The unit with this name or abbreviation, ignoring case and surrounding spaces."""
    return _BY_KEY.get(name_or_abbreviation.strip().casefold())


def get_unit(unit: str | UnitOfMeasure) -> UnitOfMeasure:
    """The unit named, or a RuleViolation when no unit has that name or abbreviation."""
    if isinstance(unit, UnitOfMeasure):
        return unit
    found = find_unit(unit)
    if found is None:
        raise RuleViolation(f"Unknown unit of measure {unit!r}.")
    return found


def convert(
    quantity: Decimal, from_unit: str | UnitOfMeasure, to_unit: str | UnitOfMeasure
) -> Decimal:
    """`quantity` expressed in `from_unit`, re-expressed in `to_unit`.

    Refuses (RuleViolation) an unknown unit, a non-finite quantity, and a conversion between
    quantity types (grams cannot become each or millilitres).
    """
    source, target = get_unit(from_unit), get_unit(to_unit)
    if not isinstance(quantity, Decimal) or not quantity.is_finite():
        raise RuleViolation(f"Quantity must be a finite decimal number, got {quantity!r}.")
    if source.quantity_type is not target.quantity_type:
        raise RuleViolation(
            f"Cannot convert {source.name} ({source.quantity_type.value}) to "
            f"{target.name} ({target.quantity_type.value})."
        )
    if source is target:
        return quantity
    return _to_decimal(Fraction(quantity) * Fraction(source.factor) / Fraction(target.factor))


def to_base(quantity: Decimal, unit: str | UnitOfMeasure) -> Decimal:
    """`quantity` of `unit` in the base unit of its type (grams, millilitres, each); exact."""
    source = get_unit(unit)
    return convert(quantity, source, BASE_UNITS[source.quantity_type])


def same_quantity_type(a: str | UnitOfMeasure, b: str | UnitOfMeasure) -> bool:
    return get_unit(a).quantity_type is get_unit(b).quantity_type


def _to_decimal(value: Fraction) -> Decimal:
    """The exact decimal for `value` when it has one, else `PRECISION` significant digits."""
    numerator, denominator = value.numerator, value.denominator
    twos = fives = 0
    rest = denominator
    while rest % 2 == 0:
        rest //= 2
        twos += 1
    while rest % 5 == 0:
        rest //= 5
        fives += 1
    if rest == 1:
        places = max(twos, fives)
        return _tidy(Decimal(f"{numerator * (10**places // denominator)}E-{places}"))
    context = Context(prec=PRECISION, rounding=ROUND_HALF_EVEN)
    return _tidy(context.divide(Decimal(numerator), Decimal(denominator)))


def _tidy(value: Decimal) -> Decimal:
    """Drop trailing zeros (never rounding) without exponent notation for whole numbers."""
    wide = Context(prec=max(PRECISION, len(value.as_tuple().digits)) + 2)
    if value == value.to_integral_value():
        return value.quantize(Decimal(1), context=wide)
    return value.normalize(context=wide)
