"""Every permission name the endpoint tables require, for granting "all permissions"."""

from __future__ import annotations

from leafledger.dialects.metrc.table import ROWS


def all_permissions() -> list[str]:
    return sorted({name for row in ROWS for name in row.permissions})
