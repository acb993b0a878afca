"""The demo sandbox, and the users integrators set up for themselves.

Only links are kept: every key (the demo's included) is stored hashed, on its integrator, user
or Trace account. `leafledger demo` keeps the demo's printable keys outside the database.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from leafledger.domain.models.base import Base, Timestamped


class DemoSandbox(Timestamped, Base):
    __tablename__ = "demo_sandbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    integrator_id: Mapped[int] = mapped_column(ForeignKey("integrators.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    trace_account_id: Mapped[int | None] = mapped_column(ForeignKey("trace_accounts.id"))


class SandboxUser(Timestamped, Base):
    """A user made by POST /sandbox/v2/integrator/setup, and the integrator it was made for.

    Only the link is kept: the user's key is stored hashed like every other key, so a lookup by
    key proves the caller knows it rather than revealing it.
    """

    __tablename__ = "sandbox_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    integrator_id: Mapped[int] = mapped_column(ForeignKey("integrators.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
