"""Who may call the API: integrators (vendor keys), users (user keys) and their facility roles."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from leafledger.domain.models.base import Base, JsonColumn, Timestamped
from leafledger.domain.models.facility import Facility


class Integrator(Timestamped, Base):
    """A software vendor; its key is the username half of Basic auth."""

    __tablename__ = "integrators"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # The first characters of the key, stored in clear so a lookup needs no scan.
    key_prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(default=True)


class User(Timestamped, Base):
    """A person. With a key they can call the API; their rights come from Employee rows."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    # The state-issued employee licence number; unique across the installation.
    employee_license_number: Mapped[str] = mapped_column(String(64), unique=True)
    key_prefix: Mapped[str | None] = mapped_column(String(16), index=True)
    key_hash: Mapped[str | None] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(default=True)


class Employee(Timestamped, Base):
    """A user's employment at one facility, with the permissions they hold there."""

    __tablename__ = "employees"
    __table_args__ = (UniqueConstraint("facility_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Permission names as written in the Metrc catalogue ("View Packages", ...).
    permissions: Mapped[list[str]] = mapped_column(JsonColumn)
    is_owner: Mapped[bool] = mapped_column(default=False)
    is_manager: Mapped[bool] = mapped_column(default=False)
    is_industry_admin: Mapped[bool] = mapped_column(default=False)
    hire_date: Mapped[date]
    license_type: Mapped[str] = mapped_column(String(100))
    license_start_date: Mapped[date]
    license_end_date: Mapped[date | None]

    facility: Mapped[Facility] = relationship(lazy="joined")
    user: Mapped[User] = relationship(lazy="joined")


class TraceAccount(Timestamped, Base):
    """A Trace API account; its key is the `x-api-key` header of the Trace dialect."""

    __tablename__ = "trace_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    key_prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(default=True)
