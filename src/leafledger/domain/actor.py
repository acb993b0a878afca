"""Who performs a change: recorded on every audit event."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    channel: str  # "cli", "metrc" or "trace"
    user_id: int | None = None
    integrator_id: int | None = None


CLI = Actor(channel="cli")
