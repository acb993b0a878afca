"""Driver and vehicle rules and the lookups transfers use, at the service level (no HTTP)."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from leafledger.domain.actor import CLI
from leafledger.domain.errors import NotFound, RuleViolation
from leafledger.domain.models import Driver, Facility, Vehicle
from leafledger.domain.services import transporters as service
from leafledger.store import Store
from tests.conftest import Ledger


@pytest.fixture()
def facility(ledger: Ledger) -> Facility:
    return ledger.facility("Distributor")


def _driver(number: str = "D-100", name: str = "Ada Driver") -> service.NewDriver:
    return service.NewDriver(name=name, employee_id="E-1", drivers_license_number=number)


def _vehicle(plate: str = "PLATE-1") -> service.NewVehicle:
    return service.NewVehicle(make="Volvo", model="FH16", license_plate_number=plate)


def test_fields_are_stripped_and_kept(store: Store, facility: Facility) -> None:
    with store.transaction() as session:
        driver = service.create_driver(
            session, CLI, facility, service.NewDriver("  Ada  ", " E-7 ", " D-7 ")
        )
        vehicle = service.create_vehicle(
            session, CLI, facility, service.NewVehicle(" Volvo ", " FH ", " P-7 ")
        )
        assert (driver.name, driver.employee_id, driver.drivers_license_number) == (
            "Ada",
            "E-7",
            "D-7",
        )
        assert (vehicle.make, vehicle.model, vehicle.license_plate_number) == ("Volvo", "FH", "P-7")
        assert driver.active and vehicle.active and driver.facility_id == facility.id


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (service.NewDriver("", "E", "D"), "name"),
        (service.NewDriver("Ada", "  ", "D"), "employee_id"),
        (service.NewDriver("Ada", "E", "D" * 65), "drivers_license_number"),
        (service.NewVehicle("Volvo", "", "P"), "model"),
        (service.NewVehicle("V" * 201, "FH", "P"), "make"),
    ],
)
def test_a_blank_or_overlong_field_is_refused_by_its_domain_name(
    store: Store, facility: Facility, command: service.NewDriver | service.NewVehicle, field: str
) -> None:
    with store.transaction() as session, pytest.raises(RuleViolation) as refused:
        if isinstance(command, service.NewDriver):
            service.create_driver(session, CLI, facility, command)
        else:
            service.create_vehicle(session, CLI, facility, command)
    assert refused.value.field == (field,)


def test_keys_are_unique_among_active_rows_only(store: Store, facility: Facility) -> None:
    with store.transaction() as session:
        first = service.create_driver(session, CLI, facility, _driver())
        with pytest.raises(RuleViolation, match="already exists") as refused:
            service.create_driver(session, CLI, facility, _driver(name="Someone Else"))
        assert refused.value.field == ("drivers_license_number",)
        service.archive_driver(session, CLI, facility, first)
        again = service.create_driver(session, CLI, facility, _driver())
        assert again.id != first.id
        # A change that keeps the row's own key is no clash with itself.
        service.update_driver(
            session,
            CLI,
            facility,
            service.DriverChange(
                name="Renamed", employee_id="E-2", drivers_license_number="D-100", driver=again
            ),
        )
        assert again.name == "Renamed"


def test_the_database_holds_the_key_unique_too(store: Store, facility: Facility) -> None:
    """The partial unique index, for two requests that check at the same moment."""
    with pytest.raises(IntegrityError), store.transaction() as session:
        for _ in range(2):
            session.add(
                Vehicle(
                    facility_id=facility.id,
                    make="M",
                    model="X",
                    license_plate_number="SAME",
                    active=True,
                )
            )
        session.flush()


def test_lookups_answer_active_rows_of_the_facility(
    store: Store, facility: Facility, ledger: Ledger
) -> None:
    other = ledger.facility("Distributor")
    with store.transaction() as session:
        driver = service.create_driver(session, CLI, facility, _driver("D-55"))
        vehicle = service.create_vehicle(session, CLI, facility, _vehicle("P-55"))
        theirs = service.create_driver(session, CLI, other, _driver("D-56"))
        assert service.driver_of(session, facility, driver.id) is driver
        assert service.vehicle_of(session, facility, vehicle.id) is vehicle
        assert service.driver_licensed(session, facility, " D-55 ") is driver
        assert service.vehicle_plated(session, facility, "P-55") is vehicle
        with pytest.raises(NotFound, match="No driver"):
            service.driver_of(session, facility, theirs.id)  # another facility's
        with pytest.raises(NotFound, match="'D-56'"):
            service.driver_licensed(session, facility, "D-56")
        with pytest.raises(NotFound):
            service.vehicle_of(session, facility, 2**40)  # past every id
        with pytest.raises(NotFound, match="licence plate 'NOPE'"):
            service.vehicle_plated(session, facility, "NOPE")


def test_lookups_refuse_archived_rows_naming_the_callers_field(
    store: Store, facility: Facility
) -> None:
    with store.transaction() as session:
        driver = service.create_driver(session, CLI, facility, _driver("D-77"))
        vehicle = service.create_vehicle(session, CLI, facility, _vehicle("P-77"))
        service.archive_driver(session, CLI, facility, driver)
        service.archive_vehicle(session, CLI, facility, vehicle)
        with pytest.raises(RuleViolation, match="archived and cannot be used") as refused:
            service.driver_licensed(session, facility, "D-77", field="driver_license_number")
        assert refused.value.field == ("driver_license_number",)
        with pytest.raises(RuleViolation, match="archived"):
            service.driver_of(session, facility, driver.id)
        with pytest.raises(RuleViolation, match="licence plate 'P-77' is archived"):
            service.vehicle_plated(session, facility, "P-77")
        # Once the key is held again, the active holder is the one found.
        fresh = service.create_vehicle(session, CLI, facility, _vehicle("P-77"))
        assert service.vehicle_plated(session, facility, "P-77") is fresh
        with pytest.raises(RuleViolation, match="archived"):
            service.vehicle_of(session, facility, vehicle.id)


def test_archived_rows_can_be_neither_changed_nor_archived_again(
    store: Store, facility: Facility
) -> None:
    with store.transaction() as session:
        driver: Driver = service.create_driver(session, CLI, facility, _driver("D-88"))
        service.archive_driver(session, CLI, facility, driver)
        with pytest.raises(RuleViolation, match="already archived"):
            service.archive_driver(session, CLI, facility, driver)
        change = service.DriverChange(
            name="X", employee_id="E", drivers_license_number="D-89", driver=driver
        )
        with pytest.raises(RuleViolation, match="archived and cannot be changed"):
            service.update_driver(session, CLI, facility, change)
        assert driver.drivers_license_number == "D-88"
