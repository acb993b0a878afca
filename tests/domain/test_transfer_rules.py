"""Transfer rules at the service level (no HTTP): licence routes, the in-transit lock, and
what every transfer type of the reference list is for."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from leafledger.domain.errors import RuleViolation
from leafledger.domain.facility_types import license_types
from leafledger.domain.models import Facility, Package
from leafledger.domain.reference import TRANSFER_TYPES
from leafledger.domain.services import transfers
from leafledger.domain.services.package_stock import check_changeable, check_drawable


def facility(license_type: str) -> Facility:
    return Facility(id=1, license_number=f"L-{license_type}", license_type=license_type)


def test_every_licensed_type_has_a_route_but_lab_samples() -> None:
    licensed = {t.name for t in TRANSFER_TYPES if t.for_licensed_shipments}
    assert set(transfers.ROUTES) == licensed - {transfers.LAB_SAMPLE_TYPE}
    known = set(license_types())
    for route in transfers.ROUTES.values():
        assert route.shippers <= known and route.recipients <= known
        assert "Testing Lab" not in route.shippers | route.recipients


@pytest.mark.parametrize(
    ("kind", "shipper", "recipient", "allowed"),
    [
        ("Transfer", "Cultivator", "Distributor", True),
        ("Transfer", "Distributor", "Dispensary", True),
        ("Transfer", "Dispensary", "Distributor", False),
        ("Transfer", "Cultivator", "Testing Lab", False),
        ("Wholesale", "Manufacturer", "Cultivator", False),
        ("Wholesale", "Cultivator", "Dispensary", True),
        ("Return", "Dispensary", "Distributor", True),
        ("Return", "Cultivator", "Distributor", False),
        ("Affiliated Transfer", "Dispensary", "Dispensary", True),
        ("External Incoming", "Cultivator", "Distributor", False),
        ("Lab Sample Transfer", "Cultivator", "Testing Lab", False),
    ],
)
def test_the_transfer_type_decides_who_ships_to_whom(
    kind: str, shipper: str, recipient: str, allowed: bool
) -> None:
    transfer_type = transfers.transfer_type_named(kind, ("destinations", 0))
    check = (transfer_type, facility(shipper), facility(recipient), ("destinations", 0))
    if allowed:
        transfers.licensed_route(*check)
        return
    with pytest.raises(RuleViolation) as refusal:
        transfers.licensed_route(*check)
    assert refusal.value.field == ("destinations", 0, "transfer_type")


def test_a_package_in_transit_takes_no_change() -> None:
    package = Package(
        label="1A4-TRANSIT",
        in_transit=True,
        quantity=Decimal(5),
        packaged_date=date(2024, 1, 1),
        is_on_hold=False,
    )
    for check in (check_changeable, check_drawable):
        with pytest.raises(RuleViolation, match="in transit"):
            check(package)
    package.in_transit = False
    check_drawable(package)


def test_a_gross_weight_comes_with_its_unit() -> None:
    at = ("destinations", 0)
    assert transfers.gross_weight(None, None, at) is None
    assert transfers.gross_weight(Decimal("2.5"), "kg", at) == (Decimal("2.5"), "Kilograms")
    with pytest.raises(RuleViolation) as refusal:
        transfers.gross_weight(None, None, at, required=True)
    assert refusal.value.field == (*at, "gross_weight")
    with pytest.raises(RuleViolation) as refusal:
        transfers.gross_weight(Decimal(1), "Each", at)
    assert refusal.value.field == (*at, "gross_unit_of_weight")
