"""The demo sandbox's own credentials, and the users integrators set up for themselves.

Real keys are stored hashed and shown once. The demo sandbox is for trying leafledger out, so its
two keys are also kept here in clear, which lets `leafledger demo` print them again on every run.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from leafledger.domain.models.base import Base, Timestamped


class DemoSandbox(Timestamped, Base):
    __tablename__ = "demo_sandbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    integrator_id: Mapped[int] = mapped_column(ForeignKey("integrators.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    vendor_key: Mapped[str] = mapped_column(String(64))
    user_key: Mapped[str] = mapped_column(String(64))
    trace_account_id: Mapped[int | None] = mapped_column(ForeignKey("trace_accounts.id"))
    trace_api_key: Mapped[str | None] = mapped_column(String(64))


class SandboxUser(Timestamped, Base):
    """A user made by POST /sandbox/v2/integrator/setup, and the integrator it was made for.

    Only the link is kept: the user's key is stored hashed like every other key, so a lookup by
    key proves the caller knows it rather than revealing it.
    """

    __tablename__ = "sandbox_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    integrator_id: Mapped[int] = mapped_column(ForeignKey("integrators.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
