"""Runtime settings, read from the environment once per process."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

DEFAULT_DATABASE_URL = "sqlite:///leafledger.db"


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() not in {"0", "false", "no", "off", ""}


def _env_int(name: str, default: int, minimum: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from exc
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return value


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {raw!r}") from exc


@dataclass(frozen=True)
class RateLimits:
    """GET requests per second allowed per facility and per integrator (0 disables one)."""

    enabled: bool = True
    facility_get_per_second: float = 50.0
    integrator_get_per_second: float = 150.0


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    rate_limits: RateLimits = field(default_factory=RateLimits)
    # How long accepted credentials are remembered per process (dialects/kit/access.py).
    auth_cache_seconds: float = 2.0
    # How many writes one server process runs at a time (dialects/kit/mount.py).
    write_threads: int = 2

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=os.environ.get("LEAFLEDGER_DATABASE_URL", DEFAULT_DATABASE_URL),
            rate_limits=RateLimits(
                enabled=_env_bool("LEAFLEDGER_RATE_LIMITS", True),
                facility_get_per_second=_env_float("LEAFLEDGER_RATE_LIMIT_FACILITY_GET", 50.0),
                integrator_get_per_second=_env_float("LEAFLEDGER_RATE_LIMIT_INTEGRATOR_GET", 150.0),
            ),
            auth_cache_seconds=_env_float("LEAFLEDGER_AUTH_CACHE_SECONDS", 2.0),
            write_threads=_env_int("LEAFLEDGER_WRITE_THREADS", 2, minimum=1),
        )
