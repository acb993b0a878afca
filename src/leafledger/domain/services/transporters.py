"""Transporters: the drivers and vehicles a facility keeps on record for what it ships.

Rules:
- a driver has a name, an employee id and a driver's licence number; a vehicle has a make, a
  model and a licence plate number. Each is required (blank is refused) and at most as long as
  the column that keeps it;
- the driver's licence number is unique among the facility's active drivers, the licence plate
  among its active vehicles (archived ones may repeat them);
- drivers and vehicles are archived, never deleted: an archived one is kept for history, but
  can be neither changed, archived again nor used (the lookups below refuse it);
- every change is audited. Drivers and vehicles live the life of the catalogue's rows
  (`catalogue.Kind`): these are its services, with their own fields.

Lookups, for what names a driver or a vehicle (transfers and sales deliveries name the driver
by their driver's licence number and the vehicle by its plate, at the transporter's facility,
which need not be the shipper's):

- `driver_of(session, facility, driver_id)`, `vehicle_of(session, facility, vehicle_id)`: by id;
- `driver_licensed(session, facility, number)`: by driver's licence number;
- `vehicle_plated(session, facility, plate)`: by licence plate number.

Each answers the facility's active driver (vehicle), or raises `NotFound` when the facility has
none with that id or number (an id of another facility's row is not found either: a body
reference names a row of the facility it is sent for), or `RuleViolation` when the one it has
is archived, naming the caller's `field` when one is given. A service that calls them inside a
bulk body gets both as a 400 naming the object's row (kit/factories.py `bulk`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, String, select
from sqlalchemy.orm import Session

from leafledger.domain.errors import FieldPath, NotFound, RuleViolation
from leafledger.domain.models import Driver, Facility, Vehicle
from leafledger.domain.models.base import fits
from leafledger.domain.services import catalogue
from leafledger.domain.services.lookups import taken

Transporter = TypeVar("Transporter", Driver, Vehicle)


# --- commands


@dataclass(frozen=True)
class NewDriver:
    name: str
    employee_id: str
    drivers_license_number: str


@dataclass(frozen=True, kw_only=True)
class DriverChange(NewDriver):
    """A driver's new fields, all of them (a PUT replaces what it names)."""

    driver: Driver


@dataclass(frozen=True)
class NewVehicle:
    make: str
    model: str
    license_plate_number: str


@dataclass(frozen=True, kw_only=True)
class VehicleChange(NewVehicle):
    """A vehicle's new fields, all of them."""

    vehicle: Vehicle


# --- the fields of a driver or a vehicle


def _length(model: type[Any], name: str) -> int:
    column_type = model.__table__.c[name].type
    if not isinstance(column_type, String) or column_type.length is None:
        raise TypeError(f"{model.__name__}.{name} is not a bounded text column")
    return column_type.length


def _required_text(value: Any, field: str, limit: int) -> str:
    """A required text, stripped: never blank, at most `limit` characters."""
    if not isinstance(value, str) or not value.strip():
        raise RuleViolation("{field} is required.", field=field)
    return catalogue.bounded(value.strip(), field, limit)


@dataclass(frozen=True)
class _Fields(Generic[Transporter]):
    """The apply step of a transporter kind: the text fields of its command (`fields`, the
    command class's own) checked and set, `key` unique among the facility's active rows."""

    model: type[Transporter]
    what: str
    fields: type[Any]
    key: str

    def __call__(
        self, session: Session, facility: Facility, row: Transporter, command: Any
    ) -> None:
        values = {
            name: _required_text(getattr(command, name), name, _length(self.model, name))
            for name in (f.name for f in dataclasses.fields(self.fields))
        }
        value = values[self.key]
        if taken(session, getattr(self.model, self.key), facility, value, exclude_id=row.id):
            raise RuleViolation(
                f"An active {self.what} with {{field}} {value!r} already exists at this facility.",
                field=self.key,
            )
        for name, text in values.items():
            setattr(row, name, text)


DRIVERS = catalogue.Kind[Driver, NewDriver, DriverChange](
    Driver,
    "driver",
    _Fields(Driver, "driver", NewDriver, "drivers_license_number"),
    lambda change: change.driver,
)
VEHICLES = catalogue.Kind[Vehicle, NewVehicle, VehicleChange](
    Vehicle,
    "vehicle",
    _Fields(Vehicle, "vehicle", NewVehicle, "license_plate_number"),
    lambda change: change.vehicle,
    label=lambda vehicle: f"with licence plate {vehicle.license_plate_number!r}",
)
create_driver, update_driver, archive_driver = DRIVERS.services
create_vehicle, update_vehicle, archive_vehicle = VEHICLES.services


# --- lookups


def _find(
    session: Session,
    kind: catalogue.Kind[Transporter, Any, Any],
    facility: Facility,
    condition: ColumnElement[bool],
    described: str,
    field: str | FieldPath | None,
) -> Transporter:
    """The facility's row of `kind` meeting `condition`, the active one first; refused when
    there is none, or only an archived one."""
    model = kind.model
    found = session.scalars(
        select(model)
        .where(model.facility_id == facility.id, condition)
        .order_by(model.active.desc(), model.id.desc())
        .limit(1)
    ).first()
    if found is None:
        raise NotFound(f"No {kind.what} {described} at this facility.")
    if not found.active:
        raise RuleViolation(
            f"The {kind.what} {kind.label(found)} is archived and cannot be used.", field=field
        )
    return found


def _by_id(
    session: Session,
    kind: catalogue.Kind[Transporter, Any, Any],
    facility: Facility,
    row_id: int,
    field: str | FieldPath | None,
) -> Transporter:
    if not fits(kind.model.id, row_id):
        raise NotFound(f"No {kind.what} {row_id} at this facility.")
    return _find(session, kind, facility, kind.model.id == row_id, str(row_id), field)


def driver_of(
    session: Session, facility: Facility, driver_id: int, *, field: str | FieldPath | None = None
) -> Driver:
    """The facility's active driver with this id."""
    return _by_id(session, DRIVERS, facility, driver_id, field)


def vehicle_of(
    session: Session, facility: Facility, vehicle_id: int, *, field: str | FieldPath | None = None
) -> Vehicle:
    """The facility's active vehicle with this id."""
    return _by_id(session, VEHICLES, facility, vehicle_id, field)


def driver_licensed(
    session: Session, facility: Facility, number: str, *, field: str | FieldPath | None = None
) -> Driver:
    """The facility's active driver holding this driver's licence number."""
    number = number.strip()
    condition = Driver.drivers_license_number == number
    described = f"with driver's licence number {number!r}"
    return _find(session, DRIVERS, facility, condition, described, field)


def vehicle_plated(
    session: Session, facility: Facility, plate: str, *, field: str | FieldPath | None = None
) -> Vehicle:
    """The facility's active vehicle with this licence plate number."""
    plate = plate.strip()
    condition = Vehicle.license_plate_number == plate
    described = f"with licence plate {plate!r}"
    return _find(session, VEHICLES, facility, condition, described, field)
