"""transporters: drivers and vehicles

- drivers: a facility's drivers (name, employee id, driver's licence number), listed and
  changed by /transporters/v2/drivers;
- vehicles: a facility's vehicles (make, model, licence plate), by /transporters/v2/vehicles.

Both are archived, never deleted. The driver's licence number (the licence plate) is unique
among the facility's active drivers (vehicles): a partial unique index, as for active names.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 21:03:14.894966
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import leafledger.domain.models.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> (its unique key among active rows, its own columns)
TABLES: dict[str, tuple[str, list[tuple[str, int]]]] = {
    "drivers": (
        "drivers_license_number",
        [("name", 200), ("employee_id", 100), ("drivers_license_number", 64)],
    ),
    "vehicles": (
        "license_plate_number",
        [("make", 200), ("model", 200), ("license_plate_number", 64)],
    ),
}


def upgrade() -> None:
    for table, (key, texts) in TABLES.items():
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("facility_id", sa.Integer(), nullable=False),
            *(sa.Column(name, sa.String(length=length), nullable=False) for name, length in texts),
            sa.Column("active", sa.Boolean(), nullable=False),
            sa.Column(
                "created_at",
                leafledger.domain.models.base.UtcDateTime(timezone=True),
                nullable=False,
            ),
            sa.Column(
                "last_modified",
                leafledger.domain.models.base.UtcDateTime(timezone=True),
                nullable=False,
            ),
            sa.ForeignKeyConstraint(
                ["facility_id"], ["facilities.id"], name=op.f(f"fk_{table}_facility_id_facilities")
            ),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(
                f"ix_{table}_facility_active", ["facility_id", "active", "id"], unique=False
            )
            batch_op.create_index(
                f"uq_{table}_facility_active_{key}",
                ["facility_id", key],
                unique=True,
                sqlite_where=sa.text("active"),
                postgresql_where=sa.text("active"),
            )


def downgrade() -> None:
    for table, (key, _texts) in reversed(TABLES.items()):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(
                f"uq_{table}_facility_active_{key}",
                sqlite_where=sa.text("active"),
                postgresql_where=sa.text("active"),
            )
            batch_op.drop_index(f"ix_{table}_facility_active")
        op.drop_table(table)
